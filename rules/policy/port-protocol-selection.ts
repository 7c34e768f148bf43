/**
 * Istio selects a port's protocol from the Service port's appProtocol, else from its name, "name: <protocol>[-<suffix>]",
 * and sniffs it otherwise: "If the protocol cannot automatically be determined, traffic will be treated as plain TCP
 * traffic" (istio.io, Protocol Selection). A port declared HTTP (http, http2, grpc) whose workload speaks something
 * else — its own TLS on 443, an HTTP CONNECT tunnel, a server-first protocol — is parsed as HTTP by the sidecars:
 * clients see resets, "protocol error" (UPE), a 404/503 from Envoy itself, or plaintext answers to their TLS.
 */
import { defineRule } from '../../src/engine/define-rule.js';

/** Istio's protocol names (a port name's prefix before the first "-", or appProtocol). */
const KNOWN = new Set(['http', 'http2', 'https', 'grpc', 'grpc-web', 'h2c', 'mongo', 'mysql', 'redis', 'tcp', 'tls', 'udp']);
const HTTP_FAMILY = new Set(['http', 'http2', 'grpc', 'grpc-web', 'h2c']);
/** Ports that conventionally carry TLS terminated by the application itself. */
const TLS_PORTS = new Set([443, 8443, 9443]);

/** The protocol Istio selects for a Service port, and from what: appProtocol first, then the name's prefix. */
export function selectedProtocol(portName: string | null, appProtocol: string | null): { protocol: string | null; from: 'appProtocol' | 'name' | 'sniffing' } {
  const ap = appProtocol?.toLowerCase().replace(/^kubernetes\.io\//, '') ?? null;
  if (ap && KNOWN.has(ap)) return { protocol: ap, from: 'appProtocol' };
  const name = portName?.toLowerCase() ?? '';
  const prefix = KNOWN.has(name) ? name : name.startsWith('grpc-web-') ? 'grpc-web' : name.split('-')[0]!;
  if (KNOWN.has(prefix)) return { protocol: prefix, from: 'name' };
  return { protocol: null, from: 'sniffing' };
}

export default defineRule({
  meta: {
    id: 'policy/port-protocol-selection',
    stage: 'policy',
    severity: 'warning',
    title: 'The Service port declares a protocol the workload may not speak',
    description: "Istio picks a port's protocol from its appProtocol or name (else it sniffs): an HTTP-family declaration on a port where the application terminates TLS itself, or no declaration at all, makes the sidecars parse the traffic wrongly.",
    requires: ['cluster'],
    confidence: 0.6,
    citation: 'istio.io Protocol Selection: "name: <protocol>[-<suffix>]" or appProtocol; "If the protocol cannot automatically be determined, traffic will be treated as plain TCP traffic"',
    explains: [
      { symptom: 'tls-to-http-port', weight: 0.9, why: 'The port is declared HTTP while the app sends TLS: the sidecar parses it as HTTP.' },
      { symptom: 'protocol-error', weight: 0.75, why: 'The sidecar parses the port as the declared protocol (HTTP/1.1, HTTP/2, gRPC) and the application answers in another: "protocol error", 502 UPE.' },
      { symptom: 'envoy-local-reply', weight: 0.45, why: 'A port declared HTTP carries a tunnel (HTTP CONNECT) or another protocol: Envoy routes it as HTTP and answers 404/503 itself.' },
      { symptom: 'plaintext-reply', weight: 0.3, why: 'The client speaks TLS to a port declared HTTP (its app terminates TLS itself): the sidecar answers in plaintext.', context: 'tls' },
      { symptom: 'upstream-terminated', weight: 0.2, why: 'The declared protocol does not match what the application speaks, so the upstream connection is closed mid-request.' },
      { symptom: 'timeout', weight: 0.2, why: 'A server-first protocol on an undeclared port hangs while the sidecar waits to sniff the first bytes.' },
    ],
    hint: {
      confirm: "the Service port's name/appProtocol selects a protocol (http, http2, grpc, tcp, tls…) other than what the application on it speaks",
      next: "kubectl get svc SERVICE -n NS -o jsonpath='{range .spec.ports[*]}{.name}{\"\\t\"}{.port}{\"\\t\"}{.appProtocol}{\"\\n\"}{end}'",
      fix: 'Name the port for what it carries (https-*/tls-* for TLS the app terminates, tcp-* for tunnels and server-first protocols, grpc-* for gRPC) or set appProtocol.',
      subject: 'peer',
    },
    messages: {
      httpOnTlsPort:
        'Service {service} port {port} is declared {protocol} ({from} "{declared}"), but {port} is a port where applications usually terminate TLS themselves: if this one does, the sidecars parse its TLS as {protocol} and clients see resets, "protocol error" or plaintext answers. Declare it https or tls (name https-… or appProtocol https).',
      undeclared:
        'Service {service} port {port} ("{declared}") declares no protocol Istio recognises and has no appProtocol: Istio sniffs the first bytes, treats anything that is not HTTP as plain TCP, and server-first protocols wait on the sniffing. Name it <protocol>-… (http, grpc, tcp, tls…) or set appProtocol.',
    },
    remediation: [
      'Declare what the port carries: name: https-{port} (TLS terminated by the application), tcp-… (tunnels, databases), grpc-… (gRPC), or spec.ports[].appProtocol',
      'Check what the application actually speaks on the port: kubectl exec deploy/CLIENT -c istio-proxy -- openssl s_client -connect {service}:{port} </dev/null',
    ],
    verify: "kubectl get svc {serviceName} -n {namespace} -o jsonpath='{.spec.ports[?(@.port=={port})]}'",
  },
  applies: (ctx) => !!ctx.facts.cluster?.peer,
  check(ctx) {
    const peer = ctx.facts.cluster!.peer!;
    if (peer.portName === null && peer.appProtocol === null) return; // not collected (an older bundle) or truly unnamed: sniffing, below
    const sel = selectedProtocol(peer.portName, peer.appProtocol);
    const data = { service: `${peer.service}.${peer.namespace}`, serviceName: peer.service, namespace: peer.namespace, port: peer.port, protocol: sel.protocol ?? 'unknown', from: sel.from, declared: sel.from === 'appProtocol' ? (peer.appProtocol ?? '') : (peer.portName ?? '') };
    const evidence = [{ source: `Service ${peer.namespace}/${peer.service}`, detail: `port ${peer.port}: name ${peer.portName ?? '(none)'}, appProtocol ${peer.appProtocol ?? '(none)'}` }];
    if (sel.protocol && HTTP_FAMILY.has(sel.protocol) && TLS_PORTS.has(peer.port)) ctx.report({ messageId: 'httpOnTlsPort', subject: 'peer', data, evidence });
    else if (sel.protocol === null) ctx.report({ messageId: 'undeclared', subject: 'peer', severity: 'info', confidence: 0.4, data, evidence });
  },
});
