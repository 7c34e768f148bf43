import rule from '../../../rules/expiry/not-yet-valid.js';
import { testRule } from '../../support/rule-tester.js';
import { DAY, HOUR, MIN, evidenceFor, intermediate, leaf, mesh, root, t } from '../../support/pki.js';

testRule(rule, {
  valid: [
    { name: 'leaf started two hours ago', evidence: async () => { const m = await mesh(); return evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root] }); } },
    { name: 'leaf starts exactly now (notBefore is inclusive)', evidence: async () => { const m = await mesh({ leaf: { notBefore: t(0), notAfter: t(DAY) } }); return evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root] }); } },
  ],
  invalid: [
    {
      name: 'clock-skew: leaf starts in 4 minutes',
      evidence: async () => { const m = await mesh({ leaf: { notBefore: t(4 * MIN), notAfter: t(DAY) } }); return evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root] }); },
      errors: [{ messageId: 'skew', severity: 'critical', explanation: /4m from now.*clock skew/ }],
    },
    {
      name: 'future-dated intermediate: starts in 3 days',
      evidence: async () => {
        const r = await root();
        const i = await intermediate(r, 'Next Intermediate', { notBefore: t(3 * DAY) });
        return evidenceFor({ chain: [await leaf(i), i], trust: [r] });
      },
      errors: [{ messageId: 'future', explanation: /Next Intermediate.*3d from now/ }],
    },
    {
      name: 'skew threshold is configurable: 30 minutes ahead with a 10 minute threshold is "future"',
      evidence: async () => {
        const m = await mesh({ leaf: { notBefore: t(30 * MIN), notAfter: t(DAY + HOUR) } });
        return evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root], thresholds: { clockSkewMinutes: 10 } });
      },
      errors: [{ messageId: 'future' }],
    },
  ],
});
