/**
 * RFC 8446 §4.2.1 / Appendix D: a server that supports none of the versions the client offers aborts with
 * alert 70 protocol_version. Istio's mesh mTLS offers TLS 1.2–1.3 (meshConfig.meshMTLS.minProtocolVersion may
 * raise the floor to 1.3); a peer that only speaks TLS 1.0/1.1, or only versions the client disabled, fails here.
 */
import { defineRule } from '../../src/engine/define-rule.js';

export default defineRule({
  meta: {
    id: 'transport/protocol-version-mismatch',
    stage: 'transport',
    severity: 'critical',
    title: 'No TLS version in common with the peer',
    description: 'The peer and we have no TLS protocol version in common (alert 70 protocol_version).',
    requires: ['handshake'],
    confidence: 0.9,
    citation: 'RFC 8446 §4.2.1, Appendix D; Istio meshConfig.meshMTLS.minProtocolVersion',
    explains: [
      { symptom: 'proxy-upstream-handshake', weight: 0.25, why: 'The proxy and its upstream share no TLS version (proxy_ssl_protocols).' },
      { symptom: 'alert:40', weight: 0.35, why: 'No TLS version in common.' },
      { symptom: 'alert:70', weight: 0.95, why: 'Our minimum/maximum TLS version and the peer\'s do not overlap.' },
      { symptom: 'alert:71', weight: 0.4, why: 'Or our TLS version is below its minimum.' },
      { symptom: 'alert:other', weight: 0.3, why: 'Protocol-level alerts often mean the two stacks disagree on version or extensions.' },
      { symptom: 'version-mismatch', weight: 0.95, why: 'minProtocolVersion on one side is above the other\'s maximum (e.g. TLS 1.3 only against a TLS 1.2 client).' },
      { symptom: 'handshake-failed', weight: 0.3, why: 'No common TLS version.' },
    ],
    hint: {
      confirm: 'one side allows only versions the other does not (minProtocolVersion / maxProtocolVersion)',
      next: 'openssl s_client -connect HOST:PORT -tls1_2 </dev/null; openssl s_client -connect HOST:PORT -tls1_3 </dev/null',
      fix: 'Align meshConfig.meshMTLS.minProtocolVersion / the app\'s TLS settings so the ranges overlap.',
      subject: 'peer',
    },
    messages: {
      peerOlder:
        '{peer} refused every version we offered ({offered}) {how}; offered every version, it settled on {accepted} ({cipher}). The peer speaks only a version the mesh no longer allows: TLS 1.0/1.1 are disabled by default in Envoy and in OpenSSL 3.',
      refused:
        '{peer} refused every version we offered ({offered}) {how}. It requires a version outside that range, or is configured with a protocol floor/ceiling the client does not meet{wide}.',
    },
    remediation: [
      'Upgrade the peer\'s TLS configuration to TLS 1.2 or 1.3 (nginx: ssl_protocols TLSv1.2 TLSv1.3; Envoy: tls_params.tls_minimum_protocol_version: TLSv1_2)',
      'If the mesh raised its floor on purpose (meshConfig.meshMTLS.minProtocolVersion: TLSV1_3), upgrade the clients that cannot do TLS 1.3',
    ],
    verify: 'openssl s_client -connect {peer} -tls1_2 </dev/null; openssl s_client -connect {peer} -tls1_3 </dev/null',
  },
  check(ctx) {
    const probe = ctx.facts.probe!;
    const h = probe.primary;
    const o = h.outcome;
    const wide = probe.wide;
    const wideVersion = wide?.negotiated?.version ?? null;
    const oldVersion = !!wideVersion && /^(SSLv3|TLSv1|TLSv1\.1)$/.test(wideVersion);
    const negotiation = (o.kind === 'alert-received' || o.kind === 'alert-sent') && [40, 47, 70, 71].includes(o.alert) && (o.kind === 'alert-sent' || o.phase === 'before-server-hello');
    const version = ((o.kind === 'alert-received' || o.kind === 'alert-sent') && o.alert === 70) || (o.kind === 'tls-error' && /UNSUPPORTED_PROTOCOL|PROTOCOL_VERSION|NO_PROTOCOLS/.test(o.code));
    if (!version && !(negotiation && oldVersion)) return;
    const how = o.kind === 'alert-received' ? `with alert ${o.alert} ${o.name}` : o.kind === 'alert-sent' ? `(we aborted with alert ${o.alert} ${o.name}: ${o.code})` : `(${o.kind === 'tls-error' ? o.code : 'failed'})`;
    const offered = `${h.versionsOffered.min}–${h.versionsOffered.max}`;
    const evidence = [{ source: `probe ${h.attempt} → ${h.peer}`, detail: `offered ${offered}; ${how}` }];
    if (wide) evidence.push({ source: `probe wide → ${h.peer}`, detail: wide.negotiated ? `negotiated ${wide.negotiated.version} ${wide.negotiated.cipher}` : `also failed: ${wide.outcome.kind}` });
    if (oldVersion) {
      ctx.report({ messageId: 'peerOlder', subject: 'peer', data: { peer: h.peer, offered, how, accepted: wideVersion!, cipher: wide!.negotiated!.cipher }, evidence });
    } else {
      ctx.report({ messageId: 'refused', subject: 'peer', data: { peer: h.peer, offered, how, wide: wide ? (wide.negotiated ? ` (offered everything, it chose ${wide.negotiated.version})` : '; offering every version from TLS 1.0 did not help either') : '' }, evidence });
    }
  },
});
