import rule from '../../../rules/transport/cipher-mismatch.js';
import { testRule } from '../../support/rule-tester.js';
import { alert, hs, ok, probeOnly, withProbe } from './fixtures.js';

const camellia = hs('wide', { kind: 'success' }, { negotiated: { version: 'TLSv1.2', cipher: 'TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_CBC_SHA256', alpn: null } });

testRule(rule, {
  valid: [
    { name: 'negotiated fine', evidence: () => withProbe([ok('workload')]) },
    { name: 'alert 40 after the ServerHello is about certificates', evidence: async () => probeOnly([alert('anonymous', 40, 'handshake_failure', 'after-server-hello')]) },
    { name: 'an old-version peer is the version rule', evidence: async () => probeOnly([alert('anonymous', 40, 'handshake_failure', 'before-server-hello'), hs('wide', { kind: 'success' }, { negotiated: { version: 'TLSv1.1', cipher: 'AES128-SHA', alpn: null } })]) },
  ],
  invalid: [
    { name: 'alert 40 before the ServerHello; the peer wants CAMELLIA', evidence: () => withProbe([alert('workload', 40, 'handshake_failure', 'before-server-hello'), camellia]), errors: [{ messageId: 'confirmed', subject: 'peer', explanation: /CAMELLIA_128/ }] },
    { name: 'insufficient_security, nothing helps', evidence: async () => probeOnly([alert('anonymous', 71, 'insufficient_security', 'before-server-hello'), hs('wide', { kind: 'alert-received', alert: 71, name: 'insufficient_security', phase: 'before-server-hello' })]), errors: [{ messageId: 'unconfirmed', explanation: /SNI \(reviews\.bookinfo\)/ }] },
  ],
});
