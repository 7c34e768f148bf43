import rule from '../../../rules/expiry/root-expired.js';
import { testRule } from '../../support/rule-tester.js';
import { DAY, YEAR, evidenceFor, intermediate, leaf, root, t } from '../../support/pki.js';

testRule(rule, {
  valid: [
    { name: 'root valid for nine more years', evidence: async () => { const r = await root(); const i = await intermediate(r); return evidenceFor({ chain: [await leaf(i), i], trust: [r] }); } },
    {
      name: 'an expired intermediate is not a root',
      evidence: async () => {
        const r = await root();
        const i = await intermediate(r, 'Expired Intermediate', { notAfter: t(-DAY) });
        return evidenceFor({ chain: [await leaf(i), i], trust: [r] });
      },
    },
  ],
  invalid: [
    {
      name: 'root-expired: the 10-year root nobody watched',
      evidence: async () => {
        const r = await root('Mesh Root CA', { notBefore: t(-10 * YEAR), notAfter: t(-3 * DAY) });
        const i = await intermediate(r);
        return evidenceFor({ chain: [await leaf(i), i], trust: [r] });
      },
      errors: [{ messageId: 'expired', severity: 'critical', explanation: /Root CA "Mesh Root CA".*3d ago/ }],
    },
    {
      name: 'expired root in --ca material (cacerts root-cert.pem)',
      evidence: async () => {
        const r = await root();
        const i = await intermediate(r);
        const oldRoot = await root('Previous Root', { notBefore: t(-11 * YEAR), notAfter: t(-YEAR) });
        return evidenceFor({ chain: [await leaf(i), i], trust: [r], ca: [oldRoot] });
      },
      errors: [{ messageId: 'expired', subject: 'ca', explanation: /Previous Root/ }],
    },
  ],
});
