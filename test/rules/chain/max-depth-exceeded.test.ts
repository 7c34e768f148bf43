import 'reflect-metadata';
import rule from '../../../rules/chain/max-depth-exceeded.js';
import { testRule } from '../../support/rule-tester.js';
import { intermediate, leaf, mesh, root } from '../../support/pki.js';
import { evidenceWith } from '../../support/crl.js';

/** root → n intermediates → leaf. */
async function deep(n: number) {
  const r = await root();
  let issuer = r;
  const inters = [];
  for (let i = 0; i < n; i++) {
    issuer = await intermediate(issuer, `Intermediate ${i + 1}`);
    inters.unshift(issuer);
  }
  return { root: r, inters, leaf: await leaf(issuer) };
}

testRule(rule, {
  valid: [
    { name: 'leaf-directly-under-the-root-at-depth-0', evidence: async () => { const d = await deep(0); return evidenceWith({ chain: [d.leaf], trust: [d.root], maxChainDepth: 0 }); } },
    { name: 'one-intermediate-at-depth-1', evidence: async () => { const m = await mesh(); return evidenceWith({ chain: [m.leaf, m.inter], trust: [m.root], maxChainDepth: 1 }); } },
    { name: 'root-sent-in-the-chain-does-not-count', evidence: async () => { const m = await mesh(); return evidenceWith({ chain: [m.leaf, m.inter, m.root], trust: [m.root], maxChainDepth: 1 }); } },
    {
      // The trust anchor is the intermediate itself (trusted directly): nothing between leaf and anchor.
      name: 'intermediate-as-trust-anchor-at-depth-0',
      evidence: async () => { const m = await mesh(); return evidenceWith({ chain: [m.leaf], trust: [m.inter], maxChainDepth: 0 }); },
    },
  ],
  invalid: [
    {
      name: 'one-intermediate-at-depth-0',
      evidence: async () => { const m = await mesh(); return evidenceWith({ chain: [m.leaf, m.inter], trust: [m.root], maxChainDepth: 0 }); },
      errors: [{ messageId: 'exceeded', severity: 'critical', subject: 'local', explanation: /^The chain has 1 intermediate CA\(s\) between the leaf and the trust anchor \("Mesh Intermediate CA"\), but the verifier accepts at most 0 \(--max-depth 0, Envoy max_verify_depth 1\)\. .*"certificate chain too long"/ }],
    },
    {
      name: 'three-intermediates-at-depth-2',
      evidence: async () => { const d = await deep(3); return evidenceWith({ chain: [d.leaf, ...d.inters], trust: [d.root], maxChainDepth: 2 }); },
      errors: [{ messageId: 'exceeded', explanation: /has 3 intermediate CA\(s\) .*\("Intermediate 3", "Intermediate 2", "Intermediate 1"\), but the verifier accepts at most 2/ }],
    },
    {
      // A CA re-keyed under its own name (self-issued): RFC 5280 does not count it, OpenSSL/BoringSSL do.
      name: 'self-issued-intermediate-is-a-warning',
      evidence: async () => {
        const r = await root();
        const oldCa = await intermediate(r, 'Mesh Intermediate CA');
        const newKeyUnderOld = await intermediate(oldCa, 'Mesh Intermediate CA');
        const l = await leaf(newKeyUnderOld);
        return evidenceWith({ chain: [l, newKeyUnderOld, oldCa], trust: [r], maxChainDepth: 1 });
      },
      errors: [{ messageId: 'selfIssued', severity: 'warning', explanation: /has 2 intermediate CA certificates .*1 of them self-issued.*by that count the chain fits --max-depth 1; OpenSSL and BoringSSL \(Envoy\) count every certificate/ }],
    },
  ],
});
