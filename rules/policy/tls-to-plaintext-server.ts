/**
 * A caller that originates Istio mTLS (a DestinationRule with `tls.mode: ISTIO_MUTUAL`, used as written: "if
 * tls.Mode != ISTIO_MUTUAL { return tls, userSupplied }" … ISTIO_MUTUAL is filled in and kept — cluster_tls.go
 * buildAutoMtlsSettings) to a workload without a sidecar, or whose PeerAuthentication is DISABLE, sends a TLS
 * ClientHello to something that speaks plaintext: the handshake fails ("upstream connect error or disconnect/reset
 * before headers. reset reason: connection failure, transport failure reason: TLS error: … WRONG_VERSION_NUMBER",
 * 503 UF/URX). Auto mTLS avoids this by sending mTLS only to endpoints labelled security.istio.io/tlsMode=istio.
 */
import { defineRule } from '../../src/engine/define-rule.js';
import { describePolicy, type PeerEndpointFact } from '../../src/facts/policy.js';

export default defineRule({
  meta: {
    id: 'policy/tls-to-plaintext-server',
    stage: 'policy',
    severity: 'critical',
    title: 'mTLS is originated to a server that speaks plaintext',
    description: 'The caller sends Istio mTLS (a DestinationRule with ISTIO_MUTUAL, or an endpoint labelled for mTLS) to a workload without a sidecar or with PeerAuthentication DISABLE.',
    requires: ['cluster'],
    confidence: 0.9,
    citation: 'pilot/pkg/networking/core/cluster_tls.go buildAutoMtlsSettings: a DestinationRule tls is used as written; auto mTLS only for endpoints labelled security.istio.io/tlsMode=istio',
    messages: {
      noSidecar:
        'DestinationRule {dr} makes {client} send Istio mTLS (ISTIO_MUTUAL) to {service}:{port}, but {pods} {have} no istio-proxy sidecar: the application receives a TLS ClientHello it cannot read, and the caller sees "TLS error: … WRONG_VERSION_NUMBER" / 503 UF.',
      disabled:
        'DestinationRule {dr} makes {client} send Istio mTLS (ISTIO_MUTUAL) to {service}:{port}, but {pods} {have} mTLS DISABLE on port {targetPort} ({policy}): their sidecar passes the TLS bytes to the application as plaintext, and the handshake fails (503 UF, "TLS error: … WRONG_VERSION_NUMBER").',
      labelWithoutSidecar:
        '{pods} {carry} the label security.istio.io/tlsMode=istio but {have} no istio-proxy sidecar, so auto mTLS in {client} sends them Istio mTLS that nothing there terminates (503 UF, "TLS error: … WRONG_VERSION_NUMBER").',
    },
    explains: [
      { symptom: 'tls-to-plaintext-port', weight: 0.5, why: 'A DestinationRule (ISTIO_MUTUAL) sends mTLS to a workload without a sidecar, whose application logs the ClientHello.', context: 'mesh' },
      { symptom: 'h2-preface-missing', weight: 0.45, why: 'ISTIO_MUTUAL to a gRPC server without a sidecar: it reads a ClientHello.', context: 'mesh' },
      { symptom: 'plaintext-reply', weight: 0.9, why: 'The caller originates Istio mTLS (DestinationRule ISTIO_MUTUAL) to a workload without a sidecar or with PeerAuthentication DISABLE: a plaintext reply to a ClientHello (WRONG_VERSION_NUMBER).' },
      { symptom: 'handshake-failed', weight: 0.25, why: 'The server side cannot terminate the Istio mTLS the caller sends.' },
      { symptom: 'upstream-connect-failure', weight: 0.3, why: '503 UF with "TLS error" when mTLS is sent to a sidecar-less server.' },
    ],
    hint: {
      confirm: 'a DestinationRule sets ISTIO_MUTUAL for a server that has no istio-proxy or whose PeerAuthentication is DISABLE',
      next: 'mtls-doctor diagnose pod/CLIENT -n NS --peer SVC.NS:PORT',
      fix: 'Remove ISTIO_MUTUAL from the DestinationRule (auto mTLS then sends mTLS only where a sidecar terminates it), or inject the server sidecar.',
      subject: 'peer',
    },
    remediation: [
      'Remove tls.mode ISTIO_MUTUAL from DestinationRule {dr} (auto mTLS then sends mTLS only where a sidecar terminates it), or set tls.mode DISABLE for {service}',
      'Or put the server in the mesh: inject its sidecar and restart {pods}; with PeerAuthentication DISABLE, decide whether it should be PERMISSIVE',
    ],
    verify: 'istioctl proxy-config cluster {clientName} -n {clientNamespace} --fqdn {service}.svc.cluster.local -o json | grep -A3 transportSocket',
  },
  applies: (ctx) => !!ctx.facts.cluster?.peer && ctx.facts.cluster.peer.endpoints.length > 0,
  check(ctx) {
    const c = ctx.facts.cluster!;
    const peer = c.peer!;
    const groups = new Map<'noSidecar' | 'disabled' | 'labelWithoutSidecar', PeerEndpointFact[]>();
    for (const e of peer.endpoints) {
      if (e.sends.tls !== 'ISTIO_MUTUAL') continue;
      const id = e.sends.why === 'auto-mtls' ? (e.serverMode === 'no-sidecar' ? 'labelWithoutSidecar' : null) : e.serverMode === 'no-sidecar' ? 'noSidecar' : e.serverMode === 'DISABLE' ? 'disabled' : null;
      if (id) groups.set(id, [...(groups.get(id) ?? []), e]);
    }
    for (const [messageId, eps] of groups) {
      const first = eps[0]!;
      const dr = peer.destinationRule ? `${peer.destinationRule.namespace}/${peer.destinationRule.name}` : 'none';
      ctx.report({
        messageId,
        subject: `pod/${first.pod.name}`,
        about: `tls-to-plaintext:${peer.host}:${peer.port}`,
        data: {
          client: c.pod ? `pod/${c.pod.name}` : 'the caller',
          clientName: c.pod?.name ?? 'CLIENT',
          clientNamespace: c.pod?.namespace ?? 'NS',
          service: `${peer.service}.${peer.namespace}`,
          port: peer.port,
          targetPort: first.containerPort ?? peer.port,
          pods: eps.map((e) => `pod/${e.pod.name}`).join(', '),
          have: eps.length === 1 ? 'has' : 'have',
          carry: eps.length === 1 ? 'carries' : 'carry',
          policy: describePolicy(first.policy, first.containerPort),
          dr,
        },
        evidence: [
          ...(peer.destinationRule ? [{ source: `DestinationRule ${dr}`, detail: `host ${peer.destinationRule.host}: tls ${peer.tls?.mode ?? 'not set'} (${peer.tlsOrigin})` }] : []),
          { source: `pod/${first.pod.name}`, detail: first.pod.sidecar ? `istio-proxy present; ${describePolicy(first.policy, first.containerPort)}` : `no istio-proxy container${first.pod.labels['security.istio.io/tlsMode'] ? `; label security.istio.io/tlsMode=${first.pod.labels['security.istio.io/tlsMode']}` : ''}` },
        ],
      });
    }
  },
});
