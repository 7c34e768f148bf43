/**
 * A DestinationRule `tls` block is used as written and replaces Istio mTLS for its host: "if tls.Mode !=
 * ISTIO_MUTUAL { return tls, userSupplied }" (cluster_tls.go buildAutoMtlsSettings). SIMPLE or MUTUAL towards a
 * sidecar sends the application's own TLS (no Istio client certificate, no istio ALPN) to an inbound listener
 * that expects Istio mTLS; and with auto mTLS off, a DestinationRule with a `trafficPolicy` but no `tls` sends
 * plaintext where ISTIO_MUTUAL was meant (before auto mTLS, the mesh-wide ISTIO_MUTUAL lived in such rules).
 * `portLevelSettings` replace the top-level policy for their port; they are not merged with it.
 */
import { defineRule } from '../../src/engine/define-rule.js';
import { describePolicy } from '../../src/facts/policy.js';

export default defineRule({
  meta: {
    id: 'policy/destination-rule-overrides-mtls',
    stage: 'policy',
    severity: 'error',
    title: 'A DestinationRule replaces Istio mTLS',
    description: 'A DestinationRule for the peer sets tls SIMPLE or MUTUAL towards sidecars (replacing ISTIO_MUTUAL), or has a trafficPolicy without tls while auto mTLS is off, so the caller does not send Istio mTLS where it is expected.',
    requires: ['cluster'],
    confidence: 0.85,
    citation: 'pilot/pkg/networking/core/cluster_tls.go buildAutoMtlsSettings: "if tls.Mode != ISTIO_MUTUAL { return tls, userSupplied }"',
    messages: {
      replaced:
        'DestinationRule {dr} sets tls.mode {mode} ({origin}) for {service}:{port}, which replaces Istio mTLS: {client} presents {certNote} instead of its mesh certificate, and {pods} (sidecar, {policy}) expect Istio mTLS. Expect "TLS error … CERTIFICATE_VERIFY_FAILED", "certificate required" or no_filter_chain_match on the server.',
      noTlsAutoOff:
        'DestinationRule {dr} has a trafficPolicy for {service}:{port} without tls while auto mTLS is off (enableAutoMtls: false): {client} sends plaintext, although {pods} run sidecars ({policy}). Before auto mTLS, ISTIO_MUTUAL had to be written in every such rule.',
    },
    explains: [
      { symptom: 'tls-mode-conflict', weight: 0.85, why: 'A DestinationRule without tls (or tls DISABLE) makes the client send plaintext to a server that requires mTLS: istioctl shows the pair as CONFLICT.' },
      { symptom: 'no-client-cert', weight: 0.6, why: 'tls.mode SIMPLE replaces ISTIO_MUTUAL: the caller presents no client certificate to a sidecar that requires one.' },
      { symptom: 'alert:116', weight: 0.6, why: 'SIMPLE TLS to a STRICT sidecar: TLS 1.3 "certificate required".' },
      { symptom: 'no-filter-chain', weight: 0.35, why: 'TLS without the istio ALPN, or plaintext, where the inbound expects Istio mTLS.' },
      { symptom: 'plaintext-request', weight: 0.5, why: 'A trafficPolicy without tls while auto mTLS is off sends plaintext.' },
    ],
    hint: {
      confirm: 'a DestinationRule for the host sets tls SIMPLE/MUTUAL (top level or for the port), or has no tls while auto mTLS is off',
      next: 'istioctl x describe pod POD -n NS',
      fix: 'Set trafficPolicy.tls.mode ISTIO_MUTUAL (and in the port-level entry), or remove the tls block so auto mTLS applies.',
      subject: 'peer',
    },
    remediation: [
      'In DestinationRule {dr} set trafficPolicy.tls.mode ISTIO_MUTUAL (and in any portLevelSettings entry for port {port}: a port-level entry replaces the top level), or remove the tls block so auto mTLS applies',
      'Use SIMPLE/MUTUAL only for destinations outside the mesh (no sidecar), with the credentials they expect',
    ],
    verify: 'istioctl x describe pod {podName} -n {podNamespace}  # "Effective DestinationRule" and its TLS mode',
  },
  applies: (ctx) => !!ctx.facts.cluster?.peer?.destinationRule && ctx.facts.cluster.peer.endpoints.length > 0,
  check(ctx) {
    const c = ctx.facts.cluster!;
    const peer = c.peer!;
    const dr = peer.destinationRule!;
    const sidecars = peer.endpoints.filter((e) => e.serverMode !== 'no-sidecar');
    if (sidecars.length === 0) return;
    const first = sidecars[0]!;
    const base = {
      dr: `${dr.namespace}/${dr.name}`,
      client: c.pod ? `pod/${c.pod.name}` : 'the caller',
      service: `${peer.service}.${peer.namespace}`,
      port: peer.port,
      pods: sidecars.map((e) => `pod/${e.pod.name}`).join(', '),
      podName: first.pod.name,
      podNamespace: first.pod.namespace,
      policy: describePolicy(first.policy, first.containerPort),
    };
    const evidence = [{ source: `DestinationRule ${base.dr}`, detail: `host ${dr.host}: trafficPolicy ${dr.trafficPolicy ? 'present' : 'absent'}, tls ${peer.tls ? peer.tls.mode : 'not set'} (${peer.tlsOrigin})${dr.portLevelSettings.length ? `; portLevelSettings for ${dr.portLevelSettings.map((p) => p.port).join(', ')}` : ''}` }];
    if (peer.tls && (peer.tls.mode === 'SIMPLE' || peer.tls.mode === 'MUTUAL')) {
      ctx.report({
        messageId: 'replaced',
        severity: first.serverMode === 'STRICT' ? 'error' : 'warning',
        subject: `DestinationRule ${base.dr}`,
        about: `dr-overrides:${peer.host}:${peer.port}`,
        data: { ...base, mode: peer.tls.mode, origin: peer.tlsOrigin === 'port-level' ? `portLevelSettings ${peer.port}` : 'trafficPolicy.tls', certNote: peer.tls.mode === 'SIMPLE' ? 'no client certificate at all' : 'the certificate named in the rule' },
        evidence,
      });
    } else if (!peer.tls && dr.trafficPolicy && c.mesh && !c.mesh.autoMtls) {
      ctx.report({ messageId: 'noTlsAutoOff', severity: first.serverMode === 'STRICT' ? 'error' : 'warning', subject: `DestinationRule ${base.dr}`, about: `dr-overrides:${peer.host}:${peer.port}`, data: base, evidence: [...evidence, { source: c.mesh.source, detail: 'enableAutoMtls: false' }] });
    }
  },
});
