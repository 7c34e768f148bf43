import rule from '../../../rules/chain/incomplete-chain.js';
import { testRule } from '../../support/rule-tester.js';
import { evidenceFor, intermediate, leaf, mesh, root } from '../../support/pki.js';

testRule(rule, {
  valid: [
    { name: 'full-chain-presented', evidence: async () => { const m = await mesh(); return evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root], ca: [m.inter, m.root] }); } },
    { name: 'full-chain-out-of-order-with-root', evidence: async () => { const m = await mesh(); return evidenceFor({ chain: [m.root, m.inter, m.leaf], trust: [m.root], ca: [m.inter] }); } },
    {
      // Istio root-cert.pem holding intermediate + root: the verifier has the intermediate as an anchor.
      name: 'leaf-only-chain-intermediate-in-verifier-trust-bundle',
      evidence: async () => { const m = await mesh(); return evidenceFor({ chain: [m.leaf], trust: [m.inter, m.root], ca: [m.inter] }); },
    },
    {
      // Nothing in the evidence knows the intermediate: chain/unknown-authority (missingIssuer) reports it.
      name: 'leaf-only-chain-without-ca-left-to-unknown-authority',
      evidence: async () => { const m = await mesh(); return evidenceFor({ chain: [m.leaf], trust: [m.root] }); },
    },
    {
      // The intermediate is known, but the path it completes ends at a root the verifier does not trust.
      name: 'ca-supplies-intermediate-but-root-untrusted',
      evidence: async () => {
        const m = await mesh();
        const other = await root('Other Mesh Root CA');
        return evidenceFor({ chain: [m.leaf], trust: [other], ca: [m.inter, m.root] });
      },
    },
  ],
  invalid: [
    {
      name: 'leaf-only-chain-intermediate-in-ca',
      evidence: async () => { const m = await mesh(); return evidenceFor({ chain: [m.leaf], trust: [m.root], ca: [m.inter] }); },
      errors: [{ messageId: 'missing', severity: 'critical', subject: 'local', explanation: /^Our chain presents 1 certificate but not the intermediate "Mesh Intermediate CA" \(serial [0-9a-f]+, ca\.pem #1\), which is needed to reach the trusted root "Mesh Root CA"\. The intermediate is known only from ca\.pem #1;/ }],
    },
    {
      name: 'two-intermediates-upper-one-missing',
      evidence: async () => {
        const r = await root();
        const i1 = await intermediate(r, 'Mesh Intermediate CA');
        const i2 = await intermediate(i1, 'Istio Workload CA');
        const l = await leaf(i2);
        return evidenceFor({ chain: [l, i2], trust: [r], ca: [r, i1, i2] });
      },
      errors: [{ messageId: 'missing', explanation: /presents 2 certificates but not the intermediate "Mesh Intermediate CA" \(serial [0-9a-f]+, ca\.pem #2\), which/ }],
    },
    {
      name: 'leaf-only-chain-with-separate-peer-trust',
      evidence: async () => { const m = await mesh(); return evidenceFor({ chain: [m.leaf], trust: [m.root], peerTrust: [m.root], ca: [m.inter] }); },
      errors: [{ messageId: 'missing', explanation: /^Our chain presents 1 certificate/ }],
    },
  ],
});
