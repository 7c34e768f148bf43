import rule from '../../../rules/policy/destination-rule-overrides-mtls.js';
import { testRule } from '../../support/rule-tester.js';
import { dr, evidenceWithCluster, pa, pod } from '../../support/cluster-evidence.js';

testRule(rule, {
  valid: [
    { name: 'ISTIO_MUTUAL as written', evidence: () => evidenceWithCluster({ peers: [pod('reviews-1')], drs: [dr('demo', 'reviews', 'reviews', { tls: 'ISTIO_MUTUAL' })] }) },
    { name: 'a trafficPolicy without tls under auto mTLS', evidence: () => evidenceWithCluster({ peers: [pod('reviews-1')], drs: [dr('demo', 'reviews', 'reviews', { trafficPolicy: true })] }) },
    { name: 'SIMPLE to a destination without a sidecar', evidence: () => evidenceWithCluster({ peers: [pod('reviews-1', { sidecar: false })], drs: [dr('demo', 'reviews', 'reviews', { tls: 'SIMPLE' })] }) },
    { name: 'SIMPLE on another port only', evidence: () => evidenceWithCluster({ peers: [pod('reviews-1')], drs: [dr('demo', 'reviews', 'reviews', { ports: [{ port: 9443, tls: 'SIMPLE' }] })] }) },
  ],
  invalid: [
    {
      name: 'SIMPLE replaces ISTIO_MUTUAL towards a STRICT sidecar',
      evidence: () => evidenceWithCluster({ peers: [pod('reviews-1')], pas: [pa('istio-system', 'default', 'STRICT')], drs: [dr('demo', 'reviews', 'reviews', { tls: 'SIMPLE' })] }),
      errors: [{ messageId: 'replaced', severity: 'error', subject: 'DestinationRule demo/reviews' }],
    },
    {
      name: 'MUTUAL in a port-level entry replaces the top-level ISTIO_MUTUAL',
      evidence: () => evidenceWithCluster({ peers: [pod('reviews-1')], drs: [dr('demo', 'reviews', 'reviews', { tls: 'ISTIO_MUTUAL', ports: [{ port: 9080, tls: 'MUTUAL' }] })] }),
      errors: [{ messageId: 'replaced', severity: 'warning', explanation: /portLevelSettings 9080/ }],
    },
    {
      name: 'a trafficPolicy without tls while auto mTLS is off',
      evidence: () => evidenceWithCluster({ peers: [pod('reviews-1')], pas: [pa('istio-system', 'default', 'STRICT')], drs: [dr('demo', 'reviews-lb', 'reviews', { trafficPolicy: true })], mesh: { enableAutoMtls: false } }),
      errors: [{ messageId: 'noTlsAutoOff', severity: 'error' }],
    },
  ],
});
