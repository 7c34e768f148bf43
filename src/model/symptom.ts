/**
 * The one code space for symptoms — what a failing handshake was seen to produce — shared by every source:
 *
 * - pasted text (`explain`, `--symptom`): the signal ids below (`verify:expired-ca`, `alert:48`, `reset`, …);
 * - the probe: the same `alert:N` codes for an alert the peer sent, the `verify:…` signal of the OpenSSL code our
 *   own verification failed with, and the `probe:…` codes for what only a probe sees;
 * - Envoy stats: `envoy:<counter>` for an SSL counter that moved (`envoy:fail_verify_error`, …).
 *
 * What a code means — which rules explain it, how strongly, why — is written once, in the rules' `meta.explains`
 * (see RuleMeta in src/engine/define-rule.ts); src/engine/catalogue.ts builds the one catalogue from them.
 */

/** Pasted-text signals (their summaries live in src/explain/table.ts). */
export const SIGNAL_IDS = [
  'verify:expired-leaf',
  'verify:expired-ca',
  'verify:expired-upper',
  'verify:expired',
  'verify:not-yet-valid',
  'verify:unknown-issuer',
  'verify:incomplete-chain',
  'verify:same-name-other-key',
  'verify:self-signed-in-chain',
  'verify:self-signed-leaf',
  'verify:bad-signature',
  'verify:invalid-ca',
  'verify:no-cert-sign',
  'verify:path-length',
  'verify:invalid-purpose',
  'verify:weak',
  'verify:san',
  'verify:san-trust-domain',
  'verify:san-foreign',
  'verify:no-san',
  'verify:bad-encoding',
  'verify:critical-extension',
  'verify:name-constraints',
  'verify:leaf-is-ca',
  'verify:invalid-purpose-ca',
  'verify:revoked',
  'verify:crl-expired',
  'verify:crl-unusable',
  'verify:chain-too-long',
  'verify:failed',
  'verify:failed-client',
  'alert:45',
  'alert:48',
  'alert:46',
  'alert:42',
  'alert:43',
  'alert:51',
  'alert:116',
  'alert:40',
  'alert:70',
  'alert:71',
  'alert:120',
  'alert:49',
  'alert:44',
  'alert:112',
  'alert:other-cert',
  'alert:other',
  'plaintext-reply',
  'plaintext-request',
  'no-filter-chain',
  'no-filter-chain-tls',
  'tls-to-plaintext-port',
  'h2-preface-missing',
  'tls-to-http-port',
  'tls-mode-conflict',
  'proxy-upstream-handshake',
  'envoy-local-reply',
  'protocol-error',
  'no-client-cert',
  'cipher-mismatch',
  'version-mismatch',
  'alpn-mismatch',
  'tls-client-alpn-unavailable',
  'sds-not-delivered',
  'ca-request-failed',
  'key-mismatch',
  'local-cert-problem',
  'upstream-connect-failure',
  'upstream-terminated',
  'handshake-failed',
  'connection-refused',
  'host-unreachable',
  'dns-failure',
  'no-healthy-upstream',
  'reset',
  'timeout',
] as const;
export type SignalId = (typeof SIGNAL_IDS)[number];

/**
 * Envoy SSL counters that, when they move, are a symptom of their own (src/facts/proxy.ts says what each one
 * shows). Counters that mean what a pasted signal means stand for that signal (`ssl.no_certificate` →
 * `no-client-cert`, `no_filter_chain_match` → `no-filter-chain`, `*_context_secrets_not_ready` → `sds-not-delivered`).
 */
export const ENVOY_SYMPTOMS = ['envoy:fail_verify_error', 'envoy:fail_verify_san', 'envoy:was_key_usage_invalid', 'envoy:outbound.connection_error'] as const;
export type EnvoySymptom = (typeof ENVOY_SYMPTOMS)[number];

/** What only a probe sees. */
export const PROBE_SYMPTOMS = [
  /** The peer refused the certificate we presented (any alert, an HTTP certificate error, a silent close). */
  'probe:peer-rejected',
  /** The peer closed or reset the connection before any TLS answer. */
  'probe:closed-before-hello',
  /** Nothing answered at the address (unreachable, timed out). */
  'probe:unreachable',
  /**
   * What an alert means from a stack told apart (src/evidence/peer-stack.ts): GnuTLS refuses a certificate it
   * cannot verify with 49 access_denied whatever failed; Go crypto/tls with 42 bad_certificate (Go 1.19 for every
   * failure; the newest Go sends 48 for an unknown CA and 45 for expiry, 42 for the rest); rustls ≤ 0.20 with 40 handshake_failure ("certificate
   * invalid"). Each stands for "any verification failure" of our certificate by that stack.
   */
  'probe:gnutls-access-denied',
  'probe:go-bad-certificate',
  'probe:rustls-handshake-failure',
] as const;
export type ProbeSymptom = (typeof PROBE_SYMPTOMS)[number];

export type SymptomCode = SignalId | EnvoySymptom | ProbeSymptom;

export const SYMPTOM_CODES: readonly SymptomCode[] = [...SIGNAL_IDS, ...ENVOY_SYMPTOMS, ...PROBE_SYMPTOMS];
