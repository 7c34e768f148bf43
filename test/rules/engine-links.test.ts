/**
 * Links between rules are data: a rule reads an earlier rule's result (ctx.earlier, causedBy) only when its
 * meta.reads lists it, and the engine refuses anything else as a rule-error. The symptom catalogue resolves a
 * symptom to the rules whose meta.explains lists one of its codes, or (for a rejection that names no check)
 * to any rule of the symptom's stages.
 */
import { describe, expect, it } from 'vitest';
import { defineRule, type Rule } from '../../src/engine/define-rule.js';
import { runRules } from '../../src/engine/run.js';
import { buildCatalogue } from '../../src/engine/catalogue.js';
import type { SymptomFact } from '../../src/facts/symptoms.js';
import { factsFor, mesh } from '../support/pki.js';

const base = { stage: 'chain', severity: 'error', title: 't', description: 'd', requires: [], messages: { m: 'm' }, remediation: ['r'], verify: 'true' } as const;
const first = defineRule({ meta: { ...base, id: 'chain/bad-signature' }, check: (ctx) => ctx.report({ messageId: 'm', about: 'x' }) });

async function run(second: Rule) {
  const m = await mesh();
  return runRules([first, second] as Rule[], await factsFor({ chain: [m.leaf, m.inter], trust: [m.root] }));
}

describe('meta.reads', () => {
  it('a declared earlier rule can be read and named as the cause', async () => {
    const r = await run(
      defineRule({
        meta: { ...base, id: 'chain/issuer-not-ca', reads: ['chain/bad-signature'] },
        check: (ctx) => ctx.report({ messageId: 'm', causedBy: ctx.earlier('chain/bad-signature', 'x') ? 'chain/bad-signature' : null }),
      }),
    );
    expect(r.notEvaluated).toEqual([]);
    expect(r.findings.map((f) => [f.rule, f.causedBy])).toEqual([
      ['chain/bad-signature', null],
      ['chain/issuer-not-ca', 'chain/bad-signature'],
    ]);
  });

  it('reading an undeclared rule, or naming it as the cause, is a rule-error', async () => {
    const reads = await run(defineRule({ meta: { ...base, id: 'chain/issuer-not-ca' }, check: (ctx) => void ctx.earlier('chain/bad-signature') }));
    expect(reads.notEvaluated).toEqual([expect.objectContaining({ rule: 'chain/issuer-not-ca', reason: 'rule-error', detail: expect.stringContaining('meta.reads') })]);
    const cause = await run(defineRule({ meta: { ...base, id: 'chain/issuer-not-ca' }, check: (ctx) => ctx.report({ messageId: 'm', causedBy: 'chain/bad-signature' }) }));
    expect(cause.notEvaluated).toEqual([expect.objectContaining({ reason: 'rule-error', detail: expect.stringContaining('meta.reads') })]);
  });

  it('reading a rule that runs later is a rule-error', async () => {
    const later = defineRule({ meta: { ...base, id: 'chain/leaf-is-ca', reads: ['chain/weak-algorithm'] }, check: (ctx) => void ctx.earlier('chain/weak-algorithm') });
    const m = await mesh();
    const r = runRules([later, defineRule({ meta: { ...base, id: 'chain/weak-algorithm' }, check: () => undefined })] as Rule[], await factsFor({ chain: [m.leaf, m.inter], trust: [m.root] }));
    expect(r.notEvaluated).toEqual([expect.objectContaining({ rule: 'chain/leaf-is-ca', reason: 'rule-error', detail: expect.stringContaining('does not run before it') })]);
  });
});

describe('the symptom catalogue', () => {
  const a = defineRule({ meta: { ...base, id: 'chain/unknown-authority', explains: [{ symptom: 'alert:48', weight: 0.5, why: 'w' }], hint: { confirm: 'c', next: 'n', fix: 'f' } }, check: () => undefined });
  const b = defineRule({ meta: { ...base, id: 'chain/incomplete-chain', explains: [{ symptom: 'alert:48', weight: 0.8, why: 'w' }], hint: { confirm: 'c', next: 'n', fix: 'f' } }, check: () => undefined });
  const c = defineRule({ meta: { ...base, id: 'expiry/leaf-expired', stage: 'expiry' }, check: () => undefined });
  const cat = buildCatalogue([a, b, c] as Rule[]);
  const sym = (s: Partial<SymptomFact>): SymptomFact => ({ source: 'probe', code: 'x', detail: 'd', rejectedBy: 'peer', means: [], ...s });

  it('orders a code\'s rules by weight and resolves a symptom through its codes', () => {
    expect(cat.of('alert:48').map((e) => e.rule)).toEqual(['chain/incomplete-chain', 'chain/unknown-authority']);
    expect(cat.explainers(sym({ means: ['alert:48'] }))).toEqual(['chain/incomplete-chain', 'chain/unknown-authority']);
    expect(cat.explains('expiry/leaf-expired', sym({ means: ['alert:48'] }))).toBe(false);
  });

  it('a symptom that names no check is explained by any rule of its stages', () => {
    expect(cat.explains('expiry/leaf-expired', sym({ means: [], orStages: ['expiry'] }))).toBe(true);
    expect(cat.explains('chain/unknown-authority', sym({ means: [], orStages: ['expiry'] }))).toBe(false);
  });
});
