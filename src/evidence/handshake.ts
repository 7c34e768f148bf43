/**
 * Handshake evidence: what a real test handshake with the peer showed, as plain JSON. The probe
 * (`src/probe/`) produces these records from node:tls sockets; facts and rules read them, never a socket.
 * A record never holds key material: only what crossed the wire (the peer's certificates, the negotiated
 * parameters) and how the attempt ended.
 */

/**
 * Which handshake: `workload` presents the workload's own chain and key, as its sidecar would;
 * `anonymous` presents no client certificate (what a client without a sidecar does, and how we learn whether
 * the peer demands one); `wide` offers every protocol version and cipher suite, only after a negotiation
 * failure, to learn what the peer does accept.
 */
export type HandshakeAttempt = 'workload' | 'anonymous' | 'wide';

/** Where in the handshake something happened, as seen from the client. */
export type HandshakePhase =
  /** Nothing TLS came back yet: the peer reacted to our ClientHello (or to the TCP connection) itself. */
  | 'before-server-hello'
  /** The peer started its TLS flight (ServerHello …) but the handshake did not complete. */
  | 'after-server-hello'
  /** The client considered the handshake done (in TLS 1.3 the server may still reject our certificate then). */
  | 'after-handshake';

export type HandshakeOutcome =
  /** The handshake completed and the peer did not reject us within the read window. */
  | { kind: 'success' }
  /** The peer sent a fatal TLS alert. */
  | { kind: 'alert-received'; alert: number; name: string; phase: HandshakePhase }
  /** Our TLS stack aborted and sent an alert (e.g. 70 protocol_version when the peer chose a version we refuse). */
  | { kind: 'alert-sent'; alert: number; name: string; phase: HandshakePhase; code: string }
  /**
   * The handshake completed, then the peer refused us in the application protocol: nginx answers
   * `400 No required SSL certificate was sent` / `400 The SSL certificate error` instead of a TLS alert.
   */
  | { kind: 'rejected-after-handshake'; via: 'http'; status: number; reason: 'no-client-certificate' | 'certificate-error'; detail: string }
  /** The peer answered our ClientHello with bytes that are not a TLS record (an HTTP response, a banner, garbage). */
  | { kind: 'plaintext'; looksLike: 'http' | 'text' | 'binary'; sample: string; bytes: number }
  /** The peer reset (`reset`) or closed (`eof`) the connection without an alert. */
  | { kind: 'reset' | 'eof'; phase: HandshakePhase }
  | { kind: 'refused' }
  /** No answer within the time allowed: TCP connect, or the TLS handshake (a peer that accepts and never answers). */
  | { kind: 'timeout'; phase: 'connect' | 'handshake'; afterMs: number }
  | { kind: 'dns-failure'; code: string }
  /** The network said no: EHOSTUNREACH, ENETUNREACH, … */
  | { kind: 'unreachable'; code: string }
  /** The attempt could not be made (e.g. the key does not match the certificate); nothing was sent. */
  | { kind: 'not-attempted'; reason: string }
  /** A TLS failure none of the above describes; the OpenSSL/Node code is kept. */
  | { kind: 'tls-error'; code: string; message: string; phase: HandshakePhase };

/** Our side's verification of the certificate chain the peer presented, against our trust bundle. */
export interface LocalVerification {
  /** Whether it was checked at all (needs a trust bundle and a presented chain). */
  checked: boolean;
  ok: boolean;
  /** OpenSSL verify code as Node names it: CERT_HAS_EXPIRED, UNABLE_TO_GET_ISSUER_CERT_LOCALLY, INVALID_PURPOSE, … */
  code: string | null;
  /** OpenSSL's text: "certificate has expired". */
  reason: string | null;
}

export interface HandshakeEvidence {
  attempt: HandshakeAttempt;
  /** `HOST:PORT` as given. */
  peer: string;
  /** The address connected to, when resolution got that far. */
  address: string | null;
  sni: string | null;
  alpnOffered: string[];
  /** The versions offered, e.g. `TLSv1.2`..`TLSv1.3`. */
  versionsOffered: { min: string; max: string };
  /** Cipher offer: `default` (Node/OpenSSL defaults, close to Envoy's) or `all` (the wide attempt). */
  ciphersOffered: 'default' | 'all';
  /** Did we present a client certificate (our chain)? */
  clientCertificate: boolean;
  outcome: HandshakeOutcome;
  /** What was negotiated, when the handshake completed. */
  negotiated: { version: string; cipher: string; alpn: string | null } | null;
  /**
   * The peer's certificates as received (PEM, leaf first, linked by issuer; certificates our own trust store
   * completed the path with are left out). Empty when the peer presented none or we never got that far.
   */
  peerChain: string[];
  /** Did the peer ask for a client certificate? Null when the handshake did not show it. */
  peerRequestedCertificate: boolean | null;
  localVerification: LocalVerification;
  /**
   * What the peer's own TLS flight showed (its ServerHello, and its CertificateRequest read in clear in TLS 1.2
   * or decrypted in TLS 1.3): how its stack is told and which CAs it accepts. Absent in older bundles.
   */
  serverFlight?: ServerFlight | null;
  /**
   * After the handshake: what we wrote (a minimal request), the first line we read back, if any, and what settled
   * the peer's verdict (`settledBy`, absent in older bundles): a TLS 1.3 NewSessionTicket (the server has verified
   * our certificate and Finished), its answer, an alert or error, its close — or `quiet`: nothing within the read
   * bound, taken as accepted. The bound decides only "no verdict seen", never a different verdict.
   */
  afterHandshake: { wrote: 'http/1.1' | 'h2-preface' | 'nothing'; firstLine: string | null; settledBy?: 'handshake' | 'ticket' | 'answer' | 'alert' | 'close' | 'quiet' } | null;
  durationMs: number;
}

/** The peer's TLS flight, as plain data (no key material: only what the peer sent). */
export interface ServerFlight {
  version: string | null;
  cipherSuite: number | null;
  /** The ServerHello's session id: ours echoed back, a new one the server made, or none. */
  sessionId: 'echoed' | 'new' | 'empty';
  /** Extension types of the ServerHello and (TLS 1.3) of EncryptedExtensions, in the order sent. */
  helloExtensions: number[];
  encryptedExtensions: number[] | null;
  /** The peer's CertificateRequest; null when none was seen (or, in TLS 1.3, none could be read). */
  certificateRequest: CertificateRequestEvidence | null;
}

export interface CertificateRequestEvidence {
  /** `clear`: TLS 1.2, read as sent; `decrypted`: TLS 1.3, read from the server's encrypted handshake. */
  read: 'clear' | 'decrypted';
  /** TLS 1.2 certificate_types, signature_algorithms, and (TLS 1.3) the extension types, in the order sent. */
  certificateTypes: number[];
  signatureAlgorithms: number[];
  extensions: number[];
  /** certificate_authorities: the CAs the peer accepts client certificates under (empty: it names none). */
  authorities: Array<{ name: string; der: string }>;
}

/** TLS alert descriptions (RFC 8446 §6, RFC 5246 §7.2). */
export const ALERT_NAMES: Readonly<Record<number, string>> = {
  0: 'close_notify',
  10: 'unexpected_message',
  20: 'bad_record_mac',
  22: 'record_overflow',
  40: 'handshake_failure',
  42: 'bad_certificate',
  43: 'unsupported_certificate',
  44: 'certificate_revoked',
  45: 'certificate_expired',
  46: 'certificate_unknown',
  47: 'illegal_parameter',
  48: 'unknown_ca',
  49: 'access_denied',
  50: 'decode_error',
  51: 'decrypt_error',
  70: 'protocol_version',
  71: 'insufficient_security',
  80: 'internal_error',
  86: 'inappropriate_fallback',
  90: 'user_canceled',
  109: 'missing_extension',
  110: 'unsupported_extension',
  112: 'unrecognized_name',
  113: 'bad_certificate_status_response',
  115: 'unknown_psk_identity',
  116: 'certificate_required',
  120: 'no_application_protocol',
};

export const alertName = (n: number): string => ALERT_NAMES[n] ?? `alert_${n}`;

/** The mesh ALPN an Istio sidecar offers on mTLS connections (its inbound listener matches on it). */
export const MESH_ALPN: readonly string[] = ['istio-peer-exchange', 'istio'];
