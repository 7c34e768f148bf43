import rule from '../../../rules/chain/key-mismatch.js';
import { testRule } from '../../support/rule-tester.js';
import { evidenceFor, leaf, mesh, root } from '../../support/pki.js';
import type { Issued } from '../../support/pki.js';

// RSA keys are slow to generate: one per file.
let rsa: Promise<Issued> | undefined;
const rsaKeyHolder = () => (rsa ??= root('RSA Key Holder', { keyAlg: 'rsa-2048' }));

testRule(rule, {
  valid: [
    { name: 'key-matches-leaf', evidence: async () => { const m = await mesh(); return evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root], key: m.leaf }); } },
    {
      name: 'key-matches-leaf-in-out-of-order-chain',
      evidence: async () => { const m = await mesh(); return evidenceFor({ chain: [m.inter, m.leaf], trust: [m.root], key: m.leaf }); },
    },
    {
      name: 'key-matches-leaf-in-chain-with-root-and-duplicates',
      evidence: async () => { const m = await mesh(); return evidenceFor({ chain: [m.root, m.leaf, m.inter, m.inter], trust: [m.root], key: m.leaf }); },
    },
  ],
  invalid: [
    {
      name: 'key-from-previous-rotation',
      evidence: async () => {
        const m = await mesh();
        const rotated = await leaf(m.inter); // same identity, fresh key pair
        return evidenceFor({ chain: [rotated, m.inter], trust: [m.root], key: m.leaf });
      },
      errors: [{ messageId: 'mismatch', severity: 'critical', subject: 'local', explanation: /key\.pem \(ec\)/ }],
    },
    {
      name: 'key-of-the-intermediate-given',
      evidence: async () => { const m = await mesh(); return evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root], key: m.inter }); },
      errors: [{ messageId: 'mismatch', explanation: /is not the key of the leaf "spiffe:\/\/cluster\.local\/ns\/demo\/sa\/web"/ }],
    },
    {
      name: 'rsa-key-for-ec-certificate',
      evidence: async () => { const m = await mesh(); return evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root], key: await rsaKeyHolder() }); },
      errors: [{ messageId: 'mismatch', explanation: /key\.pem \(rsa\)/ }],
    },
  ],
});
