import rule from '../../../rules/chain/issuer-not-ca.js';
import { testRule } from '../../support/rule-tester.js';
import { DAY, HOUR, TD, evidenceFor, intermediate, leaf, mesh, root, t, version1 } from '../../support/pki.js';
import { issue } from '../../../src/x509/issue.js';

testRule(rule, {
  valid: [
    { name: 'healthy-chain-all-issuers-ca', evidence: async () => { const m = await mesh(); return evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root] }); } },
    {
      name: 'v1-root-trust-anchor-without-extensions',
      evidence: async () => {
        const r = await version1(await root());
        const i = await intermediate(r);
        const l = await leaf(i);
        return evidenceFor({ chain: [l, i], trust: [r] });
      },
    },
    {
      name: 'v1-root-included-in-chain',
      evidence: async () => {
        const r = await version1(await root());
        const i = await intermediate(r);
        const l = await leaf(i);
        return evidenceFor({ chain: [l, i, r], trust: [r] });
      },
    },
    {
      // OpenSSL accepts a trust anchor without basicConstraints whose keyUsage asserts keyCertSign
      // (X509_check_ca → 4); BoringSSL (Envoy) and Go do not check the anchor's CA flag at all.
      name: 'v3-root-without-basic-constraints-but-key-cert-sign',
      evidence: async () => {
        const r = await root('Mesh Root CA', { noBasicConstraints: true, keyUsage: ['keyCertSign', 'cRLSign'] });
        const i = await intermediate(r);
        const l = await leaf(i);
        return evidenceFor({ chain: [l, i], trust: [r] });
      },
    },
  ],
  invalid: [
    {
      name: 'leaf-used-as-issuer-ca-false',
      evidence: async () => {
        const m = await mesh();
        const serving = await issue({ subject: `O=${TD}, CN=web-serving`, notBefore: t(-DAY), notAfter: t(30 * DAY), issuer: m.inter, ca: false, eku: ['serverAuth'] });
        const l = await leaf(serving, { notBefore: t(-HOUR) });
        return evidenceFor({ chain: [l, serving, m.inter], trust: [m.root] });
      },
      errors: [{ messageId: 'notCa', severity: 'critical', subject: 'local', explanation: /^"web-serving" .* \(basicConstraints cA=FALSE\)/ }],
    },
    {
      name: 'intermediate-without-basic-constraints',
      evidence: async () => {
        const r = await root();
        const i = await intermediate(r, 'Mesh Intermediate CA', { noBasicConstraints: true, keyUsage: ['keyCertSign', 'cRLSign'] });
        const l = await leaf(i);
        return evidenceFor({ chain: [l, i], trust: [r] });
      },
      errors: [{ messageId: 'notCa', explanation: /^"Mesh Intermediate CA" .* \(no basicConstraints extension\)/ }],
    },
    {
      // The version 1 exemption is for self-signed roots only: a v1 intermediate is not a CA to any verifier.
      name: 'v1-intermediate-not-exempt',
      evidence: async () => {
        const r = await root();
        const i = await version1(await intermediate(r), r);
        const l = await leaf(i);
        return evidenceFor({ chain: [l, i], trust: [r] });
      },
      errors: [{ messageId: 'notCa', explanation: /^"Mesh Intermediate CA" .* \(no basicConstraints extension\)/ }],
    },
    {
      name: 'v3-root-without-basic-constraints-or-key-usage',
      evidence: async () => {
        const r = await root('Mesh Root CA', { noBasicConstraints: true, keyUsage: [] });
        const i = await intermediate(r);
        const l = await leaf(i);
        return evidenceFor({ chain: [l, i], trust: [r] });
      },
      errors: [{ messageId: 'notCa', explanation: /^"Mesh Root CA" .* \(no basicConstraints extension\)/ }],
    },
    {
      name: 'root-with-ca-false',
      evidence: async () => {
        const r = await root('Mesh Root CA', { ca: false, keyUsage: ['keyCertSign', 'cRLSign'] });
        const i = await intermediate(r);
        const l = await leaf(i);
        return evidenceFor({ chain: [l, i], trust: [r] });
      },
      errors: [{ messageId: 'notCa', explanation: /^"Mesh Root CA" .* \(basicConstraints cA=FALSE\)/ }],
    },
  ],
});
