/**
 * RFC 7301 §3.2: a server that supports none of the client's ALPN protocols responds with alert 120
 * no_application_protocol. Istio's sidecars offer the mesh ALPN (istio-peer-exchange, istio) on mTLS and the
 * inbound listener matches on it; a TLS server outside the mesh (nginx ≥ 1.21.4) refuses it.
 */
import { defineRule } from '../../src/engine/define-rule.js';

export default defineRule({
  meta: {
    id: 'transport/alpn-mismatch',
    stage: 'transport',
    severity: 'critical',
    title: 'Peer refused the offered ALPN protocols',
    description: 'The peer aborted with alert 120 no_application_protocol: it supports none of the application protocols we offered.',
    requires: ['handshake'],
    confidence: 0.9,
    citation: 'RFC 7301 §3.2',
    explains: [
      { symptom: 'alert:40', weight: 0.3, why: 'Some servers refuse an unknown ALPN this way.' },
      { symptom: 'alert:120', weight: 0.95, why: 'The ALPN lists do not overlap (istio-peer-exchange/istio vs h2/http/1.1).' },
      { symptom: 'no-filter-chain', weight: 0.5, why: 'TLS without the mesh ALPN matches no chain (istio#31297).', context: 'tls' },
      { symptom: 'alpn-mismatch', weight: 0.95, why: 'The offered ALPN list and the server\'s accepted list do not overlap.' },
      { symptom: 'tls-client-alpn-unavailable', weight: 0.55, why: 'The client JVM has no ALPN (Java 8 < 8u252, no Conscrypt): it cannot offer h2.' },
      { symptom: 'reset', weight: 0.3, why: 'Istio\'s inbound listener resets TLS without the mesh ALPN (no filter chain matches).', context: 'tls' },
      { symptom: 'timeout', weight: 0.3, why: 'Server-first protocols (MySQL) hang under protocol sniffing, and a peer that advertises istio-peer-exchange without the filter waits forever (istio#38655, #38990).' },
      { symptom: 'probe:closed-before-hello', weight: 0.4, why: 'An Istio inbound listener matches on ALPN: a ClientHello without the mesh ALPN can match no filter chain and be closed.' },
    ],
    hint: {
      confirm: 'the client offers ALPN values the server does not accept (mesh: istio-peer-exchange, istio, istio-http/1.1, istio-h2)',
      next: 'openssl s_client -connect HOST:PORT -alpn istio-peer-exchange,istio </dev/null 2>&1 | grep -i alpn',
      fix: 'Offer the mesh ALPN (let the sidecar originate mTLS), or set appProtocol on the Service port for server-first protocols.',
      subject: 'peer',
    },
    messages: {
      mesh:
        '{peer} refused the mesh ALPN we offered ({offered}) with alert 120 no_application_protocol. A mesh sidecar offers exactly these on mTLS; a TLS server that is not a sidecar (nginx, an app terminating TLS itself) does not know them. The client is treating a server outside the mesh as a mesh peer: it sends ISTIO_MUTUAL (auto mTLS, or a DestinationRule) to a port that terminates TLS itself.',
      other:
        '{peer} refused every application protocol we offered ({offered}) with alert 120 no_application_protocol. The peer expects a different protocol on this port (for example h2 or http/1.1 only).',
    },
    remediation: [
      'For a server outside the mesh that terminates TLS itself, have the client originate plain TLS instead of mesh mTLS: a DestinationRule with trafficPolicy.tls.mode: SIMPLE (or MUTUAL with its own certificates)',
      'Probe again with the protocols the peer serves to check the rest: mtls-doctor diagnose --peer {peer} --alpn h2,http/1.1',
    ],
    verify: 'openssl s_client -connect {peer} -alpn {alpnArg} </dev/null',
  },
  check(ctx) {
    const h = ctx.facts.probe!.primary;
    const o = h.outcome;
    if (o.kind !== 'alert-received' || o.alert !== 120) return;
    const mesh = h.alpnOffered.some((p) => p === 'istio' || p.startsWith('istio-'));
    ctx.report({
      messageId: mesh ? 'mesh' : 'other',
      subject: 'peer',
      data: { peer: h.peer, offered: h.alpnOffered.join(', ') || 'none', alpnArg: h.alpnOffered.join(',') || 'h2' },
      evidence: [{ source: `probe ${h.attempt} → ${h.peer}`, detail: `offered ALPN ${h.alpnOffered.join(', ') || 'none'}; alert 120 ${o.phase.replace(/-/g, ' ')}` }],
    });
  },
});
