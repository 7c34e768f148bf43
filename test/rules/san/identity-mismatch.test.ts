import rule from '../../../rules/san/identity-mismatch.js';
import sanMissing from '../../../rules/san/missing.js';
import trustDomainMismatch from '../../../rules/san/trust-domain-mismatch.js';
import { testRule } from '../../support/rule-tester.js';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { WEB_ID, evidenceFor, leaf, mesh, spiffe } from '../../support/pki.js';
import type { IssueSpec } from '../../../src/x509/issue.js';

/** A client leaf whose identity is email SAN(s) only, with an expected email identity. */
const emailClient = (expectId: string, emails: string[]) => async () => {
  const m = await mesh();
  const l = await leaf(m.inter, { uris: [], subject: 'O=cluster.local', eku: ['clientAuth'], extensions: [new x509.SubjectAlternativeNameExtension(emails.map((value) => ({ type: 'email' as const, value })))] });
  return evidenceFor({ chain: [l, m.inter], trust: [m.root], role: 'client', expectId });
};

const expecting = (expectId: string | undefined, leafO: Partial<IssueSpec> = {}) => async () => {
  const m = await mesh({ leaf: leafO });
  return evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root], expectId });
};

testRule(rule, {
  valid: [
    { name: 'spiffe-id-exact-match', evidence: expecting(WEB_ID) },
    // No expected identity: the engine records insufficient-evidence (needs --expect-id), tested in
    // test/engine/symptom-needs-identity.test.ts.
    { name: 'one-of-several-sans-matches', evidence: expecting('web.demo.svc', { uris: [WEB_ID], dns: ['web', 'web.demo.svc'] }) },
    { name: 'dns-exact-match-case-insensitive', evidence: expecting('web.demo.svc.cluster.local', { uris: [], dns: ['Web.Demo.svc.cluster.local'] }) },
    { name: 'dns-wildcard-matches-one-label', evidence: expecting('web.demo.svc', { uris: [], dns: ['*.demo.svc'] }) },
    { name: 'ipv4-san-matches', evidence: expecting('10.1.2.3', { uris: [], ips: ['10.9.9.9', '10.1.2.3'] }) },
    { name: 'email-san-exact-match', evidence: emailClient('foo@example.com', ['foo@example.com']) },
    { name: 'email-domain-is-case-insensitive', evidence: emailClient('foo@Example.COM', ['foo@example.com']) },
    { name: 'email-one-of-several-sans', evidence: emailClient('bar@example.com', ['foo@example.com', 'bar@example.com']) },
    // RFC 5280 §4.2.1.10: an asterisk in a mailbox is a literal character, not a wildcard.
    { name: 'email-literal-asterisk-mailbox', evidence: emailClient('*@example.com', ['*@example.com']) },
    { name: 'ipv6-san-matches-non-canonical-expected-form', evidence: expecting('2001:0DB8:0:0:0:0:0:5', { uris: [], ips: ['2001:db8::5'] }) },
    {
      // The other trust domain was already reported by san/trust-domain-mismatch for this leaf: not twice.
      name: 'other-trust-domain-already-reported',
      with: [trustDomainMismatch],
      evidence: expecting(spiffe('demo', 'web', 'prod.example')),
    },
  ],
  invalid: [
    {
      name: 'wrong-service-account',
      evidence: expecting(spiffe('demo', 'api')),
      errors: [{ messageId: 'mismatch', severity: 'critical', subject: 'local', causedBy: null, explanation: /identifies as spiffe:\/\/cluster\.local\/ns\/demo\/sa\/web, but spiffe:\/\/cluster\.local\/ns\/demo\/sa\/api is expected\./ }],
    },
    { name: 'wrong-namespace', evidence: expecting(spiffe('shop', 'web')), errors: [{ messageId: 'mismatch', explanation: /but spiffe:\/\/cluster\.local\/ns\/shop\/sa\/web is expected/ }] },
    { name: 'spiffe-id-differs-in-case', evidence: expecting(spiffe('demo', 'Web')), errors: [{ messageId: 'mismatch' }] },
    { name: 'dns-wildcard-does-not-match-two-labels', evidence: expecting('a.web.demo.svc', { uris: [], dns: ['*.demo.svc'] }), errors: [{ messageId: 'mismatch', explanation: /identifies as \*\.demo\.svc, but a\.web\.demo\.svc is expected/ }] },
    { name: 'dns-wildcard-does-not-match-bare-domain', evidence: expecting('demo.svc', { uris: [], dns: ['*.demo.svc'] }), errors: [{ messageId: 'mismatch' }] },
    { name: 'dns-name-expected-but-only-spiffe-id', evidence: expecting('web.demo.svc'), errors: [{ messageId: 'mismatch', explanation: /identifies as spiffe:\/\/cluster\.local\/ns\/demo\/sa\/web, but web\.demo\.svc is expected/ }] },
    { name: 'email-local-part-is-case-sensitive', evidence: emailClient('Foo@example.com', ['foo@example.com']), errors: [{ messageId: 'mismatch', explanation: /identifies as foo@example\.com, but Foo@example\.com is expected/ }] },
    { name: 'email-other-domain', evidence: emailClient('foo@example.org', ['foo@example.com']), errors: [{ messageId: 'mismatch' }] },
    { name: 'email-asterisk-is-not-a-wildcard', evidence: emailClient('user@example.com', ['*@example.com']), errors: [{ messageId: 'mismatch' }] },
    { name: 'email-subdomain-does-not-match', evidence: emailClient('foo@sub.example.com', ['foo@example.com']), errors: [{ messageId: 'mismatch' }] },
    // An email identity is matched against email SANs only, never against a DNS SAN with the domain.
    { name: 'email-expected-but-only-dns-san', evidence: expecting('web@demo.svc', { uris: [], dns: ['demo.svc'] }), errors: [{ messageId: 'mismatch' }] },
    { name: 'ip-expected-but-only-a-dns-san-spelling-it', evidence: expecting('8.8.8.8', { uris: [], dns: ['8.8.8.8'] }), errors: [{ messageId: 'ipInDns', explanation: /carries 8\.8\.8\.8 only as a DNS name \(dNSName "8\.8\.8\.8"\), not as an IP address SAN/ }] },
    { name: 'ipv6-expected-but-only-a-dns-san-spelling-it', evidence: expecting('2001:db8::5', { uris: [], dns: ['2001:db8::5'] }), errors: [{ messageId: 'ipInDns' }] },
    { name: 'ip-san-differs', evidence: expecting('10.1.2.4', { uris: [], ips: ['10.1.2.3'] }), errors: [{ messageId: 'mismatch', explanation: /identifies as 10\.1\.2\.3, but 10\.1\.2\.4 is expected/ }] },
    { name: 'ipv6-san-differs', evidence: expecting('2001:db8::6', { uris: [], ips: ['2001:db8::5'] }), errors: [{ messageId: 'mismatch', explanation: /identifies as 2001:db8::5, but 2001:db8::6 is expected/ }] },
    {
      // Without the trust-domain rule in the run nothing else reports it, so this rule does.
      name: 'other-trust-domain-when-trust-domain-rule-not-run',
      evidence: expecting(spiffe('demo', 'web', 'prod.example')),
      errors: [{ messageId: 'mismatch' }],
    },
    {
      name: 'no-san-caused-by-san-missing',
      with: [sanMissing],
      evidence: expecting(WEB_ID, { uris: [], subject: 'O=cluster.local, CN=web' }),
      errors: [{ messageId: 'mismatch', causedBy: 'san/missing', explanation: /identifies as \(no SAN\), but spiffe:\/\/cluster\.local\/ns\/demo\/sa\/web is expected/ }],
    },
  ],
});
