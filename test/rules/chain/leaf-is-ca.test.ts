import rule from '../../../rules/chain/leaf-is-ca.js';
import { testRule } from '../../support/rule-tester.js';
import { evidenceFor, mesh } from '../../support/pki.js';

testRule(rule, {
  valid: [{ name: 'workload leaf with CA:FALSE', evidence: async () => { const m = await mesh(); return evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root] }); } }],
  invalid: [
    {
      name: 'leaf-ca-true: the intermediate mounted as the workload certificate',
      evidence: async () => { const m = await mesh({ leaf: { ca: true, keyUsage: ['keyCertSign', 'digitalSignature'] } }); return evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root] }); },
      errors: [{ messageId: 'caLeaf', severity: 'warning' }],
    },
    {
      name: 'leaf-keycertsign-without-ca',
      evidence: async () => { const m = await mesh({ leaf: { keyUsage: ['digitalSignature', 'keyCertSign'] } }); return evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root] }); },
      errors: [{ messageId: 'certSignWithoutCa', severity: 'error' }],
    },
  ],
});
