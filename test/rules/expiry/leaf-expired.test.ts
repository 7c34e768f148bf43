import rule from '../../../rules/expiry/leaf-expired.js';
import { testRule } from '../../support/rule-tester.js';
import { DAY, HOUR, MIN, evidenceFor, leaf, mesh, NOW, t } from '../../support/pki.js';

testRule(rule, {
  valid: [
    { name: 'healthy 24h leaf two hours in', evidence: async () => { const m = await mesh(); return evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root] }); } },
    { name: 'leaf at its last valid instant (notAfter is inclusive)', evidence: async () => { const m = await mesh(); return evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root], at: m.leaf.cert.notAfter.getTime() }); } },
  ],
  invalid: [
    {
      name: 'leaf-expired: 24h leaf expired 6 hours ago',
      evidence: async () => {
        const m = await mesh({ leaf: { notBefore: t(-30 * HOUR), notAfter: t(-6 * HOUR) } });
        return evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root] });
      },
      errors: [{ messageId: 'expired', severity: 'critical', subject: 'local', explanation: /expired at 2026-11-28T21:00:00Z, 6h ago/ }],
    },
    {
      name: 'leaf-expired one minute ago with a valid intermediate',
      evidence: async () => {
        const m = await mesh();
        const l = await leaf(m.inter, { notBefore: t(-DAY - MIN), notAfter: t(-MIN) });
        return evidenceFor({ chain: [l, m.inter], trust: [m.root], at: NOW });
      },
      errors: [{ messageId: 'expired', explanation: /1m ago/ }],
    },
  ],
});
