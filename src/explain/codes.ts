/**
 * Number and name tables for what TLS stacks print: TLS alerts (RFC 8446 §6, with the spellings of OpenSSL,
 * BoringSSL, Go, rustls, curl and Java), packed BoringSSL/OpenSSL error codes, and X.509 verify results.
 * Pure data and decoding; which signal each means is decided in table.ts.
 */
import type { SignalId } from './table.js';

export interface AlertInfo {
  number: number;
  /** The RFC name, e.g. `unknown_ca`. */
  name: string;
  /** Other spellings, normalised with `alertKey` (Go's "unknown certificate authority", curl's "unknown CA"). */
  aliases: string[];
}

/** RFC 8446 §6 / RFC 5246 §7.2 alert descriptions. */
export const ALERTS: readonly AlertInfo[] = [
  { number: 0, name: 'close_notify', aliases: [] },
  { number: 10, name: 'unexpected_message', aliases: [] },
  { number: 20, name: 'bad_record_mac', aliases: [] },
  { number: 21, name: 'decryption_failed', aliases: [] },
  { number: 22, name: 'record_overflow', aliases: [] },
  { number: 30, name: 'decompression_failure', aliases: [] },
  { number: 40, name: 'handshake_failure', aliases: [] },
  { number: 41, name: 'no_certificate', aliases: [] },
  { number: 42, name: 'bad_certificate', aliases: [] },
  { number: 43, name: 'unsupported_certificate', aliases: [] },
  { number: 44, name: 'certificate_revoked', aliases: ['revoked certificate'] },
  { number: 45, name: 'certificate_expired', aliases: ['expired certificate'] },
  { number: 46, name: 'certificate_unknown', aliases: ['unknown certificate'] },
  { number: 47, name: 'illegal_parameter', aliases: [] },
  { number: 48, name: 'unknown_ca', aliases: ['unknown certificate authority'] },
  { number: 49, name: 'access_denied', aliases: ['access to resource denied'] },
  { number: 50, name: 'decode_error', aliases: ['error decoding message'] },
  { number: 51, name: 'decrypt_error', aliases: ['error decrypting message'] },
  { number: 70, name: 'protocol_version', aliases: ['protocol version not supported'] },
  { number: 71, name: 'insufficient_security', aliases: ['insufficient security level'] },
  { number: 80, name: 'internal_error', aliases: [] },
  { number: 86, name: 'inappropriate_fallback', aliases: [] },
  { number: 90, name: 'user_canceled', aliases: ['user cancelled'] },
  { number: 100, name: 'no_renegotiation', aliases: [] },
  { number: 109, name: 'missing_extension', aliases: [] },
  { number: 110, name: 'unsupported_extension', aliases: [] },
  { number: 111, name: 'certificate_unobtainable', aliases: [] },
  { number: 112, name: 'unrecognized_name', aliases: ['unrecognised name'] },
  { number: 113, name: 'bad_certificate_status_response', aliases: [] },
  { number: 114, name: 'bad_certificate_hash_value', aliases: [] },
  { number: 115, name: 'unknown_psk_identity', aliases: [] },
  { number: 116, name: 'certificate_required', aliases: [] },
  { number: 120, name: 'no_application_protocol', aliases: [] },
  { number: 121, name: 'encrypted_client_hello_required', aliases: ['ech required'] },
];

/** `Unknown_CA`, `unknown CA`, `UnknownCA`, `TLSV1_ALERT_UNKNOWN_CA` suffix → `unknownca`. */
export const alertKey = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');

const BY_KEY = new Map<string, AlertInfo>();
for (const a of ALERTS) for (const k of [a.name, ...a.aliases]) BY_KEY.set(alertKey(k), a);

export const alertByNumber = (n: number) => ALERTS.find((a) => a.number === n);
export const alertByName = (s: string) => BY_KEY.get(alertKey(s));

/** The signal an alert means when the peer sent it to us (it rejected our certificate or handshake). */
export function receivedAlertSignal(n: number): SignalId {
  switch (n) {
    case 40:
    case 42:
    case 43:
    case 45:
    case 46:
    case 48:
    case 49:
    case 51:
    case 70:
    case 71:
    case 116:
    case 120:
      return `alert:${n}`;
    case 41: // SSLv3 no_certificate: the old spelling of certificate_required
      return 'alert:116';
    case 44:
      return 'alert:44';
    case 112:
      return 'alert:112';
    case 111:
    case 113:
    case 114:
      return 'alert:other-cert';
    default:
      return 'alert:other';
  }
}

/** The signal an alert means when we sent it (our verifier rejected the peer). */
export function sentAlertSignal(n: number): SignalId {
  switch (n) {
    case 45:
      return 'verify:expired';
    case 48:
      return 'verify:unknown-issuer';
    case 43:
      return 'verify:invalid-purpose';
    case 51:
      return 'verify:bad-signature';
    case 44:
      return 'verify:revoked';
    case 41:
    case 116:
      return 'no-client-cert';
    case 40:
    case 70:
    case 71:
    case 120:
      return receivedAlertSignal(n);
    default:
      return 'verify:failed';
  }
}

// ── Packed error codes ───────────────────────────────────────────────────────────────────────────────

/** BoringSSL `ssl.h` SSL_R_* values that matter here (lib 16; ERR_PACK = lib << 24 | reason). */
const BORINGSSL_SSL: Record<number, string> = {
  125: 'CERTIFICATE_VERIFY_FAILED',
  155: 'HTTPS_PROXY_REQUEST',
  156: 'HTTP_REQUEST',
  172: 'NO_CERTIFICATES_RETURNED',
  175: 'NO_CIPHERS_AVAILABLE',
  184: 'NO_SHARED_CIPHER',
  192: 'PEER_DID_NOT_RETURN_A_CERTIFICATE',
  233: 'UNKNOWN_PROTOCOL',
  240: 'UNSUPPORTED_PROTOCOL',
  247: 'WRONG_VERSION_NUMBER',
  253: 'NO_COMMON_SIGNATURE_ALGORITHMS',
  266: 'NO_SHARED_GROUP',
  274: 'CERTIFICATE_AND_PRIVATE_KEY_MISMATCH',
  280: 'NO_SUPPORTED_VERSIONS_ENABLED',
  307: 'NO_APPLICATION_PROTOCOL',
};

/** OpenSSL `sslerr.h` SSL_R_* values (lib 20) that matter here. */
const OPENSSL_SSL: Record<number, string> = {
  134: 'CERTIFICATE_VERIFY_FAILED',
  155: 'HTTPS_PROXY_REQUEST',
  156: 'HTTP_REQUEST',
  166: 'VERSION_TOO_HIGH',
  176: 'NO_CERTIFICATES_RETURNED',
  181: 'NO_CIPHERS_AVAILABLE',
  191: 'NO_PROTOCOLS_AVAILABLE',
  193: 'NO_SHARED_CIPHER',
  198: 'PACKET_LENGTH_TOO_LONG',
  199: 'PEER_DID_NOT_RETURN_A_CERTIFICATE',
  235: 'NO_APPLICATION_PROTOCOL',
  252: 'UNKNOWN_PROTOCOL',
  258: 'UNSUPPORTED_PROTOCOL',
  267: 'WRONG_VERSION_NUMBER',
  288: 'PRIVATE_KEY_MISMATCH',
  294: 'UNEXPECTED_EOF_WHILE_READING',
  376: 'NO_SHARED_SIGNATURE_ALGORITHMS',
  396: 'VERSION_TOO_LOW',
  410: 'NO_SHARED_GROUPS',
};

/** OpenSSL X509_R_* (lib 11) values that matter here. */
const OPENSSL_X509: Record<number, string> = { 116: 'KEY_VALUES_MISMATCH' };

export interface DecodedError {
  flavour: 'BoringSSL' | 'OpenSSL 1.x' | 'OpenSSL 3';
  lib: number;
  libName: string;
  reason: number;
  /** The reason name, when known (alerts: `TLSV1_ALERT_UNKNOWN_CA`-style, built from the alert table). */
  reasonName: string | null;
}

/** Alert reasons are 1000 + the alert number; SSLv3-era alerts keep the SSLV3_ prefix in both libraries. */
function alertReasonName(n: number, openssl: boolean): string | null {
  const a = alertByNumber(n);
  if (!a) return null;
  if (openssl && n === 116) return 'TLSV13_ALERT_CERTIFICATE_REQUIRED';
  return `${n <= 47 && n !== 21 && n !== 22 ? 'SSLV3' : 'TLSV1'}_ALERT_${a.name.toUpperCase()}`;
}

function reasonName(table: Record<number, string>, reason: number, openssl: boolean): string | null {
  if (table[reason]) return table[reason]!;
  return reason >= 1000 && reason < 1256 ? alertReasonName(reason - 1000, openssl) : null;
}

/** A BoringSSL packed code as Envoy prints it in decimal: `268435581` → lib 16 (SSL), reason 125. */
export function decodeBoringSsl(code: number): DecodedError | null {
  if (!Number.isInteger(code) || code <= 0 || code > 0xffffffff) return null;
  const lib = code >>> 24;
  const reason = code & 0xfff;
  if (lib !== 16) return lib > 0 && lib < 64 ? { flavour: 'BoringSSL', lib, libName: `library ${lib}`, reason, reasonName: null } : null;
  return { flavour: 'BoringSSL', lib, libName: 'SSL routines', reason, reasonName: reasonName(BORINGSSL_SSL, reason, false) };
}

/**
 * A hex code as OpenSSL/BoringSSL print it (`error:0A000418`, `error:14094418`, `error:1000007d`): BoringSSL and
 * OpenSSL 1.x pack lib << 24 | (func << 12) | reason; OpenSSL 3 packs lib << 23 | reason.
 */
export function decodeHexError(hex: string): DecodedError | null {
  if (!/^[0-9a-fA-F]{1,8}$/.test(hex)) return null;
  const code = parseInt(hex, 16);
  const top = code >>> 24;
  if (top === 0x10) return { ...decodeBoringSsl(code)!, flavour: 'BoringSSL' };
  if (top === 0x14) {
    const reason = code & 0xfff;
    return { flavour: 'OpenSSL 1.x', lib: 20, libName: 'SSL routines', reason, reasonName: reasonName(OPENSSL_SSL, reason, true) };
  }
  if (top === 0x0b) {
    const reason = code & 0xfff;
    return { flavour: 'OpenSSL 1.x', lib: 11, libName: 'x509 certificate routines', reason, reasonName: OPENSSL_X509[reason] ?? null };
  }
  const lib3 = code >>> 23;
  const reason3 = code & 0x7fffff;
  if (lib3 === 20) return { flavour: 'OpenSSL 3', lib: 20, libName: 'SSL routines', reason: reason3, reasonName: reasonName(OPENSSL_SSL, reason3, true) };
  if (lib3 === 11) return { flavour: 'OpenSSL 3', lib: 11, libName: 'x509 certificate routines', reason: reason3, reasonName: OPENSSL_X509[reason3] ?? null };
  return null;
}

/** One line a person can check: `268435581 = (16 << 24) + 125: BoringSSL SSL routines, reason 125 CERTIFICATE_VERIFY_FAILED`. */
export function describeDecoded(raw: string, d: DecodedError): string {
  const packing = d.flavour === 'OpenSSL 3' ? `(${d.lib} << 23) + ${d.reason}` : `(${d.lib} << 24) + ${d.reason}`;
  return `${raw} = ${packing}: ${d.flavour} ${d.libName} (library ${d.lib}), reason ${d.reason}${d.reasonName ? ` ${d.reasonName}` : ' (not in the table)'}`;
}

/** What an SSL reason name (BoringSSL/OpenSSL, also as Node's `ERR_SSL_…` code) means; alerts handled apart. */
export function reasonSignal(name: string): SignalId | null {
  const n = name.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
  switch (n) {
    case 'CERTIFICATE_VERIFY_FAILED':
      return 'verify:failed';
    case 'WRONG_VERSION_NUMBER':
    case 'PACKET_LENGTH_TOO_LONG':
    case 'UNKNOWN_PROTOCOL':
    case 'RECORD_LENGTH_MISMATCH':
      return 'plaintext-reply';
    case 'HTTP_REQUEST':
    case 'HTTPS_PROXY_REQUEST':
      return 'plaintext-request';
    case 'PEER_DID_NOT_RETURN_A_CERTIFICATE':
    case 'NO_CERTIFICATES_RETURNED':
    case 'TLS_PEER_DID_NOT_RESPOND_WITH_CERTIFICATE_LIST':
      return 'no-client-cert';
    case 'NO_SHARED_CIPHER':
    case 'NO_CIPHERS_AVAILABLE':
    case 'NO_SHARED_GROUP':
    case 'NO_SHARED_GROUPS':
    case 'NO_COMMON_SIGNATURE_ALGORITHMS':
    case 'NO_SHARED_SIGNATURE_ALGORITHMS':
      return 'cipher-mismatch';
    case 'UNSUPPORTED_PROTOCOL':
    case 'NO_PROTOCOLS_AVAILABLE':
    case 'NO_SUPPORTED_VERSIONS_ENABLED':
    case 'VERSION_TOO_LOW':
    case 'VERSION_TOO_HIGH':
    case 'UNSUPPORTED_SSL_VERSION':
      return 'version-mismatch';
    case 'NO_APPLICATION_PROTOCOL':
      return 'alpn-mismatch';
    case 'CERTIFICATE_AND_PRIVATE_KEY_MISMATCH':
    case 'PRIVATE_KEY_MISMATCH':
    case 'KEY_VALUES_MISMATCH':
      return 'key-mismatch';
    case 'UNEXPECTED_EOF_WHILE_READING':
      return 'reset';
    default:
      return null;
  }
}

/** `TLSV1_ALERT_UNKNOWN_CA`, `SSLV3_ALERT_CERTIFICATE_EXPIRED`, `SSL/TLS_ALERT_CERTIFICATE_UNKNOWN`, `TLSV1_CERTIFICATE_REQUIRED` → the alert. */
export function alertFromReasonName(name: string): AlertInfo | undefined {
  const n = name.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
  const m = /^(?:SSLV3|TLSV1|TLSV13|SSL_TLS)_(?:ALERT_)?(.+)$/.exec(n);
  return m ? alertByName(m[1]!) : undefined;
}

// ── X.509 verification results (OpenSSL x509_vfy.h; Node uses the names without X509_V_ERR_) ──────────

export { VERIFY_CODES, verifyByNum, verifyByName, type VerifyCode } from '../model/verify-codes.js';
