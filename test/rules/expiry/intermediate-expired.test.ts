import rule from '../../../rules/expiry/intermediate-expired.js';
import { testRule } from '../../support/rule-tester.js';
import { DAY, HOUR, MIN, YEAR, evidenceFor, intermediate, leaf, root, t } from '../../support/pki.js';

testRule(rule, {
  valid: [
    {
      name: 'intermediate valid for another year',
      evidence: async () => {
        const r = await root();
        const i = await intermediate(r);
        return evidenceFor({ chain: [await leaf(i), i], trust: [r] });
      },
    },
    {
      name: 'only the root expired (reported by root-expired, not here)',
      evidence: async () => {
        const r = await root('Old Root', { notBefore: t(-10 * YEAR), notAfter: t(-DAY) });
        const i = await intermediate(r);
        return evidenceFor({ chain: [await leaf(i), i], trust: [r] });
      },
    },
  ],
  invalid: [
    {
      name: 'intermediate-expired at 02:47, 13 minutes before the page',
      evidence: async () => {
        const r = await root();
        const i = await intermediate(r, 'Istio Intermediate', { notBefore: t(-YEAR), notAfter: t(-13 * MIN) });
        return evidenceFor({ chain: [await leaf(i), i], trust: [r] });
      },
      errors: [{ messageId: 'expired', severity: 'critical', subject: 'local', explanation: /"Istio Intermediate".*expired at 2026-11-29T02:47:00Z, 13m ago.*depth 1/ }],
    },
    {
      name: 'intermediate known only from --ca (not on the presented chain) expired',
      evidence: async () => {
        const r = await root();
        const i = await intermediate(r);
        const old = await intermediate(r, 'Retired Intermediate', { notBefore: t(-2 * YEAR), notAfter: t(-2 * HOUR) });
        return evidenceFor({ chain: [await leaf(i), i], trust: [r], ca: [old] });
      },
      errors: [{ messageId: 'expired', subject: 'ca', explanation: /Retired Intermediate.*depth n\/a/ }],
    },
    {
      name: 'two expired intermediates in a three-level chain are both reported',
      evidence: async () => {
        const r = await root();
        const i1 = await intermediate(r, 'Regional CA', { notAfter: t(-DAY) });
        const i2 = await intermediate(i1, 'Cluster CA', { notAfter: t(-HOUR) });
        return evidenceFor({ chain: [await leaf(i2), i2, i1], trust: [r] });
      },
      errors: [{ messageId: 'expired', explanation: /Cluster CA/ }, { messageId: 'expired', explanation: /Regional CA/ }],
    },
  ],
});
