import rule from '../../../rules/policy/tls-to-plaintext-server.js';
import { testRule } from '../../support/rule-tester.js';
import { dr, evidenceWithCluster, pa, pod } from '../../support/cluster-evidence.js';

testRule(rule, {
  valid: [
    { name: 'auto mTLS to a server without a sidecar sends plaintext', evidence: () => evidenceWithCluster({ peers: [pod('reviews-1', { sidecar: false })] }) },
    { name: 'ISTIO_MUTUAL to a sidecar in PERMISSIVE', evidence: () => evidenceWithCluster({ peers: [pod('reviews-1')], drs: [dr('demo', 'reviews', 'reviews', { tls: 'ISTIO_MUTUAL' })] }) },
    { name: 'auto mTLS to a DISABLE server sends plaintext', evidence: () => evidenceWithCluster({ peers: [pod('reviews-1')], pas: [pa('demo', 'default', 'DISABLE')] }) },
    { name: 'SIMPLE TLS to a server without a sidecar (the app terminates TLS itself)', evidence: () => evidenceWithCluster({ peers: [pod('reviews-1', { sidecar: false })], drs: [dr('demo', 'reviews', 'reviews', { tls: 'SIMPLE' })] }) },
  ],
  invalid: [
    {
      name: 'mTLS to a sidecar-less server (DestinationRule ISTIO_MUTUAL)',
      evidence: () => evidenceWithCluster({ peers: [pod('reviews-1', { sidecar: false })], drs: [dr('demo', 'reviews-mtls', 'reviews', { tls: 'ISTIO_MUTUAL' })] }),
      errors: [{ messageId: 'noSidecar', severity: 'critical', explanation: /DestinationRule demo\/reviews-mtls/ }],
    },
    {
      name: 'ISTIO_MUTUAL to a workload with PeerAuthentication DISABLE',
      evidence: () => evidenceWithCluster({ peers: [pod('reviews-1')], pas: [pa('demo', 'reviews', 'DISABLE', { selector: { app: 'reviews' } })], drs: [dr('demo', 'reviews', 'reviews', { tls: 'ISTIO_MUTUAL' })] }),
      errors: [{ messageId: 'disabled' }],
    },
    {
      name: 'a tlsMode=istio label on a pod without a sidecar misleads auto mTLS',
      evidence: () => evidenceWithCluster({ peers: [pod('reviews-1', { sidecar: false, labels: { app: 'reviews', 'security.istio.io/tlsMode': 'istio' } })] }),
      errors: [{ messageId: 'labelWithoutSidecar' }],
    },
  ],
});
