/**
 * RFC 6066 §3: "If the server understood the ClientHello extension but does not recognize the server name, the
 * server SHOULD take one of two actions: either abort the handshake by sending a fatal-level unrecognized_name(112)
 * alert or continue the handshake." Servers that pick their certificate and filter chain by SNI (nginx and Apache
 * virtual hosts, Envoy listeners with filter_chain_match.server_names such as an Istio Gateway with hosts) refuse
 * a name they do not serve — or no name at all: nginx sends none to its upstreams unless proxy_ssl_server_name is
 * on, and a client that dials an IP sends none either. Envoy closes such a connection without an alert
 * ("no matching filter chain found"); OpenSSL-based servers answer alert 112, or 40 handshake_failure.
 */
import { defineRule } from '../../src/engine/define-rule.js';

export default defineRule({
  meta: {
    id: 'transport/sni-mismatch',
    stage: 'transport',
    severity: 'critical',
    title: 'Server name (SNI) missing or not served by the peer',
    description: 'The peer refused the handshake because of the server name we sent in SNI: it serves no TLS for that name (alert 112 unrecognized_name), or we sent no name to a server that selects by name.',
    requires: ['handshake'],
    confidence: 0.85,
    citation: 'RFC 6066 §3 (server_name: unrecognized_name); nginx proxy_ssl_server_name (default off); Envoy filter_chain_match.server_names',
    explains: [
      { symptom: 'alert:112', weight: 0.95, why: 'The peer has no TLS virtual host (certificate, filter chain) for the name we sent, or we sent none.' },
      { symptom: 'proxy-upstream-handshake', weight: 0.8, why: 'nginx sends no SNI to an HTTPS upstream unless proxy_ssl_server_name is on; an upstream that selects by name refuses the handshake.', context: 'tls' },
      { symptom: 'no-filter-chain-tls', weight: 0.8, why: 'The listener selects its filter chain by server name (an Istio Gateway\'s hosts): a client that sends another name, or none (dialled by IP), matches no chain.' },
      { symptom: 'alert:40', weight: 0.25, why: 'Some servers answer a name they do not serve, or a missing SNI, with handshake_failure.' },
      { symptom: 'probe:closed-before-hello', weight: 0.25, why: 'An Envoy listener that selects by SNI closes a ClientHello whose name it does not serve, without an alert.' },
    ],
    hint: {
      confirm: 'the handshake succeeds with the server\'s own name as SNI (openssl s_client -servername NAME) and fails without it, or with the name the client sent',
      next: 'openssl s_client -connect HOST:PORT -servername SERVER_NAME </dev/null 2>&1 | head -5; openssl s_client -connect HOST:PORT -noservername </dev/null 2>&1 | head -5',
      fix: 'Send the name the server serves as SNI: nginx proxy_ssl_server_name on (and proxy_ssl_name NAME); dial the host name, not its IP (curl --resolve NAME:PORT:IP); list that name in the Gateway hosts / server_name.',
      subject: 'local',
    },
    messages: {
      unrecognized: '{peer} refused the server name we sent ({sni}) with alert 112 unrecognized_name: it has no TLS virtual host, certificate or filter chain for that name.',
      noSni: '{peer} aborted the handshake (alert {alert} {alertName}) and we sent no server name (SNI): a server that selects its certificate or filter chain by name has nothing to answer with.',
    },
    remediation: [
      'Send the name the server serves: mtls-doctor diagnose --peer {peer} --sni SERVER_NAME shows whether it then answers',
      'nginx upstreams: proxy_ssl_server_name on; proxy_ssl_name SERVER_NAME; clients dialling an IP: use the host name (curl --resolve NAME:PORT:IP)',
    ],
    verify: 'openssl s_client -connect {peer} -servername SERVER_NAME </dev/null',
  },
  check(ctx) {
    const h = ctx.facts.probe!.primary;
    const o = h.outcome;
    if (o.kind !== 'alert-received') return;
    if (o.alert === 112) {
      ctx.report({ messageId: 'unrecognized', data: { peer: h.peer, sni: h.sni ?? 'none' }, evidence: [{ source: `probe ${h.attempt} → ${h.peer}`, detail: `SNI ${h.sni ?? 'none'}; alert 112 unrecognized_name ${o.phase.replace(/-/g, ' ')}` }] });
    } else if (o.alert === 40 && h.sni === null && o.phase === 'before-server-hello') {
      ctx.report({ messageId: 'noSni', confidence: 0.6, data: { peer: h.peer, alert: o.alert, alertName: o.name }, evidence: [{ source: `probe ${h.attempt} → ${h.peer}`, detail: `no SNI sent; alert 40 ${o.name} before any ServerHello` }] });
    }
  },
});
