/**
 * A server whose effective PeerAuthentication on the port is STRICT accepts only mTLS: "STRICT: Connection is an
 * mTLS tunnel (TLS with client cert must be presented)" (istio.io PeerAuthentication reference, MutualTLS.Mode).
 * A caller without a sidecar, or whose DestinationRule says `tls.mode: DISABLE`, sends plaintext; the server's
 * inbound listener has no plaintext filter chain for it, so Envoy resets the connection
 * (`no_filter_chain_match` / "filter_chain_not_found", the client sees "connection reset by peer" or 503 UC).
 * Modes are computed as istiod does (src/facts/policy.ts: policy_applier.go, cluster_tls.go).
 */
import { defineRule } from '../../src/engine/define-rule.js';
import { describePolicy, type PeerEndpointFact } from '../../src/facts/policy.js';

const WHY = { 'no-sidecar': 'noSidecar', 'destination-rule': 'drDisable', 'auto-mtls-off': 'autoOff', 'auto-mtls-no-label': 'noLabel', 'excluded-outbound': 'excludedOutbound' } as const;

export default defineRule({
  meta: {
    id: 'policy/strict-plaintext-client',
    stage: 'policy',
    severity: 'critical',
    title: 'A STRICT mTLS server is called in plaintext',
    description: "The server's effective PeerAuthentication on the port is STRICT, and the caller sends plaintext: it has no sidecar, its DestinationRule says DISABLE, or auto-mTLS cannot apply.",
    requires: ['cluster'],
    confidence: 0.95,
    citation: 'istio.io PeerAuthentication: "STRICT: Connection is an mTLS tunnel (TLS with client cert must be presented)"; pilot/pkg/networking/core/cluster_tls.go buildAutoMtlsSettings',
    messages: {
      noSidecar:
        '{client} has no istio-proxy sidecar, so it calls {service}:{port} in plaintext, but {pods} {accept} only mTLS on port {targetPort} ({policy}). Their inbound listener has no plaintext filter chain: Envoy resets every such connection (no_filter_chain_match, "connection reset by peer").',
      drDisable:
        'DestinationRule {dr} sets tls.mode DISABLE for {service}:{port}, so {client} sends plaintext, but {pods} {accept} only mTLS on port {targetPort} ({policy}). Envoy on the server resets every such connection (no_filter_chain_match, "connection reset by peer", 503 UC).',
      autoOff:
        'Auto mTLS is off in the mesh config (enableAutoMtls: false) and no DestinationRule sets tls for {service}:{port}, so {client} sends plaintext, but {pods} {accept} only mTLS on port {targetPort} ({policy}). Envoy on the server resets every such connection (no_filter_chain_match).',
      excludedOutbound:
        '{client} calls {service}:{port} around its sidecar ({excluded}): plaintext, but {pods} {accept} only mTLS ({policy}).',
      noLabel:
        '{pods} {lack} the label security.istio.io/tlsMode=istio, so auto mTLS in {client} sends plaintext there, but {pods} {accept} only mTLS on port {targetPort} ({policy}). Envoy on the server resets every such connection (no_filter_chain_match).',
    },
    explains: [
      { symptom: 'tls-mode-conflict', weight: 0.6, why: 'The client sends plaintext (no sidecar, or TLS turned off) to a server whose PeerAuthentication is STRICT.' },
      { symptom: 'no-filter-chain', weight: 0.6, why: 'A STRICT inbound listener has only mTLS filter chains: a plaintext connection matches none (no_filter_chain_match).' },
      { symptom: 'plaintext-request', weight: 0.9, why: 'The caller has no sidecar, or its DestinationRule says DISABLE, while the server is STRICT on that port.', context: 'mesh' },
      { symptom: 'reset', weight: 0.45, why: 'Envoy on a STRICT server resets plaintext connections: the caller sees "connection reset by peer" / 503 UC.' },
      { symptom: 'upstream-terminated', weight: 0.45, why: 'The server sidecar closes plaintext connections to a STRICT port before any response.' },
      { symptom: 'probe:closed-before-hello', weight: 0.3, why: 'A plaintext client into STRICT sees the connection closed without an answer.' },
    ],
    hint: {
      confirm: "the server's effective PeerAuthentication on that port is STRICT and the caller sends plaintext (no sidecar, DestinationRule tls DISABLE, or auto mTLS off)",
      next: 'mtls-doctor diagnose pod/CLIENT -n NS --peer SVC.NS:PORT',
      fix: 'Inject the caller\'s sidecar or set its DestinationRule tls to ISTIO_MUTUAL; or make the server PERMISSIVE on purpose.',
      subject: 'peer',
    },
    remediation: [
      'Put the caller in the mesh (inject its sidecar: label its namespace istio-injection=enabled and restart it), or set tls.mode ISTIO_MUTUAL (or remove the tls block) in the DestinationRule for {service}',
      'If plaintext callers must be accepted for now, relax the server side deliberately: a workload PeerAuthentication with mtls.mode PERMISSIVE (or portLevelMtls for port {targetPort})',
    ],
    verify: 'istioctl x describe pod {podName} -n {podNamespace}  # and: kubectl exec {clientName}{clientNs} -- curl -sv http://{service}:{port}/',
  },
  applies: (ctx) => !!ctx.facts.cluster?.peer && ctx.facts.cluster.peer.endpoints.length > 0,
  check(ctx) {
    const c = ctx.facts.cluster!;
    const peer = c.peer!;
    const groups = new Map<string, PeerEndpointFact[]>();
    for (const e of peer.endpoints) {
      if (e.serverMode !== 'STRICT' || e.sends.tls !== 'plaintext') continue;
      const id = WHY[e.sends.why as keyof typeof WHY];
      if (!id) continue;
      groups.set(id, [...(groups.get(id) ?? []), e]);
    }
    for (const [messageId, eps] of groups) {
      const first = eps[0]!;
      const dr = peer.destinationRule ? `${peer.destinationRule.namespace}/${peer.destinationRule.name}` : 'none';
      ctx.report({
        messageId: messageId as (typeof WHY)[keyof typeof WHY],
        subject: `pod/${first.pod.name}`,
        about: `strict-plaintext:${peer.host}:${peer.port}`,
        data: {
          client: c.pod ? `pod/${c.pod.name}` : 'the caller',
          clientName: c.pod?.name ?? 'CLIENT',
          // The caller's namespace (its pod may live anywhere): the command must not depend on the current context's.
          clientNs: ` -n ${c.pod?.namespace ?? 'NAMESPACE'}`,
          service: `${peer.service}.${peer.namespace}`,
          namespace: peer.namespace,
          port: peer.port,
          targetPort: first.containerPort ?? peer.port,
          pods: eps.map((e) => `pod/${e.pod.name}`).join(', '),
          accept: eps.length === 1 ? 'accepts' : 'accept',
          lack: eps.length === 1 ? 'lacks' : 'lack',
          podName: first.pod.name,
          podNamespace: first.pod.namespace,
          policy: describePolicy(first.policy, first.containerPort),
          dr,
          excluded: first.sends.tls === 'plaintext' && first.sends.excluded ? first.sends.excluded : '',
        },
        evidence: [
          { source: 'PeerAuthentication', detail: `${first.pod.name}:${first.containerPort ?? peer.port}: ${describePolicy(first.policy, first.containerPort)}` },
          { source: c.pod ? `pod/${c.pod.name}` : 'caller', detail: c.pod?.sidecar === false ? 'no istio-proxy container' : `sends ${first.sends.tls} (${first.sends.why})` },
          ...(peer.destinationRule ? [{ source: `DestinationRule ${dr}`, detail: `host ${peer.destinationRule.host}: tls ${peer.tls ? peer.tls.mode : 'not set'} (${peer.tlsOrigin})` }] : []),
        ],
      });
    }
  },
});
