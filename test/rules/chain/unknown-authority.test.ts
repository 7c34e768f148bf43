import rule from '../../../rules/chain/unknown-authority.js';
import rotationOrder from '../../../rules/chain/rotation-order-violation.js';
import { testRule } from '../../support/rule-tester.js';
import { DAY, YEAR, evidenceFor, intermediate, leaf, mesh, root, t } from '../../support/pki.js';

/** Another mesh's PKI: a different root (own name, own key), intermediate and leaf. */
async function otherMesh() {
  const r = await root('Other Mesh Root CA');
  const i = await intermediate(r, 'Other Intermediate CA');
  const l = await leaf(i);
  return { root: r, inter: i, leaf: l };
}

testRule(rule, {
  valid: [
    { name: 'chain-in-order', evidence: async () => { const m = await mesh(); return evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root] }); } },
    { name: 'chain-out-of-order', evidence: async () => { const m = await mesh(); return evidenceFor({ chain: [m.inter, m.leaf], trust: [m.root] }); } },
    { name: 'chain-with-duplicate-intermediate', evidence: async () => { const m = await mesh(); return evidenceFor({ chain: [m.leaf, m.inter, m.inter], trust: [m.root] }); } },
    { name: 'chain-with-root-included', evidence: async () => { const m = await mesh(); return evidenceFor({ chain: [m.leaf, m.inter, m.root], trust: [m.root] }); } },
    {
      name: 'chain-shuffled-with-duplicates-and-root',
      evidence: async () => { const m = await mesh(); return evidenceFor({ chain: [m.root, m.inter, m.leaf, m.inter, m.root], trust: [m.root] }); },
    },
    {
      name: 'root-reissued-same-key-new-dates-in-trust',
      evidence: async () => {
        const m = await mesh();
        const reissued = await root('Mesh Root CA', { keys: m.root.keys, notBefore: t(-DAY), notAfter: t(20 * YEAR) });
        return evidenceFor({ chain: [m.leaf, m.inter], trust: [reissued] });
      },
    },
    {
      name: 'chain-includes-old-root-trust-holds-reissued-same-key',
      evidence: async () => {
        const m = await mesh();
        const reissued = await root('Mesh Root CA', { keys: m.root.keys, notBefore: t(-DAY), notAfter: t(20 * YEAR) });
        return evidenceFor({ chain: [m.leaf, m.inter, m.root], trust: [reissued] });
      },
    },
    {
      name: 'multi-root-trust-bundle-old-and-new',
      evidence: async () => { const m = await mesh(); const o = await otherMesh(); return evidenceFor({ chain: [m.leaf, m.inter], trust: [o.root, m.root] }); },
    },
    {
      name: 'leaf-only-chain-intermediate-in-trust-bundle',
      evidence: async () => { const m = await mesh(); return evidenceFor({ chain: [m.leaf], trust: [m.inter, m.root] }); },
    },
    {
      // The path can be built with --ca: chain/incomplete-chain reports the missing intermediate instead.
      name: 'leaf-only-chain-intermediate-from-ca-left-to-incomplete-chain',
      evidence: async () => { const m = await mesh(); return evidenceFor({ chain: [m.leaf], trust: [m.root], ca: [m.inter] }); },
    },
    {
      name: 'separate-peer-trust-holds-our-root',
      evidence: async () => { const m = await mesh(); const o = await otherMesh(); return evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root], peerTrust: [o.root, m.root] }); },
    },
  ],
  invalid: [
    {
      name: 'chain-from-another-mesh-root-included',
      evidence: async () => { const m = await mesh(); const o = await otherMesh(); return evidenceFor({ chain: [o.leaf, o.inter, o.root], trust: [m.root] }); },
      errors: [{ messageId: 'untrustedRoot', severity: 'critical', subject: 'local', causedBy: null, explanation: /^Our chain ends at root "Other Mesh Root CA" .* \(trust\.pem: "Mesh Root CA"\)/ }],
    },
    {
      name: 'chain-from-unknown-ca-root-not-presented',
      evidence: async () => { const m = await mesh(); const o = await otherMesh(); return evidenceFor({ chain: [o.leaf, o.inter], trust: [m.root] }); },
      errors: [{ messageId: 'missingIssuer', explanation: /^Our chain stops at "Other Intermediate CA" .*, whose issuer "O=cluster\.local, CN=Other Mesh Root CA" is neither presented/ }],
    },
    {
      name: 'leaf-only-chain-nothing-supplies-intermediate',
      evidence: async () => { const m = await mesh(); return evidenceFor({ chain: [m.leaf], trust: [m.root] }); },
      errors: [{ messageId: 'missingIssuer', explanation: /^Our chain stops at "spiffe:\/\/cluster\.local\/ns\/demo\/sa\/web" .*, whose issuer "O=cluster\.local, CN=Mesh Intermediate CA"/ }],
    },
    {
      // istio/istio#36723: istio-ca-secret deleted and re-created; old workloads still hold the old chain.
      name: 'root-recreated-same-name-new-key',
      evidence: async () => {
        const m = await mesh();
        const recreated = await root('Mesh Root CA');
        return evidenceFor({ chain: [m.leaf, m.inter], trust: [recreated] });
      },
      errors: [{ messageId: 'recreatedCa', explanation: /^Our chain leads to "O=cluster\.local, CN=Mesh Root CA", and the verifying side's trust bundle \(trust\.pem\) does hold a CA of that name, "Mesh Root CA" .*with a different key \(key id [0-9a-f]{16}… expected by the chain, [0-9a-f]{16}… in the bundle\)/ }],
    },
    {
      name: 'root-recreated-chain-includes-old-root',
      evidence: async () => {
        const m = await mesh();
        const recreated = await root('Mesh Root CA');
        return evidenceFor({ chain: [m.leaf, m.inter, m.root], trust: [recreated] });
      },
      errors: [{ messageId: 'recreatedCa', explanation: /^Our chain leads to "Mesh Root CA", and .* does hold a CA of that name, "Mesh Root CA" \(serial [0-9a-f]+, trust\.pem #1\), but with a different key/ }],
    },
    {
      name: 'peer-trusts-a-different-root-multicluster',
      evidence: async () => { const m = await mesh(); const o = await otherMesh(); return evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root], peerTrust: [o.root] }); },
      errors: [{ messageId: 'untrustedRoot', explanation: /\(peer-trust\.pem: "Other Mesh Root CA"\)/ }],
    },
    {
      name: 'new-root-before-peers-trust-it-without-rotation-rule',
      evidence: async () => { const m = await mesh(); const o = await otherMesh(); return evidenceFor({ chain: [o.leaf, o.inter], trust: [m.root, o.root], peerTrust: [m.root] }); },
      errors: [{ messageId: 'untrustedRoot', causedBy: null }],
    },
    {
      name: 'new-root-before-peers-trust-it-caused-by-rotation-order',
      with: [rotationOrder],
      evidence: async () => { const m = await mesh(); const o = await otherMesh(); return evidenceFor({ chain: [o.leaf, o.inter], trust: [m.root, o.root], peerTrust: [m.root] }); },
      errors: [{ messageId: 'untrustedRoot', causedBy: 'chain/rotation-order-violation', explanation: /ends at root "Other Mesh Root CA"/ }],
    },
  ],
});
