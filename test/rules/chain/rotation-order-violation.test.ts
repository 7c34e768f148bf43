import rule from '../../../rules/chain/rotation-order-violation.js';
import { testRule } from '../../support/rule-tester.js';
import { DAY, YEAR, evidenceFor, intermediate, leaf, mesh, root, t } from '../../support/pki.js';

/** A CA rotation: the old mesh, and a new root with its own intermediate and leaf. */
async function rotation() {
  const old = await mesh();
  const newRoot = await root('Mesh Root CA 2026');
  const newInter = await intermediate(newRoot, 'Mesh Intermediate CA 2026');
  const newLeaf = await leaf(newInter);
  return { oldRoot: old.root, oldInter: old.inter, oldLeaf: old.leaf, newRoot, newInter, newLeaf };
}

testRule(rule, {
  valid: [
    {
      name: 'both-bundles-hold-both-roots-before-switch',
      evidence: async () => { const r = await rotation(); return evidenceFor({ chain: [r.newLeaf, r.newInter], trust: [r.oldRoot, r.newRoot], peerTrust: [r.oldRoot, r.newRoot] }); },
    },
    {
      name: 'still-issuing-from-old-root',
      evidence: async () => { const r = await rotation(); return evidenceFor({ chain: [r.oldLeaf, r.oldInter], trust: [r.oldRoot, r.newRoot], peerTrust: [r.oldRoot] }); },
    },
    {
      name: 'peer-trusts-reissued-new-root-same-key',
      evidence: async () => {
        const r = await rotation();
        const reissued = await root('Mesh Root CA 2026', { keys: r.newRoot.keys, notBefore: t(-DAY), notAfter: t(20 * YEAR) });
        return evidenceFor({ chain: [r.newLeaf, r.newInter], trust: [r.oldRoot, r.newRoot], peerTrust: [r.oldRoot, reissued] });
      },
    },
    {
      // No root in common: not a rotation but two unrelated meshes (chain/unknown-authority reports it).
      name: 'no-shared-root-is-not-a-rotation',
      evidence: async () => { const r = await rotation(); return evidenceFor({ chain: [r.newLeaf, r.newInter], trust: [r.newRoot], peerTrust: [r.oldRoot] }); },
    },
    {
      name: 'chain-not-anchored-in-our-own-bundle',
      evidence: async () => { const r = await rotation(); return evidenceFor({ chain: [r.newLeaf, r.newInter], trust: [r.oldRoot], peerTrust: [r.oldRoot] }); },
    },
  ],
  invalid: [
    {
      // Step 5 before step 4 finished: the peer dropped the old root while our leaf still chains to it.
      name: 'old-root-removed-from-peer-before-our-leaf-rotated',
      evidence: async () => {
        const r = await rotation();
        const newer = await root('Mesh Root CA 2026', { notBefore: t(-DAY), notAfter: t(20 * YEAR) });
        return evidenceFor({ chain: [r.oldLeaf, r.oldInter], trust: [r.oldRoot, newer], peerTrust: [newer] });
      },
      errors: [{ messageId: 'removedEarly', severity: 'critical', subject: 'local', explanation: /^Our chain ends at root "Mesh Root CA" .*share only the newer root "Mesh Root CA 2026".*old root was removed from the peer's trust bundle before every leaf under it was re-issued/ }],
    },
    {
      name: 'new-root-issuing-before-peers-trust-it',
      evidence: async () => { const r = await rotation(); return evidenceFor({ chain: [r.newLeaf, r.newInter], trust: [r.oldRoot, r.newRoot], peerTrust: [r.oldRoot] }); },
      errors: [{ messageId: 'violation', severity: 'critical', subject: 'local', explanation: /^Our chain ends at root "Mesh Root CA 2026" .* still share "Mesh Root CA" \(serial [0-9a-f]+, peer-trust\.pem #1\)/ }],
    },
    {
      name: 'new-root-included-in-chain-before-peers-trust-it',
      evidence: async () => { const r = await rotation(); return evidenceFor({ chain: [r.newLeaf, r.newInter, r.newRoot], trust: [r.newRoot, r.oldRoot], peerTrust: [r.oldRoot] }); },
      errors: [{ messageId: 'violation', explanation: /ends at root "Mesh Root CA 2026"/ }],
    },
    {
      // A reinstall or a self-signed re-root often keeps the root's name: only the key tells them apart.
      name: 'new-root-same-name-as-old-root',
      evidence: async () => {
        const old = await mesh();
        const newRoot = await root('Mesh Root CA');
        const newInter = await intermediate(newRoot);
        const newLeaf = await leaf(newInter);
        return evidenceFor({ chain: [newLeaf, newInter], trust: [old.root, newRoot], peerTrust: [old.root] });
      },
      errors: [{ messageId: 'violation', explanation: /^Our chain ends at root "Mesh Root CA" \(serial [0-9a-f]+, trust\.pem #2\)/ }],
    },
    {
      name: 'shared-old-root-reissued-same-key-on-peer-side',
      evidence: async () => {
        const r = await rotation();
        const oldReissued = await root('Mesh Root CA', { keys: r.oldRoot.keys, notBefore: t(-DAY), notAfter: t(20 * YEAR) });
        return evidenceFor({ chain: [r.newLeaf, r.newInter], trust: [r.oldRoot, r.newRoot], peerTrust: [oldReissued] });
      },
      errors: [{ messageId: 'violation', explanation: /still share "Mesh Root CA"/ }],
    },
  ],
});
