import rule from '../../../rules/key-usage/missing-digital-signature.js';
import { testRule } from '../../support/rule-tester.js';
import { evidenceFor, leaf, mesh, root, type Issued } from '../../support/pki.js';
import type { IssueSpec } from '../../../src/x509/issue.js';

// RSA keys are slow to generate: one per file, reused through `keys`.
let rsa: Promise<Issued> | undefined;
const rsaKeys = async (): Promise<Partial<IssueSpec>> => { const h = await (rsa ??= root('RSA-2048 Key', { keyAlg: 'rsa-2048' })); return { keys: h.keys, keyAlg: h.keyAlg }; };

const leafWith = (o: () => Promise<Partial<IssueSpec>>) => async () => {
  const m = await mesh();
  const l = await leaf(m.inter, await o());
  return evidenceFor({ chain: [l, m.inter], trust: [m.root] });
};

testRule(rule, {
  valid: [
    // The CAs above carry keyCertSign + cRLSign only: the rule is about the leaf.
    { name: 'ec-leaf-digital-signature-and-key-encipherment', evidence: leafWith(async () => ({})) },
    { name: 'ec-leaf-digital-signature-only', evidence: leafWith(async () => ({ keyUsage: ['digitalSignature'] })) },
    { name: 'key-usage-extension-absent', evidence: leafWith(async () => ({ keyUsage: [] })) },
    { name: 'rsa-leaf-digital-signature-and-key-encipherment', evidence: leafWith(async () => ({ ...(await rsaKeys()), keyUsage: ['digitalSignature', 'keyEncipherment'] })) },
  ],
  invalid: [
    {
      name: 'ec-leaf-key-encipherment-only',
      evidence: leafWith(async () => ({ keyUsage: ['keyEncipherment'] })),
      errors: [{ messageId: 'missing', severity: 'critical', subject: 'local', explanation: /^Our leaf .* has keyUsage keyEncipherment without digitalSignature\. .*was_key_usage_invalid\)\.$/ }],
    },
    {
      name: 'ec-leaf-key-agreement-only',
      evidence: leafWith(async () => ({ keyUsage: ['keyAgreement'] })),
      errors: [{ messageId: 'missing', severity: 'critical', explanation: /has keyUsage keyAgreement without digitalSignature/ }],
    },
    {
      name: 'rsa-leaf-key-encipherment-only',
      evidence: leafWith(async () => ({ ...(await rsaKeys()), keyUsage: ['keyEncipherment'] })),
      errors: [{ messageId: 'missing', severity: 'error', explanation: /has keyUsage keyEncipherment without digitalSignature\. .*; only TLS 1\.2 with RSA key exchange could still work\.$/ }],
    },
  ],
});
