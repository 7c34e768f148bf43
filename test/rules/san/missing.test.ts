import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import rule from '../../../rules/san/missing.js';
import { testRule } from '../../support/rule-tester.js';
import { evidenceFor, leaf, mesh } from '../../support/pki.js';

testRule(rule, {
  valid: [
    { name: 'spiffe-uri-san', evidence: async () => { const m = await mesh(); return evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root] }); } },
    { name: 'dns-san-only', evidence: async () => { const m = await mesh({ leaf: { uris: [], dns: ['web.demo.svc.cluster.local'] } }); return evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root] }); } },
    { name: 'ip-san-only', evidence: async () => { const m = await mesh({ leaf: { uris: [], ips: ['10.1.2.3'] } }); return evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root] }); } },
    {
      // A client identified by email (expected identity is an RFC 822 name): its email SAN is an identity.
      name: 'email-san-when-an-email-identity-is-expected',
      evidence: async () => {
        const m = await mesh();
        const l = await leaf(m.inter, { uris: [], subject: 'O=cluster.local', eku: ['clientAuth'], extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'email', value: 'web@demo.example' }])] });
        return evidenceFor({ chain: [l, m.inter], trust: [m.root], role: 'client', expectId: 'web@demo.example' });
      },
    },
  ],
  invalid: [
    {
      name: 'no-san-cn-only',
      evidence: async () => { const m = await mesh({ leaf: { uris: [], subject: 'O=cluster.local, CN=web.demo.svc' } }); return evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root] }); },
      errors: [{ messageId: 'missing', severity: 'error', subject: 'local', explanation: /^Our leaf "web\.demo\.svc" .* has no subject alternative name \(only the CN "web\.demo\.svc", which verifiers ignore\)\./ }],
    },
    {
      name: 'no-san-no-cn',
      evidence: async () => { const m = await mesh({ leaf: { uris: [], subject: 'O=cluster.local, OU=web' } }); return evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root] }); },
      errors: [{ messageId: 'missing', explanation: /has no subject alternative name\. A mesh/ }],
    },
    {
      name: 'email-san-only',
      evidence: async () => {
        const m = await mesh();
        const l = await leaf(m.inter, { uris: [], subject: 'O=cluster.local', extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'email', value: 'web@demo.example' }])] });
        return evidenceFor({ chain: [l, m.inter], trust: [m.root] });
      },
      errors: [{ messageId: 'missing', explanation: /has no subject alternative name/ }],
    },
    {
      // The mesh default stands when the expected identity is not an email address.
      name: 'email-san-only-when-a-spiffe-id-is-expected',
      evidence: async () => {
        const m = await mesh();
        const l = await leaf(m.inter, { uris: [], subject: 'O=cluster.local', extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'email', value: 'web@demo.example' }])] });
        return evidenceFor({ chain: [l, m.inter], trust: [m.root], expectId: 'spiffe://cluster.local/ns/demo/sa/web' });
      },
      errors: [{ messageId: 'missing' }],
    },
    {
      name: 'email-identity-expected-but-no-san-at-all',
      evidence: async () => { const m = await mesh({ leaf: { uris: [], subject: 'O=cluster.local, CN=web' } }); return evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root], expectId: 'web@demo.example' }); },
      errors: [{ messageId: 'missing' }],
    },
  ],
});
