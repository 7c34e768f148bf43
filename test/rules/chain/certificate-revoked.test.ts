import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import rule from '../../../rules/chain/certificate-revoked.js';
import { testRule } from '../../support/rule-tester.js';
import { DAY, intermediate, mesh, root, t } from '../../support/pki.js';
import { crlPem, evidenceWith, serialOf } from '../../support/crl.js';

testRule(rule, {
  valid: [
    {
      name: 'leaf-not-on-the-crl',
      evidence: async () => {
        const m = await mesh();
        return evidenceWith({ chain: [m.leaf, m.inter], trust: [m.root], crls: [await crlPem(m.inter, { entries: [{ serial: '0bad' }] })] });
      },
    },
    {
      // A CRL that names the issuer but is not signed by its key must not revoke anything.
      name: 'crl-naming-the-issuer-but-signed-by-another-key',
      evidence: async () => {
        const m = await mesh();
        const impostor = await intermediate(m.root, 'Impostor CA');
        return evidenceWith({ chain: [m.leaf, m.inter], trust: [m.root], crls: [await crlPem(m.inter, { signer: impostor, entries: [{ serial: serialOf(m.leaf) }] })] });
      },
    },
    {
      // The same serial on another CA's CRL says nothing about this certificate.
      name: 'same-serial-on-another-issuers-crl',
      evidence: async () => {
        const m = await mesh();
        const other = await root('Other Root CA');
        return evidenceWith({ chain: [m.leaf, m.inter], trust: [m.root, other], crls: [await crlPem(m.inter), await crlPem(other, { entries: [{ serial: serialOf(m.leaf) }] })] });
      },
    },
    {
      // CRLs are cumulative: the newest current CRL no longer lists it (a certificateHold released).
      name: 'hold-released-in-the-newer-crl',
      evidence: async () => {
        const m = await mesh();
        const old = await crlPem(m.inter, { entries: [{ serial: serialOf(m.leaf), reason: x509.X509CrlReason.certificateHold }], thisUpdate: t(-3 * DAY), crlNumber: 1 });
        return evidenceWith({ chain: [m.leaf, m.inter], trust: [m.root], crls: [old, await crlPem(m.inter, { thisUpdate: t(-DAY), crlNumber: 2 })] });
      },
    },
  ],
  invalid: [
    {
      name: 'leaf-revoked-by-its-intermediate',
      evidence: async () => {
        const m = await mesh();
        return evidenceWith({ chain: [m.leaf, m.inter], trust: [m.root], crls: [await crlPem(m.inter, { entries: [{ serial: serialOf(m.leaf), reason: x509.X509CrlReason.keyCompromise }] })] });
      },
      errors: [{ messageId: 'revoked', severity: 'critical', subject: 'local', explanation: /^"spiffe:\/\/cluster\.local\/ns\/demo\/sa\/web" \(serial [0-9a-f]+, chain\.pem #1\) is revoked: the CRL ca-crl\.pem signed by its issuer "Mesh Intermediate CA" lists serial [0-9a-f]+ \(revoked 2026-11-27T03:00:00Z, reason keyCompromise\)\. .*"certificate revoked"/ }],
    },
    {
      name: 'intermediate-revoked-by-the-root',
      evidence: async () => {
        const m = await mesh();
        return evidenceWith({ chain: [m.leaf, m.inter], trust: [m.root], crls: [await crlPem(m.inter), await crlPem(m.root, { entries: [{ serial: serialOf(m.inter) }] })] });
      },
      errors: [{ messageId: 'revoked', explanation: /^"Mesh Intermediate CA" .* is revoked: the CRL ca-crl-2\.pem signed by its issuer "Mesh Root CA"/ }],
    },
    {
      name: 'revoked-on-an-expired-crl-is-still-revoked',
      evidence: async () => {
        const m = await mesh();
        return evidenceWith({ chain: [m.leaf, m.inter], trust: [m.root], crls: [await crlPem(m.inter, { entries: [{ serial: serialOf(m.leaf) }], thisUpdate: t(-10 * DAY), nextUpdate: t(-2 * DAY) })] });
      },
      errors: [{ messageId: 'revoked' }],
    },
    {
      name: 'rsa-ca-crl',
      evidence: async () => {
        const r = await root('RSA Root', { keyAlg: 'rsa-2048' });
        const m = await mesh({ inter: { issuer: r } });
        return evidenceWith({ chain: [m.leaf, m.inter], trust: [r], crls: [await crlPem(r, { entries: [{ serial: serialOf(m.inter) }] })] });
      },
      errors: [{ messageId: 'revoked' }],
    },
  ],
});
