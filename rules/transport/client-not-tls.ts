/**
 * The mirror of transport/peer-not-tls: a TLS (or mTLS) listener receives plaintext. BoringSSL/OpenSSL report the
 * HTTP request they find where a ClientHello belongs (SSL_R_HTTP_REQUEST, "http request"), nginx answers "400 The
 * plain HTTP request was sent to HTTPS port", Go "Client sent an HTTP request to an HTTPS server", and an Envoy
 * listener whose chains all expect TLS counts the connection in no_filter_chain_match. The client is at fault:
 * it uses http:// for an https port, has no sidecar in front of a STRICT server, or a DestinationRule turned its
 * TLS off (policy/strict-plaintext-client judges that case from the cluster objects).
 */
import { defineRule } from '../../src/engine/define-rule.js';

export default defineRule({
  meta: {
    id: 'transport/client-not-tls',
    stage: 'transport',
    severity: 'error',
    title: 'Clients send plaintext to a TLS port',
    description: 'Connections reached a listener that expects TLS with plaintext bytes (an HTTP request): the client does not speak TLS to this port.',
    requires: ['proxy'],
    confidence: 0.8,
    citation: 'BoringSSL SSL_R_HTTP_REQUEST; nginx ngx_http_ssl_module (error 497, "The plain HTTP request was sent to HTTPS port"); Envoy listener no_filter_chain_match',
    explains: [
      { symptom: 'plaintext-request', weight: 0.85, why: 'The client sent an HTTP request where the server expects a TLS ClientHello: http:// to an https port, or a caller without TLS.', context: 'off-mesh' },
      { symptom: 'no-filter-chain', weight: 0.45, why: 'A plaintext connection matches none of the listener\'s TLS filter chains.' },
      { symptom: 'reset', weight: 0.25, why: 'A TLS server resets a connection that starts with plaintext.' },
    ],
    hint: {
      confirm: 'the client connects with http:// (or without a sidecar / with TLS turned off) to a port that only accepts TLS',
      next: 'curl -sv http://HOST:PORT/ 2>&1 | tail -3; curl -sv https://HOST:PORT/ 2>&1 | grep -E "SSL connection|HTTP/"',
      fix: 'Make the client speak TLS to this port (https://, a sidecar, a DestinationRule with ISTIO_MUTUAL or SIMPLE), or serve plaintext on a separate port.',
      subject: 'peer',
    },
    messages: {
      plaintext: '{count} connection{s} to {where} matched no filter chain in {window}s: clients reach this TLS listener with plaintext (http:// to a TLS port, a caller without a sidecar), or with TLS the listener does not expect.',
    },
    remediation: [
      'Find the caller in the access log of this listener (response flag NR, "filter_chain_not_found") and make it speak TLS: https://, a sidecar, or a DestinationRule with tls.mode ISTIO_MUTUAL',
      'If plaintext callers must be served, give them a port of their own rather than opening the TLS port',
    ],
    verify: 'kubectl logs POD -c istio-proxy | grep -c filter_chain_not_found',
  },
  check(ctx) {
    const p = ctx.facts.proxy!;
    if (p.windowSeconds === null) return;
    for (const c of p.counters) {
      if (c.counter !== 'no_filter_chain_match' || c.direction !== 'inbound' || !c.delta || c.delta <= 0) continue;
      ctx.report({
        messageId: 'plaintext',
        subject: 'peer',
        data: { count: c.delta, s: c.delta === 1 ? '' : 's', where: `listener ${c.scope}`, window: p.windowSeconds },
        evidence: [{ source: 'Envoy stats', detail: `${c.name} rose by ${c.delta} in ${p.windowSeconds}s` }],
      });
    }
  },
});
