import rule from '../../../rules/expiry/rotation-stalled.js';
import { testRule } from '../../support/rule-tester.js';
import { DAY, HOUR, evidenceFor, mesh, t } from '../../support/pki.js';

const at = (notBeforeH: number, lifeH: number) => ({ leaf: { notBefore: t(notBeforeH * HOUR), notAfter: t((notBeforeH + lifeH) * HOUR) } });

testRule(rule, {
  valid: [
    { name: '24h leaf at 40% of its life', evidence: async () => { const m = await mesh(at(-9.6, 24)); return evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root] }); } },
    { name: '24h leaf at 55%: past half-life but within slack (jitter, agent backoff)', evidence: async () => { const m = await mesh(at(-13.2, 24)); return evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root] }); } },
    { name: 'expired leaf is leaf-expired, not stalled', evidence: async () => { const m = await mesh(at(-30, 24)); return evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root] }); } },
  ],
  invalid: [
    {
      name: 'rotation-stalled: 24h leaf 18h old',
      evidence: async () => { const m = await mesh(at(-18, 24)); return evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root] }); },
      errors: [{ messageId: 'stalled', severity: 'warning', explanation: /75% through its 1d lifetime.*about 50% \(2026-11-28T21:00:00Z\).*6h from now/ }],
    },
    {
      name: '7-day leaf at 80%',
      evidence: async () => { const m = await mesh(at(-5.6 * 24, 7 * 24)); return evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root] }); },
      errors: [{ messageId: 'stalled', explanation: /80% through its 7d lifetime/ }],
    },
    {
      name: 'rotation fraction is configurable (0.3 + 0.05 slack: 40% is stalled)',
      evidence: async () => {
        const m = await mesh(at(-9.6, 24));
        return evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root], thresholds: { leaf: { rotationFraction: 0.3, rotationSlackFraction: 0.05 } } });
      },
      errors: [{ messageId: 'stalled' }],
    },
  ],
});

// A one-year leaf renewed by hand does not rotate at half-life: the rule does not apply.
import { describe, expect, it } from 'vitest';
import { runRules } from '../../../src/engine/run.js';
import { factsFor } from '../../support/pki.js';
describe('expiry/rotation-stalled applicability', () => {
  it('is not-applicable to a 1-year leaf at 80% of its life', async () => {
    const m = await mesh({ leaf: { notBefore: t(-292 * DAY), notAfter: t(73 * DAY) } });
    const res = runRules([rule], await factsFor({ chain: [m.leaf, m.inter], trust: [m.root] }));
    expect(res.findings).toEqual([]);
    expect(res.notEvaluated).toEqual([{ rule: 'expiry/rotation-stalled', reason: 'not-applicable', missing: [] }]);
  });
});
