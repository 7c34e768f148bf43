import rule from '../../../rules/expiry/leaf-expiring.js';
import stalled from '../../../rules/expiry/rotation-stalled.js';
import { testRule } from '../../support/rule-tester.js';
import { DAY, HOUR, evidenceFor, mesh, t } from '../../support/pki.js';

const life = (startH: number, lifeH: number) => ({ leaf: { notBefore: t(startH * HOUR), notAfter: t((startH + lifeH) * HOUR) } });

testRule(rule, {
  valid: [
    { name: '24h leaf with 22h left', evidence: async () => { const m = await mesh(); return evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root] }); } },
    { name: '24h leaf with 26% left (just above the 25% threshold)', evidence: async () => { const m = await mesh(life(-17.76, 24)); return evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root] }); } },
    { name: 'expired leaf is leaf-expired, not expiring', evidence: async () => { const m = await mesh(life(-25, 24)); return evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root] }); } },
  ],
  invalid: [
    {
      name: 'leaf-expiring: 5h of 24h left is a warning',
      evidence: async () => { const m = await mesh(life(-19, 24)); return evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root] }); },
      errors: [{ messageId: 'expiring', severity: 'warning', causedBy: null, explanation: /in 5h: only 21% of its 1d lifetime is left \(threshold 25%\)/ }],
    },
    {
      name: 'leaf-expiring-critical: 2h of 24h left is an error',
      evidence: async () => { const m = await mesh(life(-22, 24)); return evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root] }); },
      errors: [{ messageId: 'expiring', severity: 'error', explanation: /threshold 10%/ }],
    },
    {
      name: 'expiring because rotation stalled: linked to expiry/rotation-stalled',
      with: [stalled],
      evidence: async () => { const m = await mesh(life(-20, 24)); return evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root] }); },
      errors: [{ messageId: 'expiring', causedBy: 'expiry/rotation-stalled' }],
    },
    {
      name: '90-day cert-manager leaf with 10 days left',
      evidence: async () => { const m = await mesh(life(-80 * 24, 90 * 24)); return evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root] }); },
      errors: [{ messageId: 'expiring', severity: 'warning', explanation: /in 10d/ }],
    },
    {
      name: 'thresholds from --thresholds: warn at 50%',
      evidence: async () => { const m = await mesh(life(-14, 24)); return evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root], thresholds: { leaf: { warnFraction: 0.5 } } }); },
      errors: [{ messageId: 'expiring', severity: 'warning', explanation: /threshold 50%/ }],
    },
  ],
});
void DAY;
