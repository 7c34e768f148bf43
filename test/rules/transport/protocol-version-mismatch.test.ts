import rule from '../../../rules/transport/protocol-version-mismatch.js';
import { testRule } from '../../support/rule-tester.js';
import { alert, hs, ok, probeOnly, withProbe } from './fixtures.js';

const wideOld = hs('wide', { kind: 'success' }, { negotiated: { version: 'TLSv1.1', cipher: 'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA', alpn: null } });

testRule(rule, {
  valid: [
    { name: 'negotiated TLS 1.3', evidence: () => withProbe([ok('workload')]) },
    { name: 'a cipher problem with a TLS 1.2 peer is not a version problem', evidence: async () => probeOnly([alert('anonymous', 40, 'handshake_failure', 'before-server-hello'), hs('wide', { kind: 'success' }, { negotiated: { version: 'TLSv1.2', cipher: 'TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_CBC_SHA256', alpn: null } })]) },
  ],
  invalid: [
    { name: 'alert 70 and the peer speaks TLS 1.1', evidence: () => withProbe([alert('workload', 70, 'protocol_version', 'before-server-hello'), wideOld]), errors: [{ messageId: 'peerOlder', explanation: /settled on TLSv1\.1/ }] },
    { name: 'alert 70, wide attempt failed too', evidence: async () => probeOnly([alert('anonymous', 70, 'protocol_version', 'before-server-hello'), hs('wide', { kind: 'alert-received', alert: 70, name: 'protocol_version', phase: 'before-server-hello' })]), errors: [{ messageId: 'refused', explanation: /did not help either/ }] },
    { name: 'we refused the version the peer chose', evidence: async () => probeOnly([hs('anonymous', { kind: 'alert-sent', alert: 70, name: 'protocol_version', phase: 'before-server-hello', code: 'ERR_SSL_UNSUPPORTED_PROTOCOL' })]), errors: [{ messageId: 'refused', explanation: /we aborted/ }] },
    { name: 'handshake_failure, and offered everything the peer chose TLS 1.0', evidence: async () => probeOnly([alert('anonymous', 40, 'handshake_failure', 'before-server-hello'), hs('wide', { kind: 'success' }, { negotiated: { version: 'TLSv1', cipher: 'AES128-SHA', alpn: null } })]), errors: [{ messageId: 'peerOlder' }] },
  ],
});
