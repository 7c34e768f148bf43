import rule from '../../../rules/transport/peer-not-tls.js';
import { testRule } from '../../support/rule-tester.js';
import { hs, ok, probeOnly, withProbe } from './fixtures.js';

testRule(rule, {
  valid: [
    { name: 'a TLS peer', evidence: () => withProbe([ok('workload'), ok('anonymous')]) },
    { name: 'closed after the ServerHello is not a plaintext peer', evidence: () => withProbe([hs('workload', { kind: 'eof', phase: 'after-server-hello' })]) },
  ],
  invalid: [
    {
      name: 'an HTTP server answered the ClientHello',
      evidence: () => withProbe([hs('workload', { kind: 'plaintext', looksLike: 'http', sample: 'HTTP/1.1 400 Bad Request', bytes: 120 })]),
      errors: [{ messageId: 'plaintext', severity: 'critical', subject: 'peer', explanation: /an HTTP response\): "HTTP\/1\.1 400 Bad Request"/ }],
    },
    { name: 'a banner', evidence: async () => probeOnly([hs('anonymous', { kind: 'plaintext', looksLike: 'text', sample: 'SSH-2.0-OpenSSH_9.2', bytes: 21 })]), errors: [{ messageId: 'plaintext', explanation: /a text banner/ }] },
    { name: 'hung up before any TLS answer (no filter chain matched)', evidence: async () => probeOnly([hs('anonymous', { kind: 'eof', phase: 'before-server-hello' })]), errors: [{ messageId: 'closed', explanation: /filter_chain_not_found/ }] },
  ],
});
