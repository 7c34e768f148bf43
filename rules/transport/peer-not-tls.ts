/**
 * We sent a ClientHello and the peer answered with bytes that are not a TLS record (BoringSSL
 * WRONG_VERSION_NUMBER, 268435703; Node ERR_SSL_WRONG_VERSION_NUMBER). In a mesh: the server has no sidecar,
 * its port is not captured, or PeerAuthentication/port-level mTLS is DISABLE while the client sends mTLS.
 */
import { defineRule } from '../../src/engine/define-rule.js';

export default defineRule({
  meta: {
    id: 'transport/peer-not-tls',
    stage: 'transport',
    severity: 'critical',
    title: 'Peer does not speak TLS on this port',
    description: 'The peer answered our TLS ClientHello in plaintext (an HTTP response, a banner, other bytes), or hung up without any TLS answer.',
    requires: ['handshake'],
    confidence: 0.9,
    citation: 'RFC 8446 §5.1 (record layer); BoringSSL WRONG_VERSION_NUMBER; Envoy NR filter_chain_not_found',
    explains: [
      { symptom: 'tls-to-plaintext-port', weight: 0.9, why: 'A plaintext server logged a TLS ClientHello: the client speaks TLS to a port that does not (no sidecar there, the port excluded from capture, or the wrong port).' },
      { symptom: 'h2-preface-missing', weight: 0.8, why: 'Most often a ClientHello: gRPC channels use TLS unless told plaintext.' },
      // gRPC-Java's 'Could not find Jetty NPN/ALPN or Conscrypt…': akka-grpc's troubleshooting page names a TLS client
      // connecting to an insecure server; a JVM without ALPN (alpn-mismatch) is the other reading, rarer since 8u252.
      { symptom: 'tls-client-alpn-unavailable', weight: 0.6, why: 'The client uses TLS toward a plaintext server (in a mesh: its own sidecar), as akka-grpc documents.' },
      { symptom: 'plaintext-reply', weight: 0.95, why: 'The server has no sidecar, its port is not captured, or its PeerAuthentication is DISABLE while our side originates mTLS (istio#33208, #35870, #53030).' },
      { symptom: 'no-filter-chain', weight: 0.4, why: 'Or the caller sent mTLS to a DISABLE port that has only plaintext chains.' },
      { symptom: 'upstream-connect-failure', weight: 0.35, why: 'mTLS toward a server without a sidecar often shows as a connection failure.' },
      { symptom: 'upstream-terminated', weight: 0.3, why: 'mTLS sent to a plaintext server can end the same way.' },
      { symptom: 'handshake-failed', weight: 0.3, why: 'The peer does not speak TLS on that port.' },
      { symptom: 'envoy:outbound.connection_error', weight: 0.4, why: 'Outbound TLS also fails this way when the server does not speak TLS.' },
      { symptom: 'probe:closed-before-hello', weight: 0.6, why: 'A peer that closes the connection on a ClientHello is often not a TLS server.' },
    ],
    hint: {
      confirm: 'the server pod has no istio-proxy, its port is excluded from capture, or its PeerAuthentication (or portLevelMtls) is DISABLE',
      next: 'istioctl x describe pod PEER_POD -n NS',
      fix: 'Inject the sidecar on the server, or stop originating mTLS to it (DestinationRule tls.mode DISABLE for that host/port) — never both.',
      subject: 'peer',
    },
    messages: {
      plaintext:
        '{peer} answered our TLS ClientHello in plaintext{what}: "{sample}". A client that sends mTLS here fails with WRONG_VERSION_NUMBER (Envoy: "TLS_error:|268435703:…WRONG_VERSION_NUMBER", 503 UF). In a mesh: the server pod has no sidecar (not injected, or injected after it started), its port is excluded from capture (traffic.sidecar.istio.io/excludeInboundPorts), or its mTLS is DISABLE while this client\'s DestinationRule says ISTIO_MUTUAL.',
      closed:
        '{peer} {how} the connection right after our ClientHello without any TLS answer. Envoy does this when no filter chain matches the connection (NR filter_chain_not_found: the SNI or ALPN is not one its listener expects, or the port expects plaintext), and so do plaintext services that hang up on unexpected bytes.',
    },
    remediation: [
      'Check that the server pod has a sidecar: kubectl get pod SERVER -n NAMESPACE -o jsonpath="{.spec.containers[*].name}" (istio-proxy must be listed); restart it after enabling injection',
      'Check the mTLS mode both sides agree on: istioctl x describe pod SERVER -n NAMESPACE (PeerAuthentication) and the client\'s DestinationRule tls.mode',
      'If the server is outside the mesh on purpose, stop sending mTLS to it: a DestinationRule with trafficPolicy.tls.mode: DISABLE for that host',
    ],
    verify: 'mtls-doctor diagnose --peer {peer}',
  },
  check(ctx) {
    const h = ctx.facts.probe!.primary;
    const o = h.outcome;
    if (o.kind === 'plaintext') {
      const what = o.looksLike === 'http' ? ' (an HTTP response)' : o.looksLike === 'text' ? ' (a text banner)' : ` (${o.bytes} bytes that are not a TLS record)`;
      ctx.report({ messageId: 'plaintext', subject: 'peer', data: { peer: h.peer, what, sample: o.sample }, evidence: [{ source: `probe ${h.attempt} → ${h.peer}`, detail: `first bytes back: ${o.sample}` }] });
    } else if ((o.kind === 'eof' || o.kind === 'reset') && o.phase === 'before-server-hello') {
      ctx.report({
        messageId: 'closed',
        subject: 'peer',
        confidence: 0.6,
        data: { peer: h.peer, how: o.kind === 'reset' ? 'reset' : 'closed' },
        evidence: [{ source: `probe ${h.attempt} → ${h.peer}`, detail: `${o.kind} before any TLS record; offered ALPN ${h.alpnOffered.join(', ') || 'none'}, SNI ${h.sni ?? 'none'}` }],
      });
    }
  },
});
