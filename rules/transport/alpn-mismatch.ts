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
