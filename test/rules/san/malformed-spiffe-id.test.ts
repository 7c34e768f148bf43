import rule from '../../../rules/san/malformed-spiffe-id.js';
import { testRule } from '../../support/rule-tester.js';
import { WEB_ID, evidenceFor, mesh } from '../../support/pki.js';

const withUris = (uris: string[]) => async () => { const m = await mesh({ leaf: { uris } }); return evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root] }); };

testRule(rule, {
  valid: [
    { name: 'istio-style-spiffe-id', evidence: withUris([WEB_ID]) },
    { name: 'non-istio-path-spiffe-id', evidence: withUris(['spiffe://example.org/workload/web-1']) },
    { name: 'trust-domain-only-spiffe-id', evidence: withUris(['spiffe://example.org']) },
    { name: 'spiffe-id-plus-https-uri', evidence: withUris([WEB_ID, 'https://web.demo.example/health']) },
    { name: 'no-spiffe-id-dns-only', evidence: async () => { const m = await mesh({ leaf: { uris: [], dns: ['web.demo.svc'] } }); return evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root] }); } },
  ],
  invalid: [
    {
      name: 'uppercase-trust-domain',
      evidence: withUris(['spiffe://Cluster.Local/ns/demo/sa/web']),
      errors: [{ messageId: 'malformed', severity: 'error', subject: 'local', explanation: /"spiffe:\/\/Cluster\.Local\/ns\/demo\/sa\/web", which is malformed: trust domain has uppercase letters\./ }],
    },
    {
      name: 'uppercase-scheme',
      evidence: withUris(['SPIFFE://cluster.local/ns/demo/sa/web']),
      errors: [{ messageId: 'malformed', explanation: /malformed: scheme must be lowercase "spiffe"\./ }],
    },
    {
      name: 'trailing-slash',
      evidence: withUris(['spiffe://cluster.local/ns/demo/sa/web/']),
      errors: [{ messageId: 'malformed', explanation: /malformed: path has an empty segment or a trailing "\/"\./ }],
    },
    {
      name: 'port-in-trust-domain',
      evidence: withUris(['spiffe://cluster.local:8443/ns/demo/sa/web']),
      errors: [{ messageId: 'malformed', explanation: /malformed: has a port\./ }],
    },
    {
      name: 'dot-dot-segment',
      evidence: withUris(['spiffe://cluster.local/ns/demo/../sa/web']),
      errors: [{ messageId: 'malformed', explanation: /malformed: path has a "\." or "\.\." segment\./ }],
    },
    {
      name: 'two-valid-spiffe-ids',
      evidence: withUris([WEB_ID, 'spiffe://cluster.local/ns/demo/sa/api']),
      errors: [{ messageId: 'several', explanation: /carries 2 SPIFFE IDs \(spiffe:\/\/cluster\.local\/ns\/demo\/sa\/web, spiffe:\/\/cluster\.local\/ns\/demo\/sa\/api\)/ }],
    },
    {
      name: 'one-malformed-one-valid-spiffe-id',
      evidence: withUris([WEB_ID, 'spiffe://cluster.local/ns/demo/sa/web?x=1']),
      errors: [
        { messageId: 'malformed', explanation: /malformed: has a query or fragment\./ },
        { messageId: 'several', explanation: /carries 2 SPIFFE IDs/ },
      ],
    },
  ],
});
