/**
 * RFC 8446 §4.4.2.4: a server that requires client authentication aborts with alert 116 certificate_required
 * (TLS 1.3) or 40 handshake_failure (TLS 1.2) when the client sends none; nginx answers 400 "No required SSL
 * certificate was sent". In a mesh: the server is STRICT and the client has no sidecar, or its DestinationRule
 * sends plain TLS (SIMPLE) or nothing (DISABLE).
 */
import { defineRule } from '../../src/engine/define-rule.js';
import { diagnoseFileFlags } from '../_kit/index.js';

const withFlags = (f: Parameters<typeof diagnoseFileFlags>[0]) => {
  const flags = diagnoseFileFlags(f);
  return flags ? ` ${flags}` : '';
};

export default defineRule({
  meta: {
    id: 'transport/client-cert-required',
    stage: 'transport',
    severity: 'error',
    title: 'Peer requires a client certificate',
    description: 'The peer refused a handshake without a client certificate, and no handshake with our certificate was possible.',
    requires: ['handshake'],
    confidence: 0.85,
    citation: 'RFC 8446 §4.4.2.4; Istio PeerAuthentication STRICT',
    explains: [
      { symptom: 'proxy-upstream-handshake', weight: 0.3, why: 'The upstream requires a client certificate the proxy does not present (proxy_ssl_certificate).', context: 'tls' },
      { symptom: 'alert:116', weight: 0.95, why: 'A TLS 1.3 server demanded a client certificate: the caller used TLS without its mesh certificate (DestinationRule SIMPLE, or no sidecar originating mTLS).' },
      { symptom: 'alert:40', weight: 0.55, why: 'A TLS 1.2 server that requires a client certificate and got none sends handshake_failure.' },
      { symptom: 'plaintext-request', weight: 0.5, why: 'The port is STRICT: a caller must use mesh mTLS with its certificate.' },
      { symptom: 'no-filter-chain', weight: 0.7, why: 'A plaintext (or non-mesh TLS) caller reached a STRICT port: only mTLS chains exist (envoyproxy/ratelimit#296).', context: 'tls' },
      { symptom: 'no-client-cert', weight: 0.95, why: 'The caller connected with TLS but no client certificate (DestinationRule SIMPLE, an app doing its own TLS, a probe without --cert).' },
      { symptom: 'upstream-terminated', weight: 0.55, why: 'Under STRICT the server closes connections that are not mesh mTLS: a client without a sidecar or with DestinationRule DISABLE (istio#27169).' },
      { symptom: 'reset', weight: 0.5, why: 'A plaintext or certificate-less client to a STRICT mTLS port is reset (curl exit 56: istio mtls-migration docs).', context: 'tls' },
      { symptom: 'handshake-failed', weight: 0.45, why: 'The server requires a client certificate we did not send.' },
    ],
    hint: {
      confirm: 'the server port is STRICT (PeerAuthentication) while the caller uses plaintext or TLS without its mesh certificate',
      next: 'istioctl proxy-config cluster CLIENT_POD -n NS --fqdn SERVICE -o json | grep -c transportSocket',
      fix: 'Give the caller a sidecar (or DestinationRule ISTIO_MUTUAL), or relax the server port to PERMISSIVE during migration.',
    },
    messages: {
      noChain:
        '{peer} requires a client certificate ({how}) and refused this probe, which offered none: this is what STRICT mTLS means, not a fault of the peer. A client without a certificate fails the same way (in a mesh: a pod without a sidecar, or a DestinationRule with tls.mode SIMPLE/DISABLE, calling this port). To test a workload\'s own handshake, give its certificate with --chain and --key.',
      noKey:
        '{peer} requires a client certificate ({how}). We have the workload\'s chain but not its key, so the probe could not present it: give --key FILE to handshake as the workload and see whether the peer accepts that certificate.',
      keyUnusable:
        '{peer} demands a client certificate ({how}), and the workload handshake could not be made: {reason}. The workload cannot present its certificate either: fix the key/certificate pair first.',
    },
    remediation: ['{first}', '{second}'],
    verify: 'mtls-doctor diagnose --peer {peer}{files}',
  },
  check(ctx) {
    const probe = ctx.facts.probe!;
    if (probe.demandsClientCertificate !== true || !probe.anonymous) return;
    // A handshake with our certificate was made: the demand is met (or the rejection is judged elsewhere).
    if (probe.workload && probe.workload.outcome.kind !== 'not-attempted') return;
    const o = probe.anonymous.outcome;
    const how =
      o.kind === 'alert-received' ? `alert ${o.alert} ${o.name}` : o.kind === 'rejected-after-handshake' ? `HTTP ${o.status} "${o.detail}"` : 'it closed the connection after asking for one';
    const evidence = [{ source: `probe anonymous → ${probe.peer}`, detail: `no client certificate presented; peer answered ${how}` }];
    const data = { peer: probe.peer, files: withFlags(ctx.facts), how, reason: probe.workload?.outcome.kind === 'not-attempted' ? probe.workload.outcome.reason : '' };
    const messageId = probe.workload ? 'keyUnusable' : ctx.facts.local ? 'noKey' : 'noChain';
    // We offered no certificate ourselves: the peer demanding one is information (STRICT), not a failure.
    const selfInflicted = messageId !== 'keyUnusable';
    const asWorkload = `mtls-doctor diagnose --peer ${probe.peer} --chain CERT-CHAIN.pem --key KEY.pem --trust ROOT-CERT.pem`;
    const fix = selfInflicted
      ? {
          first: `Nothing to fix if ${probe.peer} is meant to be STRICT. To see whether it accepts a workload's certificate, handshake as that workload: ${asWorkload}`,
          second: 'If a real caller fails like this probe: check it has a sidecar and that its DestinationRule for this host uses tls.mode ISTIO_MUTUAL (or none, for auto mTLS): istioctl x describe pod CLIENT -n NAMESPACE',
        }
      : {
          first: 'If the caller is a mesh workload: check it has a sidecar and that its DestinationRule for this host uses tls.mode ISTIO_MUTUAL (or none, for auto mTLS): istioctl x describe pod CLIENT -n NAMESPACE',
          second: 'If the caller is outside the mesh on purpose: allow plaintext or TLS on that port only (PeerAuthentication portLevelMtls mode PERMISSIVE) or route it through an ingress gateway',
        };
    ctx.report({ messageId, subject: 'peer', data: { ...data, ...fix }, evidence, ...(selfInflicted ? { severity: 'info' as const, confidence: 0.95 } : {}) });
  },
});
