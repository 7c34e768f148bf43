import 'reflect-metadata';
import rule from '../../../rules/chain/crl-expired.js';
import { testRule } from '../../support/rule-tester.js';
import { DAY, HOUR, intermediate, mesh, t } from '../../support/pki.js';
import { crlPem, evidenceWith } from '../../support/crl.js';

testRule(rule, {
  valid: [
    { name: 'current-crl', evidence: async () => { const m = await mesh(); return evidenceWith({ chain: [m.leaf, m.inter], trust: [m.root], crls: [await crlPem(m.inter)] }); } },
    {
      // RFC 5280 requires nextUpdate, but verifiers never call a CRL without one expired.
      name: 'crl-without-next-update',
      evidence: async () => { const m = await mesh(); return evidenceWith({ chain: [m.leaf, m.inter], trust: [m.root], crls: [await crlPem(m.inter, { thisUpdate: t(-400 * DAY), nextUpdate: null })] }); },
    },
    {
      // Verifiers pick the current CRL when an expired one for the same CA is also loaded.
      name: 'expired-crl-beside-a-current-one',
      evidence: async () => {
        const m = await mesh();
        return evidenceWith({ chain: [m.leaf, m.inter], trust: [m.root], crls: [await crlPem(m.inter, { thisUpdate: t(-20 * DAY), nextUpdate: t(-10 * DAY) }), await crlPem(m.inter)] });
      },
    },
    {
      // An expired CRL that is not the issuer's (signed by another key) is never used, so it cannot expire anything.
      name: 'expired-crl-signed-by-another-key',
      evidence: async () => {
        const m = await mesh();
        const other = await intermediate(m.root, 'Other CA');
        return evidenceWith({ chain: [m.leaf, m.inter], trust: [m.root], crls: [await crlPem(m.inter, { signer: other, thisUpdate: t(-20 * DAY), nextUpdate: t(-10 * DAY) })] });
      },
    },
    {
      name: 'expired-crl-of-a-ca-not-on-the-path',
      evidence: async () => {
        const m = await mesh();
        const other = await intermediate(m.root, 'Other CA');
        return evidenceWith({ chain: [m.leaf, m.inter], trust: [m.root], ca: [other], crls: [await crlPem(other, { thisUpdate: t(-20 * DAY), nextUpdate: t(-10 * DAY) })] });
      },
    },
  ],
  invalid: [
    {
      name: 'intermediate-crl-expired-an-hour-ago',
      evidence: async () => { const m = await mesh(); return evidenceWith({ chain: [m.leaf, m.inter], trust: [m.root], crls: [await crlPem(m.inter, { thisUpdate: t(-7 * DAY), nextUpdate: t(-HOUR) })] }); },
      errors: [{ messageId: 'expired', severity: 'error', subject: 'local', explanation: /^The CRL ca-crl\.pem for "Mesh Intermediate CA" expired 1h ago \(nextUpdate 2026-11-29T02:00:00Z\)\. .*"CRL has expired"/ }],
    },
    {
      name: 'root-crl-expired',
      evidence: async () => {
        const m = await mesh();
        return evidenceWith({ chain: [m.leaf, m.inter], trust: [m.root], crls: [await crlPem(m.inter), await crlPem(m.root, { thisUpdate: t(-40 * DAY), nextUpdate: t(-9 * DAY) })] });
      },
      errors: [{ messageId: 'expired', explanation: /^The CRL ca-crl-2\.pem for "Mesh Root CA" expired 9d ago/ }],
    },
    {
      name: 'crl-dated-in-the-future',
      evidence: async () => { const m = await mesh(); return evidenceWith({ chain: [m.leaf, m.inter], trust: [m.root], crls: [await crlPem(m.inter, { thisUpdate: t(2 * HOUR), nextUpdate: t(7 * DAY) })] }); },
      errors: [{ messageId: 'notYetValid', explanation: /is not valid until 2026-11-29T05:00:00Z \(2h from now\)\. .*"CRL is not yet valid"/ }],
    },
  ],
});
