import rule from '../../../rules/transport/peer-rejected-certificate.js';
import leafExpired from '../../../rules/expiry/leaf-expired.js';
import unknownAuthority from '../../../rules/chain/unknown-authority.js';
import identityMismatch from '../../../rules/san/identity-mismatch.js';
import { testRule } from '../../support/rule-tester.js';
import { HOUR, t, spiffe, mesh, root, evidenceFor } from '../../support/pki.js';
import { alert, hs, ok, withProbe } from './fixtures.js';

testRule(rule, {
  valid: [
    { name: 'the peer accepted us', evidence: () => withProbe([ok('workload')]) },
    {
      name: 'alert 45 explained by our expired leaf',
      with: [leafExpired],
      evidence: async () => {
        const m = await mesh({ leaf: { notBefore: t(-30 * HOUR), notAfter: t(-6 * HOUR) } });
        return { ...(await evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root] })), handshakes: [alert('workload', 45, 'certificate_expired')] };
      },
    },
    {
      name: 'alert 48 explained by the peer trust bundle we were given',
      with: [unknownAuthority],
      evidence: async () => {
        const m = await mesh();
        const other = await root('Other Root');
        return { ...(await evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root], peerTrust: [other] })), handshakes: [alert('workload', 48, 'unknown_ca')] };
      },
    },
    {
      name: 'anonymous refusal is not a rejection of our certificate',
      evidence: () => withProbe([alert('anonymous', 116, 'certificate_required')]),
    },
  ],
  invalid: [
    { name: 'alert 48, and our chain verifies against the bundle we assume', evidence: () => withProbe([alert('workload', 48, 'unknown_ca')]), errors: [{ messageId: 'rejected', subject: 'local', explanation: /ROOTCA\) lacks our root.*|assuming the peer trusts what we trust/ }] },
    { name: 'alert 45 while our chain is in date: the peer clock', evidence: () => withProbe([alert('workload', 45, 'certificate_expired', 'after-server-hello')]), errors: [{ messageId: 'rejected', explanation: /peer's clock is off/ }] },
    {
      name: 'alert 48 is not explained by an unrelated SAN finding',
      with: [identityMismatch],
      evidence: () => withProbe([alert('workload', 48, 'unknown_ca')], { expectId: spiffe('demo', 'other') }),
      errors: [{ messageId: 'rejected' }],
    },
    {
      name: 'nginx 400 certificate error',
      evidence: () => withProbe([hs('workload', { kind: 'rejected-after-handshake', via: 'http', status: 400, reason: 'certificate-error', detail: 'The SSL certificate error' })]),
      errors: [{ messageId: 'rejected', explanation: /ssl_client_certificate/ }],
    },
    { name: 'closed silently after the handshake', evidence: () => withProbe([hs('workload', { kind: 'eof', phase: 'after-handshake' })]), errors: [{ messageId: 'rejected', explanation: /without an alert/ }] },
  ],
});
