import rule from '../../../rules/transport/sds-not-delivered.js';
import { testRule } from '../../support/rule-tester.js';
import { mesh, NOW } from '../../support/pki.js';
import { evidenceWithProxy } from '../../support/fake-envoy-admin.js';

const L = 'listener.0.0.0.0_15006.server_ssl_socket_factory.downstream_context_secrets_not_ready';
const C = 'cluster.outbound|8080||payments.prod.svc.cluster.local;.client_ssl_socket_factory.upstream_context_secrets_not_ready';

testRule(rule, {
  valid: [
    {
      name: 'default and ROOTCA active, counters still',
      evidence: async () => {
        const m = await mesh();
        return evidenceWithProxy({ chain: [m.leaf, m.inter, m.root], roots: [m.root], stats: [{ at: NOW - 5000, values: { [L]: 2, [C]: 0 } }, { at: NOW, values: { [L]: 2, [C]: 0 } }] });
      },
    },
    {
      name: 'a warming secret that is also active (a rotation in flight) is not stuck',
      evidence: async () => {
        const m = await mesh();
        return evidenceWithProxy({ chain: [m.leaf, m.inter], roots: [m.root], warming: ['default'] });
      },
    },
  ],
  invalid: [
    {
      name: 'default stuck warming: SDS never delivered the workload certificate (istio#26468)',
      evidence: () => evidenceWithProxy({ warming: ['default'] }),
      errors: [{ messageId: 'defaultWarming', severity: 'critical' }],
    },
    {
      name: 'ROOTCA and a gateway credential warming',
      evidence: async () => {
        const m = await mesh();
        return evidenceWithProxy({ chain: [m.leaf, m.inter], warming: ['ROOTCA', 'kubernetes://payments-tls'] });
      },
      errors: [
        { messageId: 'rootWarming', severity: 'critical' },
        { messageId: 'otherWarming', severity: 'error', explanation: /kubernetes:\/\/payments-tls/ },
      ],
    },
    {
      name: 'upstream_context_secrets_not_ready moving between samples',
      evidence: () => evidenceWithProxy({ stats: [{ at: NOW - 10_000, values: { [C]: 4 } }, { at: NOW, values: { [C]: 19 } }] }),
      errors: [{ messageId: 'notReady', severity: 'critical', explanation: /moved by 15 in 10s \(outbound, cluster outbound\|8080\|\|payments/ }],
    },
    {
      name: 'secrets_not_ready non-zero in a single sample: a warning, not proof it is still happening',
      evidence: () => evidenceWithProxy({ stats: [{ at: NOW, values: { [L]: 3 } }] }),
      errors: [{ messageId: 'notReadyCumulative', severity: 'warning' }],
    },
    {
      name: 'the last update of default was rejected',
      evidence: async () => {
        const m = await mesh();
        return evidenceWithProxy({ chain: [m.leaf, m.inter], rejected: { name: 'default', details: 'Failed to load certificate chain from <inline>' } });
      },
      errors: [{ messageId: 'rejected', severity: 'warning' }],
    },
  ],
});
