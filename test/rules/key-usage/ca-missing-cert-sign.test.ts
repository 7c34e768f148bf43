import rule from '../../../rules/key-usage/ca-missing-cert-sign.js';
import { testRule } from '../../support/rule-tester.js';
import { evidenceFor, intermediate, leaf, mesh, root } from '../../support/pki.js';

testRule(rule, {
  valid: [
    { name: 'cas-with-key-cert-sign-and-crl-sign', evidence: async () => { const m = await mesh(); return evidenceFor({ chain: [m.leaf, m.inter, m.root], trust: [m.root] }); } },
    { name: 'intermediate-without-key-usage-extension', evidence: async () => { const m = await mesh({ inter: { keyUsage: [] } }); return evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root] }); } },
    { name: 'intermediate-key-cert-sign-only', evidence: async () => { const m = await mesh({ inter: { keyUsage: ['keyCertSign'] } }); return evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root] }); } },
    // A leaf never needs keyCertSign (the default leaf has digitalSignature + keyEncipherment only).
    { name: 'leaf-only-chain-anchored-at-intermediate', evidence: async () => { const m = await mesh(); return evidenceFor({ chain: [m.leaf], trust: [m.inter, m.root] }); } },
  ],
  invalid: [
    {
      name: 'intermediate-key-usage-digital-signature-only',
      evidence: async () => { const m = await mesh({ inter: { keyUsage: ['digitalSignature'] } }); return evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root] }); },
      errors: [{ messageId: 'missing', severity: 'critical', subject: 'local', explanation: /^"Mesh Intermediate CA" .* issues "spiffe:\/\/cluster\.local\/ns\/demo\/sa\/web" .*, but its keyUsage \(digitalSignature\) does not include keyCertSign\./ }],
    },
    {
      // The trust anchor's own keyUsage: BoringSSL (Envoy, the default profile) and rustls-webpki never check it.
      name: 'root-key-usage-crl-sign-only: a note under Envoy, which does not check the trust anchor',
      evidence: async () => { const m = await mesh({ root: { keyUsage: ['cRLSign'] } }); return evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root] }); },
      errors: [{ messageId: 'anchor', severity: 'info', explanation: /^"Mesh Root CA" .* is the trust anchor that issues "Mesh Intermediate CA" .*keyUsage \(cRLSign\) does not include keyCertSign\..*Envoy \(BoringSSL\) accepts it \(google\/boringssl crypto\/x509\/x509_vfy\.cc check_chain_extensions\(\)/ }],
    },
    {
      name: 'sub-ca-and-intermediate-both-lack-key-cert-sign',
      evidence: async () => {
        const r = await root();
        const i = await intermediate(r, 'Mesh Intermediate CA', { keyUsage: ['digitalSignature', 'cRLSign'] });
        const sub = await intermediate(i, 'Istio Workload CA', { keyUsage: ['digitalSignature'] });
        const l = await leaf(sub);
        return evidenceFor({ chain: [l, sub, i], trust: [r] });
      },
      errors: [
        { messageId: 'missing', explanation: /^"Istio Workload CA" .*keyUsage \(digitalSignature\)/ },
        { messageId: 'missing', explanation: /^"Mesh Intermediate CA" .*keyUsage \(digitalSignature, cRLSign\)/ },
      ],
    },
  ],
});
