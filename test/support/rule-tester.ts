/**
 * A table tester for rules, after ESLint's RuleTester: named `valid` and `invalid` cases run through the
 * real engine. It rejects bad tests: an empty table, unnamed or duplicate cases, an unknown message id in an
 * expectation, evidence without a pinned evaluation time, and any rule-error (e.g. an unfilled placeholder).
 */
import { describe, expect, it } from 'vitest';
import type { Rule } from '../../src/engine/define-rule.js';
import { runRules } from '../../src/engine/run.js';
import { rankFindings } from '../../src/engine/rank.js';
import { buildFacts } from '../../src/facts/build.js';
import type { EvidenceBundle } from '../../src/evidence/types.js';
import type { Finding, Severity } from '../../src/report/types.js';
import { NOW } from './pki.js';
import { sourceLabel } from '../../src/report/source-label.js';

export interface RuleCase {
  name: string;
  evidence: () => Promise<EvidenceBundle>;
  /** Earlier rules to run first (for causedBy links). */
  with?: Rule[];
}

export interface InvalidCase<M extends string> extends RuleCase {
  errors: Array<{ messageId: M; severity?: Severity; subject?: string; causedBy?: string | null; explanation?: RegExp }>;
}

export function testRule<M extends string>(rule: Rule<M>, table: { valid: RuleCase[]; invalid: InvalidCase<M>[] }): void {
  const names = [...table.valid, ...table.invalid].map((c) => c.name);
  if (table.valid.length === 0 || table.invalid.length === 0) throw new Error(`${rule.meta.id}: a rule test needs at least one valid and one invalid case`);
  if (names.some((n) => !n || n.trim() === '')) throw new Error(`${rule.meta.id}: every case needs a name`);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new Error(`${rule.meta.id}: duplicate case name "${dup}"`);
  for (const c of table.invalid) {
    for (const e of c.errors) {
      if (!(e.messageId in rule.meta.messages)) throw new Error(`${rule.meta.id}: case "${c.name}" expects unknown message id "${e.messageId}"`);
    }
  }

  const run = async (c: RuleCase): Promise<Finding[]> => {
    const ev = await c.evidence();
    if (!ev.evaluatedAt || Date.parse(ev.evaluatedAt) !== Date.parse(ev.evaluatedAt)) throw new Error(`case "${c.name}": evidence has no pinned evaluation time`);
    const res = runRules([...(c.with ?? []), rule as Rule], buildFacts(ev, { label: sourceLabel }));
    const errors = res.notEvaluated.filter((n) => n.reason === 'rule-error');
    if (errors.length) throw new Error(`case "${c.name}": rule error: ${errors.map((e) => e.detail).join('; ')}`);
    const mine = res.notEvaluated.find((n) => n.rule === rule.meta.id);
    if (mine && mine.reason === 'insufficient-evidence') throw new Error(`case "${c.name}": insufficient evidence (${mine.missing.join(', ')}): the case does not exercise the rule`);
    return rankFindings(res.findings).filter((f) => f.rule === rule.meta.id);
  };

  describe(rule.meta.id, () => {
    for (const c of table.valid) {
      it(`valid: ${c.name}`, async () => {
        const found = await run(c);
        expect(found.map((f) => f.explanation)).toEqual([]);
      });
    }
    for (const c of table.invalid) {
      it(`invalid: ${c.name}`, async () => {
        const found = await run(c);
        expect(found.length, found.map((f) => f.explanation).join('\n')).toBe(c.errors.length);
        c.errors.forEach((e, i) => {
          const f = found[i]!;
          const template = rule.meta.messages[e.messageId];
          // The finding came from the expected message: its fixed text (outside placeholders) is present.
          const fixed = template.split(/\{[A-Za-z0-9_]+\}/).filter((p) => p.length > 12);
          for (const part of fixed) expect(f.explanation).toContain(part);
          expect(f.explanation).not.toMatch(/\{[A-Za-z0-9_]+\}/);
          if (e.severity) expect(f.severity).toBe(e.severity);
          if (e.subject) expect(f.subject).toBe(e.subject);
          if (e.causedBy !== undefined) expect(f.causedBy).toBe(e.causedBy);
          if (e.explanation) expect(f.explanation).toMatch(e.explanation);
          expect(f.remediation.length).toBeGreaterThan(0);
          expect(f.verify).not.toBe('');
        });
      });
    }
  });
}

export { NOW };
