import rule from '../../../rules/policy/strict-plaintext-client.js';
import { testRule } from '../../support/rule-tester.js';
import { dr, evidenceWithCluster, pa, pod } from '../../support/cluster-evidence.js';

const strictMesh = pa('istio-system', 'default', 'STRICT');

testRule(rule, {
  valid: [
    { name: 'a sidecar caller with auto mTLS into STRICT', evidence: () => evidenceWithCluster({ peers: [pod('reviews-1')], pas: [strictMesh] }) },
    { name: 'a plaintext caller into PERMISSIVE (the default)', evidence: () => evidenceWithCluster({ client: pod('legacy-1', { sidecar: false }), peers: [pod('reviews-1')] }) },
    {
      name: 'a workload-level PERMISSIVE under a mesh-wide STRICT accepts the plaintext caller',
      evidence: () => evidenceWithCluster({ client: pod('legacy-1', { sidecar: false }), peers: [pod('reviews-1')], pas: [strictMesh, pa('demo', 'reviews', 'PERMISSIVE', { selector: { app: 'reviews' } })] }),
    },
    {
      name: 'port-level STRICT on another port only',
      evidence: () => evidenceWithCluster({ client: pod('legacy-1', { sidecar: false }), peers: [pod('reviews-1')], pas: [pa('demo', 'reviews', 'PERMISSIVE', { selector: { app: 'reviews' }, ports: { '9443': 'STRICT' } })] }),
    },
    { name: 'DestinationRule DISABLE against a PERMISSIVE server', evidence: () => evidenceWithCluster({ peers: [pod('reviews-1')], drs: [dr('demo', 'reviews', 'reviews', { tls: 'DISABLE' })] }) },
    { name: 'a plaintext caller into a server without a sidecar', evidence: () => evidenceWithCluster({ client: pod('legacy-1', { sidecar: false }), peers: [pod('reviews-1', { sidecar: false })], pas: [strictMesh] }) },
  ],
  invalid: [
    {
      name: 'a caller without a sidecar into a mesh-wide STRICT',
      evidence: () => evidenceWithCluster({ client: pod('legacy-1', { sidecar: false }), peers: [pod('reviews-1'), pod('reviews-2')], pas: [strictMesh] }),
      errors: [{ messageId: 'noSidecar', severity: 'critical', subject: 'pod/reviews-1', explanation: /pod\/reviews-1, pod\/reviews-2.*STRICT from PeerAuthentication istio-system\/default \(mesh\)/ }],
    },
    {
      name: 'DestinationRule DISABLE against STRICT',
      evidence: () => evidenceWithCluster({ peers: [pod('reviews-1')], pas: [pa('demo', 'default', 'STRICT')], drs: [dr('demo', 'reviews-plain', 'reviews.demo.svc.cluster.local', { tls: 'DISABLE' })] }),
      errors: [{ messageId: 'drDisable', explanation: /DestinationRule demo\/reviews-plain/ }],
    },
    {
      name: 'port-level STRICT on the one port the service targets',
      evidence: () => evidenceWithCluster({ client: pod('legacy-1', { sidecar: false }), peers: [pod('reviews-1')], pas: [pa('demo', 'reviews', 'PERMISSIVE', { selector: { app: 'reviews' }, ports: { '9080': 'STRICT' } })] }),
      errors: [{ messageId: 'noSidecar', explanation: /portLevelMtls 9080 of PeerAuthentication demo\/reviews/ }],
    },
    {
      name: 'auto mTLS off and no DestinationRule',
      evidence: () => evidenceWithCluster({ peers: [pod('reviews-1')], pas: [strictMesh], mesh: { enableAutoMtls: false } }),
      errors: [{ messageId: 'autoOff' }],
    },
    {
      name: 'a sidecar pod that lost its tlsMode label gets plaintext from auto mTLS',
      evidence: () => evidenceWithCluster({ peers: [pod('reviews-1', { labels: { app: 'reviews' } })], pas: [strictMesh] }),
      errors: [{ messageId: 'noLabel' }],
    },
  ],
});
