import rule from '../../../rules/transport/peer-unreachable.js';
import { testRule } from '../../support/rule-tester.js';
import { alert, hs, ok, probeOnly, withProbe } from './fixtures.js';

testRule(rule, {
  valid: [
    { name: 'the handshake completed', evidence: () => withProbe([ok('workload'), alert('anonymous', 116, 'certificate_required')]) },
    { name: 'a plaintext answer is reachable (another rule)', evidence: async () => probeOnly([hs('anonymous', { kind: 'plaintext', looksLike: 'http', sample: 'HTTP/1.1 400 Bad Request', bytes: 90 })]) },
  ],
  invalid: [
    { name: 'name does not resolve', evidence: async () => probeOnly([hs('anonymous', { kind: 'dns-failure', code: 'ENOTFOUND' })]), errors: [{ messageId: 'dns', subject: 'peer', explanation: /ENOTFOUND/ }] },
    { name: 'connection refused', evidence: () => withProbe([hs('workload', { kind: 'refused' }), hs('anonymous', { kind: 'refused' })]), errors: [{ messageId: 'refused' }] },
    { name: 'no route', evidence: async () => probeOnly([hs('anonymous', { kind: 'unreachable', code: 'EHOSTUNREACH' })]), errors: [{ messageId: 'unreachable', explanation: /EHOSTUNREACH/ }] },
    { name: 'connect timeout', evidence: async () => probeOnly([hs('anonymous', { kind: 'timeout', phase: 'connect', afterMs: 3000 })]), errors: [{ messageId: 'connectTimeout', explanation: /within 3 s:/ }] },
    { name: 'accepted and never answered', evidence: async () => probeOnly([hs('anonymous', { kind: 'timeout', phase: 'handshake', afterMs: 5000 })]), errors: [{ messageId: 'stalled' }] },
  ],
});
