/**
 * Before any certificate matters the peer must be reachable: a name that resolves, a port that accepts, a
 * process that answers a ClientHello. Envoy reports these as `UF` (upstream connection failure) with
 * `connection failure` and no TLS error ("transport failure reason: -"), or as connect timeouts.
 */
import { defineRule } from '../../src/engine/define-rule.js';
import { seconds } from '../_kit/index.js';

export default defineRule({
  meta: {
    id: 'transport/peer-unreachable',
    stage: 'transport',
    severity: 'critical',
    title: 'Peer unreachable',
    description: 'The probe could not get a TLS conversation going: the name does not resolve, the port refuses, or nothing answers in time.',
    requires: ['handshake'],
    confidence: 0.95,
    citation: 'Envoy response flag UF (upstream connection failure), URX; connect_timeout',
    explains: [
      { symptom: 'envoy-local-reply', weight: 0.35, why: 'Envoy answers 503 itself when the destination has no healthy endpoint or none is listening.' },
      { symptom: 'upstream-connect-failure', weight: 0.45, why: 'UF also covers plain TCP connect failures (no endpoint listening, network policy).' },
      { symptom: 'reset', weight: 0.25, why: 'Or nothing healthy listens behind the address.' },
      { symptom: 'connection-refused', weight: 0.95, why: 'No process listens on that address and port (wrong port, pod not ready, sidecar not up yet).' },
      { symptom: 'host-unreachable', weight: 0.95, why: 'A stale or unroutable address, a firewall, or the host is down.' },
      { symptom: 'dns-failure', weight: 0.95, why: 'The service name does not resolve from here (typo, other namespace, ServiceEntry missing).' },
      { symptom: 'timeout', weight: 0.7, why: 'Packets are dropped (NetworkPolicy, firewall) or the peer is overloaded.' },
      { symptom: 'no-healthy-upstream', weight: 0.8, why: 'No endpoint is ready (or all are ejected by outlier detection): not a TLS problem.' },
      { symptom: 'probe:unreachable', weight: 0.95, why: 'Nothing answered at the address: no route, no listener, or a firewall dropping the packets.' },
    ],
    hint: {
      confirm: 'no ready endpoint listens at the address (kubectl get endpoints is empty, or nc cannot connect)',
      next: 'kubectl get endpoints SERVICE -n NS -o wide',
      fix: 'Fix the address/port or the endpoint readiness before looking at TLS.',
      subject: 'peer',
    },
    messages: {
      dns: 'The name in {peer} does not resolve ({code}). Nothing about certificates can be judged until it does: check the service name and namespace (NAME.NAMESPACE.svc.cluster.local), and that the Service exists.',
      refused: 'Nothing listens on {peer}: the connection was refused. The pod is not running or not ready, the Service targets the wrong port, or the container listens on another port or only on localhost.',
      unreachable: '{peer} cannot be reached ({code}): no route to it from here (NetworkPolicy, a firewall, or a wrong address).',
      connectTimeout: '{peer} did not accept the TCP connection within {ms}: packets are dropped on the way (NetworkPolicy, a firewall, a wrong address) or the peer is overloaded.',
      stalled: '{peer} accepted the TCP connection but never answered our ClientHello within {ms}. The process behind the port is hung, or speaks a protocol where the client must talk first and ignored TLS, or a proxy in between holds the connection.',
    },
    remediation: [
      'Check the Service and its endpoints: kubectl get svc,endpointslices -n NAMESPACE | grep NAME',
      'Check that the pod is ready and listening on the port: kubectl get pod -n NAMESPACE -o wide; kubectl exec POD -c istio-proxy -- ss -ltnp',
      'From the client pod, test the TCP connection itself: kubectl exec CLIENT -c istio-proxy -- curl -sv telnet://{peer}',
    ],
    verify: 'mtls-doctor diagnose --peer {peer}',
  },
  check(ctx) {
    const probe = ctx.facts.probe!;
    const h = probe.primary;
    const o = h.outcome;
    const evidence = [{ source: `probe ${h.attempt} → ${h.peer}`, detail: JSON.stringify(o) }];
    const base = { peer: h.peer };
    if (o.kind === 'dns-failure') ctx.report({ messageId: 'dns', subject: 'peer', data: { ...base, code: o.code }, evidence });
    else if (o.kind === 'refused') ctx.report({ messageId: 'refused', subject: 'peer', data: base, evidence });
    else if (o.kind === 'unreachable') ctx.report({ messageId: 'unreachable', subject: 'peer', data: { ...base, code: o.code }, evidence });
    else if (o.kind === 'timeout') ctx.report({ messageId: o.phase === 'connect' ? 'connectTimeout' : 'stalled', subject: 'peer', data: { ...base, ms: seconds(o.afterMs) }, evidence });
  },
});
