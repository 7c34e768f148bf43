import rule from '../../../rules/policy/trust-domain-alias-missing.js';
import { testRule } from '../../support/rule-tester.js';
import { evidenceWithCluster, pod } from '../../support/cluster-evidence.js';
import { evidenceFor, leaf, mesh, spiffe } from '../../support/pki.js';

const ownChain = async (td: string) => {
  const m = await mesh();
  return evidenceFor({ chain: [await leaf(m.inter, { uris: [spiffe('demo', 'web', td)] }), m.inter], trust: [m.root] });
};

testRule(rule, {
  valid: [
    { name: 'every identity in the mesh trust domain', evidence: async () => evidenceWithCluster({ peers: [pod('reviews-1')], peerIdentities: [{ pod: 'reviews-1', ids: [spiffe('demo', 'reviews')] }] }, await ownChain('cluster.local')) },
    {
      name: 'an old trust domain that is an alias',
      evidence: async () => evidenceWithCluster({ mesh: { trustDomain: 'prod.example', trustDomainAliases: ['cluster.local'] } }, await ownChain('cluster.local')),
    },
  ],
  invalid: [
    {
      name: 'a trust domain renamed without aliases: the pod still holds the old one',
      evidence: async () => evidenceWithCluster({ mesh: { trustDomain: 'prod.example' } }, await ownChain('cluster.local')),
      errors: [{ messageId: 'outside', subject: 'pod/web-1', explanation: /"cluster\.local".*"prod\.example".*none/ }],
    },
    {
      name: 'a peer pod in a foreign trust domain',
      evidence: async () => evidenceWithCluster({ peers: [pod('reviews-1')], peerIdentities: [{ pod: 'reviews-1', ids: [spiffe('demo', 'reviews', 'old.example')] }] }, await ownChain('cluster.local')),
      errors: [{ messageId: 'outside', subject: 'pod/reviews-1' }],
    },
  ],
});
