import rule from '../../../rules/san/trust-domain-mismatch.js';
import { testRule } from '../../support/rule-tester.js';
import { WEB_ID, evidenceFor, mesh, spiffe } from '../../support/pki.js';

const expecting = (expectId: string | undefined, leafO: Parameters<typeof mesh>[0] = {}) => async () => {
  const m = await mesh(leafO);
  return evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root], expectId });
};

testRule(rule, {
  valid: [
    { name: 'same-trust-domain-exact-id', evidence: expecting(WEB_ID) },
    // Another service account in the same trust domain is san/identity-mismatch's finding, not this one.
    { name: 'same-trust-domain-other-service-account', evidence: expecting(spiffe('demo', 'api')) },
    { name: 'no-expected-identity', evidence: expecting(undefined) },
    { name: 'expected-dns-name-not-spiffe', evidence: expecting('web.demo.svc') },
    { name: 'leaf-without-spiffe-id', evidence: expecting(spiffe('demo', 'web', 'new.example'), { leaf: { uris: [], dns: ['web.demo.svc'] } }) },
    { name: 'one-of-two-ids-in-expected-trust-domain', evidence: expecting(spiffe('demo', 'web', 'new.example'), { leaf: { uris: [WEB_ID, spiffe('demo', 'web', 'new.example')] } }) },
  ],
  invalid: [
    {
      name: 'trust-domain-renamed-without-alias',
      evidence: expecting(spiffe('demo', 'web', 'prod.example')),
      errors: [{ messageId: 'mismatch', severity: 'critical', subject: 'local', explanation: /is in trust domain "cluster\.local" \(spiffe:\/\/cluster\.local\/ns\/demo\/sa\/web\), but "prod\.example" is expected \(spiffe:\/\/prod\.example\/ns\/demo\/sa\/web\)\./ }],
    },
    {
      name: 'other-cluster-trust-domain-and-service-account',
      evidence: expecting(spiffe('shop', 'cart', 'cluster-b.local')),
      errors: [{ messageId: 'mismatch', explanation: /but "cluster-b\.local" is expected/ }],
    },
    {
      name: 'leaf-renamed-expectation-still-old-domain',
      evidence: expecting(WEB_ID, { leaf: { uris: [spiffe('demo', 'web', 'prod.example')] } }),
      errors: [{ messageId: 'mismatch', explanation: /is in trust domain "prod\.example" .* but "cluster\.local" is expected/ }],
    },
  ],
});
