import rule from '../../../rules/transport/client-cert-required.js';
import { testRule } from '../../support/rule-tester.js';
import { alert, hs, ok, probeOnly, withProbe } from './fixtures.js';

testRule(rule, {
  valid: [
    { name: 'the workload presented its certificate and was accepted', evidence: () => withProbe([ok('workload'), alert('anonymous', 116, 'certificate_required')]) },
    { name: 'the peer does not demand a certificate', evidence: async () => probeOnly([ok('anonymous')]) },
    { name: 'alert 40 before the ServerHello is negotiation, not a certificate demand', evidence: async () => probeOnly([alert('anonymous', 40, 'handshake_failure', 'before-server-hello')]) },
  ],
  invalid: [
    { name: 'TLS 1.3 alert 116 with --peer alone', evidence: async () => probeOnly([alert('anonymous', 116, 'certificate_required')]), errors: [{ messageId: 'noChain', severity: 'info', subject: 'peer', explanation: /alert 116 certificate_required\) and refused this probe, which offered none: this is what STRICT mTLS means/ }] },
    { name: 'TLS 1.2 alert 40 after the ServerHello', evidence: async () => probeOnly([alert('anonymous', 40, 'handshake_failure', 'after-server-hello')]), errors: [{ messageId: 'noChain' }] },
    {
      name: 'nginx answers 400 without a certificate',
      evidence: async () => probeOnly([hs('anonymous', { kind: 'rejected-after-handshake', via: 'http', status: 400, reason: 'no-client-certificate', detail: 'No required SSL certificate was sent' })]),
      errors: [{ messageId: 'noChain', explanation: /No required SSL certificate was sent/ }],
    },
    { name: 'our chain is known but no --key was given', evidence: () => withProbe([alert('anonymous', 116, 'certificate_required')]), errors: [{ messageId: 'noKey', explanation: /give --key FILE/ }] },
    {
      name: 'the key does not match the certificate',
      evidence: () => withProbe([hs('workload', { kind: 'not-attempted', reason: 'the private key does not match the certificate' }), alert('anonymous', 116, 'certificate_required')]),
      errors: [{ messageId: 'keyUnusable', explanation: /does not match/ }],
    },
  ],
});
