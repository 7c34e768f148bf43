/**
 * What each recognised pasted signal says happened: a summary, who rejected whom, at which step. Which rules
 * would explain a signal, and how strongly, is not written here: each rule says it in `meta.explains`, and
 * `explain` and the `--symptom` deriver both read the one catalogue built from them (src/engine/catalogue.ts).
 * Pure data; the recognisers (recognisers.ts) only decide which signal a fragment shows.
 *
 * Sources for the weights in the rules' `explains`: the issue threads each rule cites (istio/istio, envoyproxy/envoy,
 * linkerd2), and the TLS stacks' source: Envoy picks the alert it sends with BoringSSL's
 * SSL_alert_from_verify_result (ssl/ssl_x509.cc) — expired/not-yet-valid → 45; unknown issuer, invalid CA,
 * self-signed in chain → 48; INVALID_PURPOSE → 43; bad signature → 51; default → 46, and a SAN-matcher failure
 * sends 46 (SSL_AD_CERTIFICATE_UNKNOWN in source/common/tls/cert_validator/default_validator.cc); Go and rustls
 * send 42 for most verify failures. Mode mismatches: istio/api security/v1beta1/peer_authentication.proto and
 * networking/v1alpha3/destination_rule.proto.
 */
import type { SignalId } from '../model/symptom.js';

export type { SignalId };

/** Who refused whom, from the point of view of the side that printed the error ("we"). */
export type Rejection =
  | 'peer-rejected-ours' // the peer refused our certificate or handshake (an alert we received)
  | 'we-rejected-peers' // we refused the peer's certificate (local verification failed, or we sent the alert)
  | 'no-tls' // one side did not speak TLS at all (plaintext on one end)
  | 'no-connection' // no TCP connection: refused, unresolvable, timed out
  | 'local-setup' // our own credentials were never usable (not delivered, key does not match)
  | 'unknown'; // closed or reset without saying why

/** Where in the connection it broke. */
export type Step =
  | 'tcp-connect'
  | 'tls-negotiation' // first bytes, version, cipher, ALPN
  | 'certificate-verification'
  | 'client-certificate' // the server demanded a client certificate
  | 'after-handshake' // TLS 1.3: the server rejects the client certificate after the client thinks it is done
  | 'credential-loading'
  | 'unknown';

export interface SignalSpec {
  /** One sentence: what the text says happened. */
  summary: string;
  rejection: Rejection;
  step: Step;
  /**
   * The text states the failed check itself (a verifier's own reason, "Secret is not supplied by SDS"), not
   * merely a symptom: the failure and its kind are certain; only which certificate, or whose clock, is open.
   */
  certain?: boolean;
}

/** Signal id → what the text says happened. */
export const SIGNALS = {
  // ── The verifier's own reason (we rejected the peer's certificate) ───────────────────────────────
  'verify:expired-leaf': {
    summary: 'The verifier rejected the leaf (depth 0) certificate as expired.',
    rejection: 'we-rejected-peers',
    step: 'certificate-verification',
    certain: true,
  },
  'verify:expired-ca': {
    summary: 'The verifier rejected the CA certificate at depth 1 (normally the issuing intermediate) as expired.',
    rejection: 'we-rejected-peers',
    step: 'certificate-verification',
    certain: true,
  },
  'verify:expired-upper': {
    summary: 'The verifier rejected a CA certificate high in the chain (depth ≥ 2) as expired.',
    rejection: 'we-rejected-peers',
    step: 'certificate-verification',
    certain: true,
  },
  'verify:expired': {
    summary: 'The verifier rejected a certificate in the chain as expired (depth not given).',
    rejection: 'we-rejected-peers',
    step: 'certificate-verification',
    certain: true,
  },
  'verify:not-yet-valid': {
    summary: 'The verifier rejected a certificate whose Not Before is still in the future.',
    rejection: 'we-rejected-peers',
    step: 'certificate-verification',
    certain: true,
  },
  'verify:unknown-issuer': {
    summary: 'The verifier could not chain the certificate to a root it trusts.',
    rejection: 'we-rejected-peers',
    step: 'certificate-verification',
    certain: true,
  },
  'verify:incomplete-chain': {
    summary: 'The verifier could not find the issuer of the first certificate: the chain stops at the leaf.',
    rejection: 'we-rejected-peers',
    step: 'certificate-verification',
    certain: true,
  },
  'verify:same-name-other-key': {
    summary: 'A CA with the expected name was found, but its key did not verify the certificate: a different CA with the same name.',
    rejection: 'we-rejected-peers',
    step: 'certificate-verification',
    certain: true,
  },
  'verify:self-signed-in-chain': {
    summary: 'The chain ends at a self-signed root the verifier does not trust.',
    rejection: 'we-rejected-peers',
    step: 'certificate-verification',
    certain: true,
  },
  'verify:self-signed-leaf': {
    summary: 'The peer presented a single self-signed certificate that the verifier does not trust.',
    rejection: 'we-rejected-peers',
    step: 'certificate-verification',
    certain: true,
  },
  'verify:bad-signature': {
    summary: 'A certificate signature in the chain did not verify.',
    rejection: 'we-rejected-peers',
    step: 'certificate-verification',
    certain: true,
  },
  'verify:invalid-ca': {
    summary: 'A certificate used as an issuer is not allowed to be a CA.',
    rejection: 'we-rejected-peers',
    step: 'certificate-verification',
    certain: true,
  },
  'verify:no-cert-sign': {
    summary: 'An issuer\'s key usage does not allow signing certificates.',
    rejection: 'we-rejected-peers',
    step: 'certificate-verification',
    certain: true,
  },
  'verify:path-length': {
    summary: 'The chain is longer than a CA\'s pathLenConstraint allows.',
    rejection: 'we-rejected-peers',
    step: 'certificate-verification',
    certain: true,
  },
  'verify:invalid-purpose': {
    summary: 'The certificate\'s extended key usage does not allow it for this side of TLS.',
    rejection: 'we-rejected-peers',
    step: 'certificate-verification',
    certain: true,
  },
  'verify:weak': {
    summary: 'The verifier refused a weak signature algorithm or key size.',
    rejection: 'we-rejected-peers',
    step: 'certificate-verification',
    certain: true,
  },
  'verify:san': {
    summary: 'The certificate is valid but does not carry the identity the verifier expected (SAN / SPIFFE ID check).',
    rejection: 'we-rejected-peers',
    step: 'certificate-verification',
    certain: true,
  },
  'verify:san-trust-domain': {
    summary: 'The identity check failed and the SPIFFE IDs in the text belong to different trust domains.',
    rejection: 'we-rejected-peers',
    step: 'certificate-verification',
    certain: true,
  },
  'verify:san-foreign': {
    summary: 'The name check failed and the certificate names only hosts unrelated to the one dialled: another server may have answered.',
    rejection: 'we-rejected-peers',
    step: 'certificate-verification',
    certain: true,
  },
  'verify:no-san': {
    summary: 'The certificate carries no usable subject alternative name.',
    rejection: 'we-rejected-peers',
    step: 'certificate-verification',
    certain: true,
  },
  'verify:bad-encoding': {
    summary: 'The verifier could not parse the certificate (rustls/webpki are stricter than OpenSSL about DER and SAN encoding).',
    rejection: 'we-rejected-peers',
    step: 'certificate-verification',
  },
  'verify:critical-extension': {
    summary: 'The verifier met a critical extension it does not process and rejected the certificate.',
    rejection: 'we-rejected-peers',
    step: 'certificate-verification',
    certain: true,
  },
  'verify:name-constraints': {
    summary: "A certificate's name lies outside a CA's name constraints.",
    rejection: 'we-rejected-peers',
    step: 'certificate-verification',
    certain: true,
  },
  'verify:leaf-is-ca': {
    summary: 'The peer presented a CA certificate as its leaf.',
    rejection: 'we-rejected-peers',
    step: 'certificate-verification',
    certain: true,
  },
  'verify:invalid-purpose-ca': {
    summary: "A CA certificate's extended key usage (depth ≥ 1) does not allow the TLS purpose of the chain.",
    rejection: 'we-rejected-peers',
    step: 'certificate-verification',
    certain: true,
  },
  'verify:revoked': {
    summary: 'The verifier found the certificate on a revocation list.',
    rejection: 'we-rejected-peers',
    step: 'certificate-verification',
    certain: true,
  },
  'verify:crl-expired': {
    summary: 'The verifier\'s CRL for an issuer on the path is out of date.',
    rejection: 'we-rejected-peers',
    step: 'certificate-verification',
    certain: true,
  },
  'verify:crl-unusable': {
    summary: 'The verifier could not use the CRL for an issuer on the path.',
    rejection: 'we-rejected-peers',
    step: 'certificate-verification',
    certain: true,
  },
  'verify:chain-too-long': {
    summary: 'The chain is deeper than the verifier allows.',
    rejection: 'we-rejected-peers',
    step: 'certificate-verification',
    certain: true,
  },
  'verify:failed': {
    summary: 'We rejected the peer\'s certificate; the text does not say which check failed.',
    rejection: 'we-rejected-peers',
    step: 'certificate-verification',
  },
  'verify:failed-client': {
    summary: 'We rejected the client\'s certificate; the text does not say which check failed.',
    rejection: 'we-rejected-peers',
    step: 'certificate-verification',
  },

  // ── Alerts the peer sent us (the peer rejected our certificate or handshake) ─────────────────────
  'alert:45': {
    summary: 'The peer says our certificate (or a CA in our chain) is expired — or not yet valid by its clock.',
    rejection: 'peer-rejected-ours',
    step: 'certificate-verification',
  },
  'alert:48': {
    summary: 'The peer cannot chain our certificate to a root it trusts (alert 48 unknown_ca).',
    rejection: 'peer-rejected-ours',
    step: 'certificate-verification',
  },
  'alert:46': {
    summary: 'The peer rejected our certificate for a reason other than expiry or trust (alert 46 certificate_unknown).',
    rejection: 'peer-rejected-ours',
    step: 'certificate-verification',
  },
  'alert:42': {
    summary: 'The peer rejected our certificate (alert 42 bad_certificate; Go and rustls peers send this for most verification failures).',
    rejection: 'peer-rejected-ours',
    step: 'certificate-verification',
  },
  'alert:43': {
    summary: 'The peer refused our certificate\'s purpose (alert 43 unsupported_certificate).',
    rejection: 'peer-rejected-ours',
    step: 'certificate-verification',
  },
  'alert:51': {
    summary: 'The peer could not verify a signature from us (alert 51 decrypt_error).',
    rejection: 'peer-rejected-ours',
    step: 'certificate-verification',
  },
  'alert:116': {
    summary: 'The peer requires a client certificate and we sent none (alert 116 certificate_required).',
    rejection: 'peer-rejected-ours',
    step: 'client-certificate',
  },
  'alert:40': {
    summary: 'The peer aborted the handshake (alert 40 handshake_failure).',
    rejection: 'peer-rejected-ours',
    step: 'tls-negotiation',
  },
  'alert:70': {
    summary: 'The peer does not support our TLS version (alert 70 protocol_version).',
    rejection: 'peer-rejected-ours',
    step: 'tls-negotiation',
  },
  'alert:71': {
    summary: 'The peer finds our offer too weak (alert 71 insufficient_security).',
    rejection: 'peer-rejected-ours',
    step: 'tls-negotiation',
  },
  'alert:120': {
    summary: 'The peer supports none of the ALPN protocols we offered (alert 120 no_application_protocol).',
    rejection: 'peer-rejected-ours',
    step: 'tls-negotiation',
  },
  'alert:49': {
    summary: 'The peer accepted our certificate but denied access (alert 49 access_denied).',
    rejection: 'peer-rejected-ours',
    step: 'certificate-verification',
  },
  'alert:44': {
    summary: 'The peer says our certificate is revoked (alert 44 certificate_revoked).',
    rejection: 'peer-rejected-ours',
    step: 'certificate-verification',
  },
  'alert:112': {
    summary: 'The peer has no TLS configuration for the server name (SNI) we sent, or we sent none (alert 112 unrecognized_name).',
    rejection: 'peer-rejected-ours',
    step: 'tls-negotiation',
  },
  'alert:other-cert': {
    summary: 'The peer rejected our certificate (a certificate alert with no specific cause).',
    rejection: 'peer-rejected-ours',
    step: 'certificate-verification',
  },
  'alert:other': {
    summary: 'The peer aborted the handshake with an alert that does not concern certificates.',
    rejection: 'peer-rejected-ours',
    step: 'tls-negotiation',
  },

  // ── No TLS on one side; no client certificate; negotiation ───────────────────────────────────────
  'plaintext-reply': {
    summary: 'We spoke TLS and the peer answered with bytes that are not TLS (a plaintext server).',
    rejection: 'no-tls',
    step: 'tls-negotiation',
    certain: true,
  },
  'plaintext-request': {
    summary: 'A TLS listener received plaintext (an HTTP request) from the peer.',
    rejection: 'no-tls',
    step: 'tls-negotiation',
    certain: true,
  },
  'no-filter-chain': {
    summary: 'The server-side proxy had no listener filter chain for the connection (NR filter_chain_not_found).',
    rejection: 'no-tls',
    step: 'tls-negotiation',
  },
  'no-filter-chain-tls': {
    summary: 'The client spoke TLS, but the server-side proxy had no filter chain for it: its SNI (or ALPN) matched none of the listener\'s chains.',
    rejection: 'peer-rejected-ours',
    step: 'tls-negotiation',
  },
  'tls-to-plaintext-port': {
    summary: 'A plaintext server received a TLS ClientHello (bytes 16 03 …): the client speaks TLS to a port that does not.',
    rejection: 'no-tls',
    step: 'tls-negotiation',
    certain: true,
  },
  'h2-preface-missing': {
    summary: 'A plaintext HTTP/2 (gRPC) server received bytes that are not the HTTP/2 connection preface: most often a client speaking TLS to it, else an HTTP/1.1 client or another protocol.',
    rejection: 'no-tls',
    step: 'tls-negotiation',
  },
  'tls-to-http-port': {
    summary: 'The client spoke TLS to a port its proxy treats as HTTP: the proxy could not parse the ClientHello as an HTTP request (downstream protocol error, DPE) and answered in plaintext.',
    rejection: 'no-tls',
    step: 'tls-negotiation',
    certain: true,
  },
  'tls-mode-conflict': {
    summary: 'The client side sends plaintext (HTTP) where the server requires mutual TLS (istioctl reports the pair as CONFLICT).',
    rejection: 'no-tls',
    step: 'tls-negotiation',
    certain: true,
  },
  'proxy-upstream-handshake': {
    summary: 'A proxy (nginx) failed its TLS handshake to an upstream; nginx sends no SNI upstream unless proxy_ssl_server_name is on.',
    rejection: 'peer-rejected-ours',
    step: 'tls-negotiation',
  },
  'envoy-local-reply': {
    summary: 'Envoy answered the request itself (server: envoy / istio-envoy) without an upstream response: no route, no upstream, or a protocol it could not proxy.',
    rejection: 'unknown',
    step: 'unknown',
  },
  'protocol-error': {
    summary: 'Envoy could not parse what the other side sent as the protocol the port was declared to carry (protocol error, UPE/DPE).',
    rejection: 'unknown',
    step: 'after-handshake',
  },
  'no-client-cert': {
    summary: 'We required a client certificate and the peer sent none.',
    rejection: 'we-rejected-peers',
    step: 'client-certificate',
    certain: true,
  },
  'cipher-mismatch': {
    summary: 'The two sides have no cipher suite (or key-exchange group) in common.',
    rejection: 'unknown',
    step: 'tls-negotiation',
    certain: true,
  },
  'version-mismatch': {
    summary: 'The two sides have no TLS version in common.',
    rejection: 'unknown',
    step: 'tls-negotiation',
    certain: true,
  },
  'alpn-mismatch': {
    summary: 'The two sides have no application protocol (ALPN) in common.',
    rejection: 'unknown',
    step: 'tls-negotiation',
    certain: true,
  },
  'tls-client-alpn-unavailable': {
    summary: 'A gRPC-Java client configured for TLS could not set up ALPN for the channel (no Jetty ALPN, Conscrypt or JDK ALPN provider found): the client is configured for TLS.',
    rejection: 'local-setup',
    step: 'tls-negotiation',
  },

  // ── Our own credentials ──────────────────────────────────────────────────────────────────────────
  'sds-not-delivered': {
    summary: 'The proxy has no certificate to present: the secret was never delivered (SDS).',
    rejection: 'local-setup',
    step: 'credential-loading',
    certain: true,
  },
  'ca-request-failed': {
    summary: 'The istio-agent failed to get a workload certificate from the CA.',
    rejection: 'local-setup',
    step: 'credential-loading',
  },
  'key-mismatch': {
    summary: 'The private key does not match the certificate.',
    rejection: 'local-setup',
    step: 'credential-loading',
    certain: true,
  },
  'local-cert-problem': {
    summary: 'The client could not load its own certificate or key.',
    rejection: 'local-setup',
    step: 'credential-loading',
  },

  // ── Context only: where the failure surfaced, without the TLS reason ─────────────────────────────
  'upstream-connect-failure': {
    summary: 'Envoy could not establish the upstream connection (UF / "connection failure"), without a recorded TLS reason.',
    rejection: 'unknown',
    step: 'tls-negotiation',
  },
  'upstream-terminated': {
    summary: 'The server closed the connection right after it was opened (UC / "connection termination").',
    rejection: 'unknown',
    step: 'tls-negotiation',
  },
  reset: {
    summary: 'The connection was reset or closed by the peer without a TLS reason.',
    rejection: 'unknown',
    step: 'unknown',
  },
  'handshake-failed': {
    summary: 'The TLS handshake failed (the text gives no reason).',
    rejection: 'unknown',
    step: 'tls-negotiation',
  },
  'connection-refused': {
    summary: 'Nothing accepted the TCP connection.',
    rejection: 'no-connection',
    step: 'tcp-connect',
    certain: true,
  },
  'host-unreachable': {
    summary: 'There is no route to the peer\'s address (EHOSTUNREACH / ENETUNREACH): the TCP connection could not even be attempted.',
    rejection: 'no-connection',
    step: 'tcp-connect',
    certain: true,
  },
  'dns-failure': {
    summary: 'The peer\'s name did not resolve.',
    rejection: 'no-connection',
    step: 'tcp-connect',
    certain: true,
  },
  timeout: {
    summary: 'The connection or handshake timed out.',
    rejection: 'no-connection',
    step: 'tcp-connect',
  },
  'no-healthy-upstream': {
    summary: 'Envoy had no healthy endpoint to send to (UH).',
    rejection: 'no-connection',
    step: 'tcp-connect',
    certain: true,
  },
} satisfies Record<SignalId, SignalSpec>;
