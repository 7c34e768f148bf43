import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import rule from '../../../rules/chain/crl-unusable.js';
import { testRule } from '../../support/rule-tester.js';
import { intermediate, leaf, mesh, root } from '../../support/pki.js';
import { crlPem, evidenceWith, serialOf } from '../../support/crl.js';

testRule(rule, {
  valid: [
    { name: 'crl-signed-by-the-issuer', evidence: async () => { const m = await mesh(); return evidenceWith({ chain: [m.leaf, m.inter], trust: [m.root], crls: [await crlPem(m.inter)] }); } },
    {
      // RFC 5280 §6.3.3 (f): cRLSign is checked only when the issuer has a keyUsage extension.
      name: 'issuer-without-key-usage-extension',
      evidence: async () => {
        const r = await root('Root Without KU', { keyUsage: [] });
        const l = await leaf(r);
        return evidenceWith({ chain: [l], trust: [r], crls: [await crlPem(r)] });
      },
    },
    {
      // A critical issuingDistributionPoint is processed by verifiers.
      name: 'critical-issuing-distribution-point',
      evidence: async () => {
        const m = await mesh();
        const idp = new x509.Extension('2.5.29.28', true, new Uint8Array([0x30, 0x03, 0x81, 0x01, 0xff]));
        return evidenceWith({ chain: [m.leaf, m.inter], trust: [m.root], crls: [await crlPem(m.inter, { extensions: [idp] })] });
      },
    },
    {
      // A bad CRL beside a good one for the same CA: verifiers use the good one.
      name: 'foreign-crl-beside-the-issuers-own',
      evidence: async () => {
        const m = await mesh();
        const other = await intermediate(m.root, 'Other CA');
        return evidenceWith({ chain: [m.leaf, m.inter], trust: [m.root], crls: [await crlPem(m.inter, { signer: other }), await crlPem(m.inter)] });
      },
    },
    { name: 'no-crl-for-this-ca', evidence: async () => { const m = await mesh(); const o = await root('Other Root'); return evidenceWith({ chain: [m.leaf, m.inter], trust: [m.root], crls: [await crlPem(o)] }); } },
  ],
  invalid: [
    {
      name: 'crl-not-signed-by-the-issuer',
      evidence: async () => {
        const m = await mesh();
        const other = await intermediate(m.root, 'Other CA');
        return evidenceWith({ chain: [m.leaf, m.inter], trust: [m.root], crls: [await crlPem(m.inter, { signer: other, entries: [{ serial: serialOf(m.leaf) }] })] });
      },
      errors: [{ messageId: 'unusable', severity: 'critical', subject: 'local', explanation: /^The CRL for "Mesh Intermediate CA" \(ca-crl\.pem\) cannot be used: its signature does not verify with the key of "Mesh Intermediate CA" \(CRL signature failure\)\. .*rejects every certificate/ }],
    },
    {
      name: 'critical-crl-number',
      evidence: async () => { const m = await mesh(); return evidenceWith({ chain: [m.leaf, m.inter], trust: [m.root], crls: [await crlPem(m.inter, { crlNumberCritical: true })] }); },
      errors: [{ messageId: 'unusable', explanation: /critical extension\(s\) 2\.5\.29\.20 that verifiers do not process \(unhandled critical CRL extension\)/ }],
    },
    {
      name: 'issuer-key-usage-without-crl-sign',
      evidence: async () => {
        const r = await root('Root No CRLSign', { keyUsage: ['keyCertSign'] });
        const l = await leaf(r);
        return evidenceWith({ chain: [l], trust: [r], crls: [await crlPem(r)] });
      },
      errors: [{ messageId: 'unusable', explanation: /its issuer "Root No CRLSign" has a keyUsage without cRLSign/ }],
    },
  ],
});
