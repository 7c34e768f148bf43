import rule from '../../../rules/policy/root-configmap-stale.js';
import { testRule } from '../../support/rule-tester.js';
import { evidenceWithCluster } from '../../support/cluster-evidence.js';
import { evidenceWithProxy } from '../../support/fake-envoy-admin.js';
import { mesh, root } from '../../support/pki.js';

testRule(rule, {
  valid: [
    {
      name: 'the ConfigMap and ROOTCA hold the same root',
      evidence: async () => {
        const m = await mesh();
        return evidenceWithCluster({ rootConfigMap: [m.root.pem] }, await evidenceWithProxy({ chain: [m.leaf, m.inter], roots: [m.root] }));
      },
    },
  ],
  invalid: [
    {
      name: 'mid-rotation: the ConfigMap already carries both roots, the proxy only the old one',
      evidence: async () => {
        const m = await mesh();
        const next = await root('Mesh Root CA 2027');
        return evidenceWithCluster({ rootConfigMap: [m.root.pem + next.pem] }, await evidenceWithProxy({ chain: [m.leaf, m.inter], roots: [m.root] }));
      },
      errors: [{ messageId: 'differs', severity: 'warning', explanation: /still share a root/ }],
    },
    {
      name: 'a stale root ConfigMap: no root in common',
      evidence: async () => {
        const m = await mesh();
        const next = await root('Mesh Root CA 2027');
        return evidenceWithCluster({ rootConfigMap: [next.pem] }, await evidenceWithProxy({ chain: [m.leaf, m.inter], roots: [m.root] }));
      },
      errors: [{ messageId: 'differs', severity: 'error', explanation: /no root is common/ }],
    },
  ],
});
