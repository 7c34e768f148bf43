/**
 * The ranking of DESIGN.md ("Stages and ranking"), key by key, on findings built for each key; and the guard
 * (test/support/ranking-guard.ts) that holds every report of the test run to the ranking's promises is live.
 */
import { describe, expect, it } from 'vitest';
import { rankFindings, rankingViolations, type RankInput } from '../../src/engine/rank.js';
import type { RawFinding } from '../../src/engine/run.js';
import type { RankingGuard } from '../support/ranking-guard.js';
import type { RuleId } from '../../src/model/rule-id.js';
import type { Stage } from '../../src/model/stage.js';

let order = 0;
function f(rule: RuleId, o: Partial<RawFinding> = {}): RawFinding {
  return {
    rule,
    stage: rule.split('/')[0] as Stage,
    subject: 'local',
    severity: 'error',
    confidence: 0.9,
    explainsSymptom: false,
    title: rule,
    explanation: rule,
    evidence: [],
    remediation: ['fix it'],
    verify: 'true',
    docs: '',
    causedBy: null,
    about: null,
    order: order++,
    forecast: false,
    catchAll: false,
    deadline: null,
    ...o,
  };
}
const ids = (raw: RawFinding[]) => rankFindings(raw).map((x) => `${x.rule}${x.subject === 'local' ? '' : `@${x.subject}`}`);

describe('ranking keys', () => {
  it('an INFO note never outranks an error, whatever its stage (the stage is the tie-break, not the first key)', () => {
    expect(ids([f('chain/verifier-rejects', { severity: 'info' }), f('san/trust-domain-mismatch', { severity: 'critical' })])).toEqual(['san/trust-domain-mismatch', 'chain/verifier-rejects']);
  });

  it('broken now, then at risk (warnings and forecasts, even critical ones), then information', () => {
    const raw = [
      f('expiry/root-expiring', { severity: 'error', forecast: true, deadline: 5 }),
      f('chain/verifier-rejects', { severity: 'info' }),
      f('chain/trust-bundle-duplicate-subject', { severity: 'warning' }),
      f('key-usage/missing-client-auth', { severity: 'error' }),
    ];
    expect(ids(raw)).toEqual(['key-usage/missing-client-auth', 'expiry/root-expiring', 'chain/trust-bundle-duplicate-subject', 'chain/verifier-rejects']);
  });

  it('what explains the observed symptom comes first, even a warning', () => {
    expect(ids([f('chain/unknown-authority'), f('expiry/leaf-expiring', { severity: 'warning', explainsSymptom: true })])).toEqual(['expiry/leaf-expiring', 'chain/unknown-authority']);
  });

  it('a specific cause before a catch-all among what explains the symptom', () => {
    const raw = [
      f('transport/peer-rejected-certificate', { severity: 'critical', catchAll: true, explainsSymptom: true }),
      f('chain/unknown-authority', { subject: 'peer', explainsSymptom: true }),
    ];
    expect(ids(raw)).toEqual(['chain/unknown-authority@peer', 'transport/peer-rejected-certificate']);
  });

  it('a catch-all that explains the symptom still goes below a specific finding broken now on its side (our expired intermediate)', () => {
    const raw = [f('transport/peer-rejected-certificate', { severity: 'critical', catchAll: true, explainsSymptom: true }), f('expiry/intermediate-expired', { severity: 'critical' })];
    expect(ids(raw)).toEqual(['expiry/intermediate-expired', 'transport/peer-rejected-certificate']);
  });

  it('a catch-all keeps its place over what is broken on the other side only, and over what is merely at risk', () => {
    const raw = [
      f('chain/unknown-authority', { subject: 'peer' }),
      f('expiry/leaf-expiring', { severity: 'warning', forecast: true, deadline: 1 }),
      f('transport/peer-rejected-certificate', { severity: 'critical', catchAll: true, explainsSymptom: true }),
    ];
    expect(ids(raw)).toEqual(['transport/peer-rejected-certificate', 'chain/unknown-authority@peer', 'expiry/leaf-expiring']);
  });

  it('a root cause before its consequences, even when the consequence is graver or explains the symptom', () => {
    const raw = [
      f('expiry/leaf-expiring', { severity: 'error', causedBy: 'expiry/rotation-stalled', explainsSymptom: true }),
      f('chain/unknown-authority'),
      f('expiry/rotation-stalled', { severity: 'warning', forecast: true }),
    ];
    expect(ids(raw)).toEqual(['expiry/rotation-stalled', 'expiry/leaf-expiring', 'chain/unknown-authority']);
  });

  it('a cause is found on the consequence\'s own side first', () => {
    const raw = [f('expiry/intermediate-expired', { subject: 'peer', severity: 'critical' }), f('expiry/leaf-expired', { severity: 'critical', causedBy: 'expiry/intermediate-expired' }), f('expiry/intermediate-expired', { severity: 'critical' })];
    const ranked = ids(raw);
    expect(ranked.indexOf('expiry/intermediate-expired')).toBeLessThan(ranked.indexOf('expiry/leaf-expired'));
  });

  it('then stage order, then the sooner deadline, then confidence', () => {
    expect(ids([f('san/missing'), f('chain/issuer-not-ca'), f('expiry/leaf-expired', { severity: 'critical' })])).toEqual(['expiry/leaf-expired', 'chain/issuer-not-ca', 'san/missing']);
    const forecasts = [f('expiry/root-expiring', { severity: 'warning', forecast: true, deadline: 10 }), f('expiry/intermediate-expiring', { severity: 'warning', forecast: true, deadline: 9 })];
    expect(ids(forecasts)).toEqual(['expiry/intermediate-expiring', 'expiry/root-expiring']);
    expect(ids([f('chain/issuer-not-ca', { confidence: 0.6 }), f('chain/bad-signature', { confidence: 0.95 })])).toEqual(['chain/bad-signature', 'chain/issuer-not-ca']);
  });
});

describe('rankingViolations', () => {
  const r = (rule: RuleId, o: Partial<RankInput> = {}) => ({ rule, subject: 'local', severity: 'error' as const, explainsSymptom: false, causedBy: null, forecast: false, catchAll: false, ...o });

  it('names each broken promise', () => {
    expect(rankingViolations([r('chain/verifier-rejects', { severity: 'info' }), r('san/missing')]).map((v) => v.why)).toEqual(['info-above-error']);
    expect(rankingViolations([r('transport/peer-rejected-certificate', { catchAll: true, severity: 'critical' }), r('expiry/leaf-expired')]).map((v) => v.why)).toEqual(['catch-all-above-specific']);
    expect(rankingViolations([r('expiry/leaf-expired', { causedBy: 'expiry/intermediate-expired' }), r('expiry/intermediate-expired')]).map((v) => v.why)).toEqual(['consequence-above-cause']);
  });

  it('lets an INFO note that explains the symptom lead, and a catch-all lead what is broken on the other side', () => {
    expect(rankingViolations([r('chain/verifier-rejects', { severity: 'info', explainsSymptom: true }), r('san/missing')])).toEqual([]);
    expect(rankingViolations([r('transport/peer-rejected-certificate', { catchAll: true }), r('chain/unknown-authority', { subject: 'peer' })])).toEqual([]);
  });
});

describe('the ranking guard', () => {
  it('is installed: the rankings made in this file were checked', () => {
    const guard = (globalThis as Record<symbol, unknown>)[Symbol.for('mtls-doctor.ranking-guard')] as RankingGuard | undefined;
    expect(guard, 'test/support/ranking-guard.ts is not a setup file (vitest.config.ts setupFiles)').toBeDefined();
    expect(guard!.checked).toBeGreaterThan(0);
  });
});
