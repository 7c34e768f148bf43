/** Envoy SSL stat names: which counter, which direction, which listener or cluster. Pure. */
import type { StatsSample } from './proxy.js';

export interface StatClass {
  /** Full Envoy stat name. */
  name: string;
  /** The counter itself: `fail_verify_error`, `no_filter_chain_match`, `upstream_context_secrets_not_ready`, … */
  counter: string;
  /** Inbound: a listener (we are the server); outbound: an upstream cluster (we are the client). */
  direction: 'inbound' | 'outbound';
  /** The listener address (`0.0.0.0_15006`) or the cluster name (`outbound|9080||reviews.default.svc.cluster.local`). */
  scope: string;
}

const SSL_COUNTERS =
  'connection_error|handshake|session_reused|no_certificate|client_certificate_presented|fail_verify_no_cert|fail_verify_error|fail_verify_san|fail_verify_cert_hash|ocsp_staple_failed|ocsp_staple_omitted|ocsp_staple_responses|ocsp_staple_requests|was_key_usage_invalid';
const SSL_SUFFIX = `ssl\\.(?:${SSL_COUNTERS}|(?:ciphers|curves|sigalgs|versions)\\..+|unknown_ssl_\\w+)`;
const LISTENER = /^listener\.(.+?)\.(ssl\..+|no_filter_chain_match|server_ssl_socket_factory\.[a-z_]+)$/;
/** Istio ≥ 1.23 delimits the cluster name with `;` (alt_stat_name); older ones do not: parse both. */
const CLUSTER_DELIMITED = /^cluster\.(.+?);\.(ssl\..+|client_ssl_socket_factory\.[a-z_]+)$/;
const CLUSTER_PLAIN = new RegExp(`^cluster\\.(.+)\\.(${SSL_SUFFIX}|client_ssl_socket_factory\\.[a-z_]+)$`);

/** Classifies a stat name: direction, scope and counter; null for anything that is not an SSL-related counter. */
export function classifyStat(name: string): StatClass | null {
  let m = LISTENER.exec(name);
  if (m) return { name, direction: 'inbound', scope: m[1]!, counter: counterOf(m[2]!) };
  m = CLUSTER_DELIMITED.exec(name) ?? CLUSTER_PLAIN.exec(name);
  if (m) return { name, direction: 'outbound', scope: m[1]!, counter: counterOf(m[2]!) };
  return null;
}

const counterOf = (tail: string) => tail.replace(/^ssl\./, '').replace(/^(server|client)_ssl_socket_factory\./, '');

/** True when a stats sample holds any SSL-related counter. Istio's default stats matcher removes them all. */
export function hasSslStats(sample: StatsSample): boolean {
  return Object.keys(sample.values).some((n) => classifyStat(n) !== null);
}
