/**
 * Which TLS stack the peer runs, told from what its handshakes showed (pure): the signature algorithms and
 * extensions of its CertificateRequest (each stack sends its own default list, in its own order), the
 * ServerHello, and the alerts it answered our attempts with. Alert meanings differ by stack and version —
 * GnuTLS sends 49 for any verification failure, Go 1.19 sends 42 for everything including a missing
 * certificate, rustls 0.20 sends 40 for every certificate it rejects — so the probe's symptoms name the stack,
 * and the rules' `explains` say what each (stack, alert) means.
 *
 * The lists below are each stack's defaults, as seen from real peers (Debian's Go 1.19, rustls 0.20.8,
 * GnuTLS 3.7.9, OpenSSL 3.0) and written in their sources:
 * - Go crypto/tls: common.go supportedSignatureAlgorithms; handshake_server_tls13.go sendServerCertificate sets
 *   ocspStapling and scts on the CertificateRequest (extensions 5 and 18 before 13 and 47);
 * - rustls 0.20: verify.rs SUPPORTED_SIG_SCHEMES (ECDSA P-384 first), server/tls13.rs emit_certificate_req_tls13
 *   (signature_algorithms, certificate_authorities);
 * - GnuTLS 3.7: the NORMAL priority's signature list (rsa_pkcs1_sha256 first), tls13/certificate_request.c
 *   adds status_request after the CA names;
 * - OpenSSL 3: ssl/t1_lib.c tls12_sigalgs (ecdsa_secp256r1_sha256, then P-384, P-521, ed25519);
 * - BoringSSL (Envoy): ssl/extensions.cc kVerifySignatureAlgorithms (ecdsa_secp256r1_sha256, then
 *   rsa_pss_rsae_sha256, rsa_pkcs1_sha256); by default it names no CAs (no SSL_CTX_set_client_CA_list).
 */
import type { HandshakeEvidence } from '../evidence/handshake.js';

export type PeerStackName = 'go' | 'rustls' | 'gnutls' | 'openssl' | 'boringssl' | 'nginx';

export interface PeerStack {
  name: PeerStackName;
  /** `Go crypto/tls`, `rustls`, … with a version range when the alerts tell it. */
  label: string;
  /** What told it, one clause each: "its CertificateRequest's signature algorithms (Go's default order)". */
  from: string[];
  /**
   * Version hints the alerts give: Go 1.19 answers a missing certificate in TLS 1.3 with 42 (newer Go: 116);
   * rustls ≤ 0.20 rejects every certificate with 40 (newer: an alert per error).
   */
  version: string | null;
}

const LABEL: Record<PeerStackName, string> = {
  go: 'Go crypto/tls',
  rustls: 'rustls',
  gnutls: 'GnuTLS',
  openssl: 'OpenSSL',
  boringssl: 'BoringSSL (Envoy)',
  nginx: 'nginx (OpenSSL)',
};

/** The first signature schemes each stack lists in its CertificateRequest, in its order. */
const SIGALG_PREFIX: Array<{ stack: PeerStackName; prefix: number[]; what: string }> = [
  { stack: 'go', prefix: [0x0804, 0x0403, 0x0807, 0x0805, 0x0806], what: "Go's default order (rsa_pss_rsae_sha256, ecdsa_secp256r1_sha256, ed25519 first)" },
  { stack: 'rustls', prefix: [0x0503, 0x0403, 0x0807, 0x0806], what: "rustls's order (ecdsa_secp384r1_sha384 first)" },
  { stack: 'gnutls', prefix: [0x0401, 0x0809, 0x0804, 0x0403], what: "GnuTLS's NORMAL priority order (rsa_pkcs1_sha256 first)" },
  { stack: 'openssl', prefix: [0x0403, 0x0503, 0x0603, 0x0807], what: "OpenSSL's order (ecdsa_secp256r1_sha256, P-384, P-521, ed25519)" },
  { stack: 'boringssl', prefix: [0x0403, 0x0804, 0x0401, 0x0503], what: "BoringSSL's order (ecdsa_secp256r1_sha256, rsa_pss_rsae_sha256, rsa_pkcs1_sha256)" },
];

/** A saved bundle is user input: a field that is not a list reads as an empty one. */
const list = (x: unknown): unknown[] => (Array.isArray(x) ? x : []);
const startsWith = (l: unknown, prefix: number[]) => prefix.every((v, i) => list(l)[i] === v);

/**
 * TLS 1.2 ServerHellos as each stack writes them in answer to node's ClientHello (the extension types in order,
 * ALPN left out; whether it echoes a session id): seen from the lab's real peers. Weaker than the
 * CertificateRequest (the order follows what the client offered), so it only counts beside it or without it.
 */
const HELLO12: Array<{ stack: PeerStackName; extensions: number[]; sessionId: 'empty' | 'new' }> = [
  { stack: 'go', extensions: [35, 65281, 11], sessionId: 'empty' },
  { stack: 'rustls', extensions: [65281, 23], sessionId: 'new' },
  { stack: 'gnutls', extensions: [11, 23, 35, 65281], sessionId: 'new' },
  { stack: 'openssl', extensions: [65281, 11, 35, 23], sessionId: 'empty' },
];

/** Tells the peer's stack from its handshakes; null when nothing it showed is telling. */
export function detectPeerStack(handshakes: readonly HandshakeEvidence[]): PeerStack | null {
  const votes = new Map<PeerStackName, string[]>();
  const vote = (s: PeerStackName, why: string) => {
    const l = votes.get(s) ?? [];
    if (!l.includes(why)) l.push(why);
    votes.set(s, l);
  };
  let nginx = false;
  for (const h of handshakes) {
    if (!h || typeof h !== 'object' || !h.outcome) continue;
    const req = h.serverFlight && typeof h.serverFlight === 'object' ? h.serverFlight.certificateRequest : null;
    if (req && typeof req === 'object') {
      const extensions = list(req.extensions);
      const hit = SIGALG_PREFIX.find((p) => startsWith(req.signatureAlgorithms, p.prefix));
      if (hit) vote(hit.stack, `its CertificateRequest's signature algorithms, in ${hit.what}`);
      if (req.read === 'decrypted' && startsWith(extensions, [5, 18])) vote('go', 'its TLS 1.3 CertificateRequest asks for OCSP and SCTs (extensions 5, 18), as Go does');
      if (req.read === 'decrypted' && extensions.length >= 3 && extensions[extensions.length - 1] === 5 && extensions[0] === 13) vote('gnutls', 'its TLS 1.3 CertificateRequest ends with status_request, as GnuTLS does');
    }
    const sh = h.serverFlight && typeof h.serverFlight === 'object' ? h.serverFlight : null;
    if (sh && sh.version === 'TLSv1.2') {
      const ext = list(sh.helloExtensions).filter((e) => e !== 16);
      const hit = HELLO12.find((x) => x.sessionId === sh.sessionId && x.extensions.length === ext.length && x.extensions.every((e, i) => ext[i] === e));
      if (hit) vote(hit.stack, `its TLS 1.2 ServerHello (extensions ${hit.extensions.join(', ')}, ${hit.sessionId === 'empty' ? 'no session id' : 'a session id of its own'})`);
    }
    const o = h.outcome;
    if (o.kind === 'rejected-after-handshake') nginx = true;
    if (o.kind === 'alert-received' && o.phase !== 'before-server-hello') {
      if (o.alert === 49 && h.clientCertificate) vote('gnutls', 'it refused our certificate with 49 access_denied, as GnuTLS does for any verification failure');
      if (o.alert === 50 && !h.clientCertificate && h.peerRequestedCertificate) vote('gnutls', 'it answered a handshake without a certificate with 50 decode_error, as GnuTLS does in TLS 1.2');
    }
  }
  if (votes.size === 0 && !nginx) return null;
  // The strongest: the most reasons; OpenSSL behind nginx is nginx.
  const ranked = [...votes.entries()].sort((a, b) => b[1].length - a[1].length);
  let [name, from] = ranked[0] ?? (['nginx', []] as [PeerStackName, string[]]);
  if (nginx && (name === 'openssl' || ranked.length === 0)) {
    name = 'nginx';
    from = [...from, 'it refused us in HTTP after the handshake (400 "…SSL certificate…"), as nginx does'];
  }
  const version = versionHint(name, handshakes);
  return { name, label: version ? `${LABEL[name]} ${version}` : LABEL[name], from, version };
}

/** What the alerts say of the version. */
function versionHint(name: PeerStackName, handshakes: readonly HandshakeEvidence[]): string | null {
  for (const h of handshakes) {
    const o = h?.outcome;
    if (!o || o.kind !== 'alert-received') continue;
    const v13 = h.serverFlight?.version === 'TLSv1.3';
    if (name === 'go' && !h.clientCertificate && v13 && o.alert === 42) return '(an older release: 42, not 116, for a missing certificate)';
    if (name === 'go' && !h.clientCertificate && v13 && o.alert === 116) return '(a newer release: 116 for a missing certificate)';
    if (name === 'rustls' && h.clientCertificate && o.alert === 40 && o.phase !== 'before-server-hello') return '≤ 0.20 (40 for a rejected certificate)';
  }
  return null;
}

/** One line for the report: "GnuTLS, from its CertificateRequest's signature algorithms (…)". */
export function describePeerStack(s: PeerStack): string {
  return `${s.label}, told from ${s.from.join('; ')}`;
}
