/**
 * Recognisers: each finds one family of error text (Envoy, BoringSSL/OpenSSL codes, Node, Go, rustls/Linkerd,
 * curl, Java, plain socket errors) and says which signal of table.ts each fragment shows, how specific it is,
 * and what it decodes to. Pure functions over a string; linear-time regular expressions only (the text can be
 * up to 1 MiB of pasted logs).
 */
import { SIGNALS, type Rejection, type SignalId } from './table.js';
import { namesRelated } from '../model/names.js';
import {
  alertByName,
  alertByNumber,
  alertFromReasonName,
  decodeBoringSsl,
  decodeHexError,
  describeDecoded,
  reasonSignal,
  receivedAlertSignal,
  sentAlertSignal,
  verifyByName,
  verifyByNum,
  VERIFY_CODES,
  type AlertInfo,
} from './codes.js';

/**
 * How much a fragment says: 3 names the failed check itself (an X.509 verify reason, "SAN matcher", "Secret is
 * not supplied by SDS"); 2 is a TLS reason or alert; 1 only says where it surfaced (a 503 body, a response
 * flag, a curl exit code, a reset). Causes come from the most telling level present in a paste.
 */
export type Level = 1 | 2 | 3;

export interface AlertSeen {
  number: number;
  name: string;
  direction: 'received' | 'sent';
}

export interface Match {
  signal: SignalId;
  level: Level;
  /** How precisely the fragment identifies the signal, 0..1. */
  specificity: number;
  /** Stable code for the report's `symptom.code`: `alert:48`, `tls:CERTIFICATE_VERIFY_FAILED`, `x509:CERT_HAS_EXPIRED`. */
  code: string;
  /** The pasted text it came from (the enclosing line, shortened). */
  fragment: string;
  /** Offset in the text (ties are ranked by position). */
  index: number;

  /** What the fragment decodes to, when that is not obvious (a packed code, a depth). */
  notes: string[];
  /** Overrides the signal's default direction (an alert we sent rather than received). */
  rejection?: Rejection;
  alert?: AlertSeen;
  /** Which software printed it. */
  family: string;
}

type Recogniser = (text: string) => Match[];

const MAX_FRAGMENT = 240;

/** Lines are looked for this far around a match; a longer line is cut anyway (keeps every match O(1)). */
const LINE_WINDOW = 512;
/** A paste of 10,000 identical errors says no more than its first few hundred. */
const MAX_MATCHES_PER_PATTERN = 200;

/** The line around a match, cut to at most MAX_FRAGMENT characters centred on the match. */
function fragmentAt(text: string, index: number, length: number): string {
  const lo = Math.max(0, index - LINE_WINDOW);
  const back = text.slice(lo, index).lastIndexOf('\n');
  const start = back >= 0 ? lo + back + 1 : lo;
  const hi = Math.min(text.length, index + length + LINE_WINDOW);
  const fwd = text.slice(index + length, hi).indexOf('\n');
  const end = fwd >= 0 ? index + length + fwd : hi;
  let a = start;
  let b = end;
  if (b - a > MAX_FRAGMENT) {
    const room = Math.max(0, MAX_FRAGMENT - length);
    a = Math.max(start, index - Math.floor(room / 2));
    b = Math.min(end, a + Math.max(MAX_FRAGMENT, length));
  }
  const cut = text.slice(a, b).replace(/\s+/g, ' ').trim();
  return (a > start ? '…' : '') + cut.slice(0, MAX_FRAGMENT + 40) + (b < end ? '…' : '');
}

function* all(re: RegExp, text: string): Generator<RegExpExecArray> {
  re.lastIndex = 0;
  let m: RegExpExecArray | null;
  let n = 0;
  while ((m = re.exec(text)) !== null && n++ < MAX_MATCHES_PER_PATTERN) {
    if (m[0].length === 0) re.lastIndex++;
    yield m;
  }
}

function mk(text: string, m: RegExpExecArray, signal: SignalId, level: Level, specificity: number, code: string, family: string, extra: Partial<Match> = {}): Match {
  return { signal, level, specificity, code, family, fragment: fragmentAt(text, m.index, m[0].length), index: m.index, notes: [], ...extra };
}

const alertSeen = (a: AlertInfo, direction: 'received' | 'sent'): AlertSeen => ({ number: a.number, name: a.name, direction });

/** A received or sent alert as a match. */
function alertMatch(text: string, m: RegExpExecArray, a: AlertInfo, direction: 'received' | 'sent', family: string, specificity = 0.85, notes: string[] = []): Match {
  const signal = direction === 'received' ? receivedAlertSignal(a.number) : sentAlertSignal(a.number);
  return mk(text, m, signal, 2, specificity, `alert:${a.number}`, family, {
    alert: alertSeen(a, direction),
    notes: [`TLS alert ${a.number} ${a.name} ${direction === 'received' ? 'received from the peer' : 'sent to the peer'}`, ...notes],
    ...(direction === 'sent' && SIGNALS[signal].rejection !== 'we-rejected-peers' ? { rejection: 'we-rejected-peers' as const } : {}),
  });
}

/** A BoringSSL/OpenSSL reason name (possibly an alert) as a match; null when it means nothing here. */
function reasonMatch(text: string, m: RegExpExecArray, name: string, family: string, notes: string[] = []): Match | null {
  const upper = name.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
  const alert = /ALERT|CERTIFICATE_REQUIRED|UNRECOGNIZED_NAME/.test(upper) ? alertFromReasonName(upper) : undefined;
  if (alert) return alertMatch(text, m, alert, 'received', family, 0.85, notes);
  const signal = reasonSignal(upper);
  if (!signal) return null;
  const level: Level = signal === 'key-mismatch' ? 3 : signal === 'reset' ? 1 : 2;
  const spec = signal === 'verify:failed' ? 0.8 : 0.9;
  return mk(text, m, signal, level, spec, `tls:${upper}`, family, { notes });
}

/** SPIFFE IDs in the text naming more than one trust domain turn a SAN failure into a trust-domain one. */
let sanMemo: { text: string; signal: SignalId } | null = null;
function sanSignal(text: string): SignalId {
  if (sanMemo?.text === text) return sanMemo.signal;
  const tds = new Set<string>();
  for (const m of all(/spiffe:\/\/([A-Za-z0-9.-]{1,253})\//g, text)) tds.add(m[1]!.toLowerCase());
  sanMemo = { text, signal: tds.size >= 2 ? 'verify:san-trust-domain' : 'verify:san' };
  return sanMemo.signal;
}

/** A placeholder where a name was: `xxxxxx`, `REDACTED`, `<your-host>`, `***`, `...`. */
const REDACTED_NAME = /^(?:x{3,}|X{3,}|\*{3,}|\.{3}|…|<[^<>]{1,60}>|\[?redacted\]?|\$\{?[A-Z_]{1,40}\}?)$/i;

/** Go's "valid for A, B, not X": none of the names relates to X (another server's certificate), by src/model/names.ts. */
function foreignNames(validFor: string, wanted: string): boolean {
  const all = validFor.split(/,\s*/).map((n) => n.trim());
  // Names a document or a person redacted (xxxxxx, REDACTED, <name>, ***) say nothing about whether they relate.
  if (all.some((n) => REDACTED_NAME.test(n))) return false;
  const names = all.filter((n) => /^[*a-z0-9.-]+$/i.test(n));
  const host = wanted.replace(/[.)"'\]]+$/, '');
  if (names.length === 0 || /^[\d.]+$|:/.test(host)) return false;
  return !names.some((n) => namesRelated(n, host));
}

/** A depth printed just before a verify reason: Envoy `at depth 1:`, openssl `depth=1 …`, `error 10 at 1 depth`. */
function depthBefore(text: string, index: number): number | null {
  const window = text.slice(Math.max(0, index - 160), index);
  const ms = [...window.matchAll(/(?:at depth\s*|depth\s*[=:]\s*|error \d+ at )(\d{1,2})/g)];
  const last = ms[ms.length - 1];
  return last ? Number(last[1]) : null;
}

/** Refines `verify:expired` by depth: 0 is the leaf, above it a CA. */
function expiredAt(depth: number | null): SignalId {
  return depth === null ? 'verify:expired' : depth === 0 ? 'verify:expired-leaf' : depth === 1 ? 'verify:expired-ca' : 'verify:expired-upper';
}

function verifySignal(base: SignalId, depth: number | null, text: string): SignalId {
  if (base === 'verify:expired') return expiredAt(depth);
  if (base === 'verify:invalid-purpose' && depth !== null && depth > 0) return 'verify:invalid-purpose-ca';
  if (base === 'verify:san') return sanSignal(text);
  return base;
}

const depthNote = (d: number | null) => (d === null ? [] : [`depth ${d}: ${d === 0 ? 'the leaf (workload) certificate' : 'a CA certificate (1 = the issuing intermediate in a leaf → intermediate → root chain)'}`]);

// ── BoringSSL / OpenSSL codes and reasons ────────────────────────────────────────────────────────────

/** Envoy's decimal BoringSSL codes: `268435581:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED`, also `_`-joined. */
const packedCodes: Recogniser = (text) => {
  const out: Match[] = [];
  for (const m of all(/\b(\d{9,10})[:_ ]{1,2}(?:SSL|[A-Za-z0-9]{1,20})[ _]routines[:_ ]{1,2}(?:OPENSSL_internal|[a-z0-9_]{0,60})[:_ ]{1,2}([A-Z][A-Z0-9_]{2,80})/g, text)) {
    const d = decodeBoringSsl(Number(m[1]));
    const notes = d ? [describeDecoded(m[1]!, d)] : [];
    const r = reasonMatch(text, m, m[2]!, 'envoy/boringssl', notes);
    if (r) out.push(r);
  }
  // A bare number after "TLS error:" (no reason text).
  for (const m of all(/TLS[ _]error:[ _|]{0,3}(\d{9,10})(?![:_]?\s?[A-Za-z0-9]{0,20}[ _]routines)/g, text)) {
    const d = decodeBoringSsl(Number(m[1]));
    if (!d?.reasonName) continue;
    const r = reasonMatch(text, m, d.reasonName, 'envoy/boringssl', [describeDecoded(m[1]!, d)]);
    if (r) out.push(r);
  }
  return out;
};

/** Hex codes: `error:0A000418:SSL routines::tlsv1 alert unknown ca`, `error:1416F086:…:certificate verify failed`, `error:10000418:…`. */
const hexCodes: Recogniser = (text) => {
  const out: Match[] = [];
  for (const m of all(/error:([0-9A-Fa-f]{8}):([A-Za-z0-9 ]{0,40}routines):([A-Za-z0-9_]{0,60}):([A-Za-z][A-Za-z0-9 /_]{2,80})/g, text)) {
    const d = decodeHexError(m[1]!);
    const name = m[4]!.trim();
    const notes = d ? [describeDecoded(`error:${m[1]}`, d)] : [];
    const family = d?.flavour === 'BoringSSL' ? 'boringssl' : 'openssl';
    const r = reasonMatch(text, m, /^[a-z]/.test(name) && d?.reasonName ? d.reasonName : name, family, notes) ?? reasonMatch(text, m, name, family, notes);
    if (r) out.push(r);
  }
  return out;
};

/** Upper-case reason names anywhere, including Node's `ERR_SSL_…` codes and Python's `[SSL: …]`. */
const reasonNames: Recogniser = (text) => {
  const out: Match[] = [];
  const re =
    /\b(?:ERR_SSL_)?((?:SSLV3|TLSV1|TLSV13|SSL\/TLS)_(?:ALERT_)?[A-Z_]{3,60}|CERTIFICATE_VERIFY_FAILED|WRONG_VERSION_NUMBER|HTTPS?_REQUEST|HTTPS_PROXY_REQUEST|PEER_DID_NOT_RETURN_A_CERTIFICATE|NO_SHARED_CIPHER|NO_CIPHERS_AVAILABLE|UNSUPPORTED_PROTOCOL|NO_PROTOCOLS_AVAILABLE|NO_SUPPORTED_VERSIONS_ENABLED|NO_APPLICATION_PROTOCOL|PACKET_LENGTH_TOO_LONG|UNEXPECTED_EOF_WHILE_READING|CERTIFICATE_AND_PRIVATE_KEY_MISMATCH|KEY_VALUES_MISMATCH|NO_SHARED_GROUPS?|VERSION_TOO_LOW)\b/g;
  for (const m of all(re, text)) {
    const family = m[0].startsWith('ERR_SSL_') ? 'node' : 'openssl/boringssl';
    const r = reasonMatch(text, m, m[1]!, family);
    if (r) out.push(r);
  }
  return out;
};

/** OpenSSL's lower-case reason strings after a colon: `…:tlsv1 alert unknown ca`, `…::wrong version number`. */
const opensslReasonText: Recogniser = (text) => {
  const out: Match[] = [];
  for (const m of all(/\b(sslv3|tlsv1|tlsv13|ssl\/tls) alert ([a-z][a-z ]{2,40}[a-z])/g, text)) {
    const a = longestAlert(m[2]!);
    if (a) out.push(alertMatch(text, m, a, 'received', 'openssl'));
  }
  const plain =
    /(?<=:)\s?(certificate verify failed|wrong version number|http request|https proxy request|peer did not return a certificate|no shared cipher|no ciphers available|unsupported protocol|no protocols available|packet length too long|unexpected eof while reading|no application protocol|key values mismatch|unknown protocol)(?=[:\s(,]|$)/g;
  for (const m of all(plain, text)) {
    const r = reasonMatch(text, m, m[1]!, 'openssl');
    if (r) out.push(r);
  }
  return out;
};

/** Tries an alert name from the longest word prefix down: Go's "bad certificate from …", curl's "unknown CA". */
function longestAlert(s: string): AlertInfo | undefined {
  const words = s.trim().split(/\s+/).slice(0, 6);
  for (let n = words.length; n > 0; n--) {
    const a = alertByName(words.slice(0, n).join(' '));
    if (a) return a;
  }
  return undefined;
}

/** Alerts as other stacks print them. */
const alertTexts: Recogniser = (text) => {
  const out: Match[] = [];
  // OpenSSL: `… :SSL alert number 48` (received).
  for (const m of all(/SSL alert number (\d{1,3})\b/g, text)) {
    const a = alertByNumber(Number(m[1]));
    if (a) out.push(alertMatch(text, m, a, 'received', 'openssl'));
  }
  // OpenSSL info callback: `SSL3 alert read:fatal:bad certificate` / `SSL3 alert write:fatal:unknown CA`.
  for (const m of all(/alert (read|write):fatal:([A-Za-z][A-Za-z ]{2,40})/g, text)) {
    const a = longestAlert(m[2]!);
    if (a) out.push(alertMatch(text, m, a, m[1] === 'read' ? 'received' : 'sent', 'openssl'));
  }
  // curl: `TLSv1.3 (IN), TLS alert, unknown CA (560)` — the number is level << 8 | alert.
  for (const m of all(/(?:\((IN|OUT)\),[ \t]{0,4})?TLS alert, ([A-Za-z][A-Za-z /_-]{1,60}?) \((\d{3,4})\)/g, text)) {
    const a = alertByNumber(Number(m[3]) & 0xff) ?? longestAlert(m[2]!);
    if (a) out.push(alertMatch(text, m, a, m[1] === 'OUT' ? 'sent' : 'received', 'curl', 0.85, [`curl prints level << 8 | alert: ${m[3]} = ${Number(m[3]) >> 8} << 8 | ${Number(m[3]) & 0xff}`]));
  }
  // Go: `remote error: tls: bad certificate` (received), `local error: tls: …` (sent).
  for (const m of all(/\b(remote|local) error: tls: ([A-Za-z][A-Za-z ]{2,60})/g, text)) {
    const a = longestAlert(m[2]!);
    if (a) out.push(alertMatch(text, m, a, m[1] === 'remote' ? 'received' : 'sent', 'go'));
  }
  // rustls, Java: `received fatal alert: BadCertificate`, `Sending fatal alert BadCertificate`, `Received fatal alert: certificate_unknown`.
  for (const m of all(/\b(received|sending|sent) fatal alert:? ?([A-Za-z_]{3,40})/gi, text)) {
    const a = alertByName(m[2]!);
    if (a) out.push(alertMatch(text, m, a, m[1]!.toLowerCase() === 'received' ? 'received' : 'sent', /[A-Z][a-z]+[A-Z]/.test(m[2]!) ? 'rustls' : 'java'));
  }
  for (const m of all(/\bAlertReceived\(([A-Za-z]{3,40})\)/g, text)) {
    const a = alertByName(m[1]!);
    if (a) out.push(alertMatch(text, m, a, 'received', 'rustls'));
  }
  return out;
};

// ── X.509 verification results ───────────────────────────────────────────────────────────────────────

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const VERIFY_TEXT_RE = new RegExp(
  `(${VERIFY_CODES.flatMap((v) => v.texts)
    .sort((a, b) => b.length - a.length)
    .map((t) => escapeRe(t).replace(/ /g, '[ -]'))
    .join('|')})`,
  'gi',
);
const VERIFY_BY_TEXT = new Map(VERIFY_CODES.flatMap((v) => v.texts.map((t) => [t.toLowerCase().replace(/-/g, ' '), v] as const)));

/** Envoy's `verify cert failed: X509_verify_cert: certificate verification error at depth 1: certificate has expired`. */
const envoyVerify: Recogniser = (text) => {
  const out: Match[] = [];
  for (const m of all(/certificate verification error at depth (\d{1,2}): ([A-Za-z][A-Za-z' -]{4,80})/g, text)) {
    const reason = m[2]!.trim().toLowerCase();
    const key = [...VERIFY_BY_TEXT.keys()].filter((k) => reason.replace(/-/g, ' ').startsWith(k)).sort((a, b) => b.length - a.length)[0];
    const v = key ? VERIFY_BY_TEXT.get(key) : undefined;
    if (!v) continue;
    const depth = Number(m[1]);
    out.push(mk(text, m, verifySignal(v.signal, depth, text), 3, 0.95, `x509:${v.name}`, 'envoy', { notes: [`X509_V_ERR_${v.name} (${v.num})`, ...depthNote(depth)] }));
  }
  for (const m of all(/verify cert failed: SAN matcher|certificate SANs are \[|\bSAN matcher\b/g, text)) {
    out.push(mk(text, m, sanSignal(text), 3, 0.95, 'envoy:san-matcher', 'envoy', { notes: ["Envoy's SAN matcher did not find an expected subjectAltName (SPIFFE ID) in the peer's certificate"] }));
  }
  return out;
};

/** X509_verify_cert_error_string() texts anywhere: OpenSSL, Node messages, curl's "SSL certificate problem: …". */
const verifyTexts: Recogniser = (text) => {
  const out: Match[] = [];
  for (const m of all(VERIFY_TEXT_RE, text)) {
    const raw = m[1]!.toLowerCase().replace(/-/g, ' ');
    const v = VERIFY_BY_TEXT.get(raw);
    if (!v) continue;
    const after = text.slice(m.index + m[0].length, m.index + m[0].length + 24).toLowerCase();
    // Go's "certificate has expired or is not yet valid" is its own recogniser; "self signed certificate in…" is handled by the longer alternative.
    if (v.num === 10 && after.startsWith(' or is not yet valid')) continue;
    const depth = depthBefore(text, m.index);
    out.push(mk(text, m, verifySignal(v.signal, depth, text), 3, 0.9, `x509:${v.name}`, 'openssl', { notes: [`X509_V_ERR_${v.name} (${v.num})`, ...depthNote(depth)] }));
  }
  // openssl s_client / verify: `verify error:num=19:…`, `Verify return code: 21 (…)`, `error 10 at 1 depth lookup: …`.
  for (const m of all(/verify error:num=(\d{1,3})|Verify return code: (\d{1,3}) \(|error (\d{1,3}) at (\d{1,2}) depth lookup/g, text)) {
    const v = verifyByNum(Number(m[1] ?? m[2] ?? m[3]));
    if (!v) continue;
    const depth = m[4] !== undefined ? Number(m[4]) : depthBefore(text, m.index);
    out.push(mk(text, m, verifySignal(v.signal, depth, text), 3, 0.92, `x509:${v.name}`, 'openssl', { notes: [`X509_V_ERR_${v.name} (${v.num})`, ...depthNote(depth)] }));
  }
  // Node's err.code / X509_V_ERR_* names.
  const codes =
    /\b(?:X509_V_ERR_)?(CERT_HAS_EXPIRED|CERT_NOT_YET_VALID|UNABLE_TO_GET_ISSUER_CERT_LOCALLY|UNABLE_TO_GET_ISSUER_CERT|UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|CERT_SIGNATURE_FAILURE|UNABLE_TO_DECRYPT_CERT_SIGNATURE|INVALID_CA|PATH_LENGTH_EXCEEDED|INVALID_PURPOSE|CERT_UNTRUSTED|CERT_REJECTED|HOSTNAME_MISMATCH|IP_ADDRESS_MISMATCH|CERT_REVOKED|CERT_CHAIN_TOO_LONG|CRL_HAS_EXPIRED|UNABLE_TO_GET_CRL|KEYUSAGE_NO_CERTSIGN|UNHANDLED_CRITICAL_EXTENSION|PERMITTED_VIOLATION|EXCLUDED_VIOLATION|EE_KEY_TOO_SMALL|CA_KEY_TOO_SMALL|CA_MD_TOO_WEAK)\b/g;
  for (const m of all(codes, text)) {
    const v = verifyByName(m[1]!);
    if (!v) continue;
    const depth = depthBefore(text, m.index);
    out.push(mk(text, m, verifySignal(v.signal, depth, text), 3, 0.9, `x509:${v.name}`, m[0].startsWith('X509_V_ERR_') ? 'openssl' : 'node', { notes: [`X509_V_ERR_${v.name} (${v.num})`, ...depthNote(depth)] }));
  }
  for (const m of all(/\bERR_TLS_CERT_ALTNAME_INVALID\b|Hostname\/IP do(?:es)?n[o']t match certificate's altnames/g, text)) {
    out.push(mk(text, m, sanSignal(text), 3, 0.9, 'node:ERR_TLS_CERT_ALTNAME_INVALID', 'node'));
  }
  return out;
};

// ── Go ───────────────────────────────────────────────────────────────────────────────────────────────

const GO_PATTERNS: Array<[RegExp, SignalId | ((m: RegExpExecArray, text: string) => SignalId), Level, number, string]> = [
  [/x509: certificate has expired or is not yet valid(?::[ \t]{0,4}current time \S{1,40} is (after|before) \S{1,40})?/g, (m) => (m[1] === 'before' ? 'verify:not-yet-valid' : 'verify:expired'), 3, 0.9, 'go:x509-expired-or-not-yet-valid'],
  [/x509: certificate signed by unknown authority(?: \(possibly because of "([^"\n]{1,160})")?/g, (m) => (m[1] && /verification error|verification failure/.test(m[1]) ? 'verify:same-name-other-key' : m[1] && /cannot sign this kind/.test(m[1]) ? 'verify:invalid-ca' : 'verify:unknown-issuer'), 3, 0.9, 'go:x509-unknown-authority'],
  [/x509: certificate is valid for ((?:[^\n]|\n(?!\n)){1,300}?),\s{1,8}not ([^\s,"']{1,300})/g, (m, text) => (foreignNames(m[1]!, m[2]!) ? 'verify:san-foreign' : sanSignal(text)), 3, 0.92, 'go:x509-name-mismatch'],
  [/x509: certificate is not valid for any names|x509: certificate relies on legacy Common Name field|x509: cannot validate certificate for \S{1,100} because it doesn't contain any IP SANs/g, 'verify:no-san', 3, 0.9, 'go:x509-no-san'],
  [/x509: certificate specifies an incompatible key usage/g, 'verify:invalid-purpose', 3, 0.9, 'go:x509-incompatible-key-usage'],
  [/x509: too many intermediates for path length constraint/g, 'verify:path-length', 3, 0.9, 'go:x509-path-length'],
  [/(?:x509: )?invalid signature: parent certificate cannot sign this kind of certificate|(?:x509: )?certificate is not authorized to sign other certificates/g, 'verify:invalid-ca', 3, 0.9, 'go:x509-not-a-ca'],
  [/x509: [^\n]{0,80}?insecure algorithm/g, 'verify:weak', 3, 0.9, 'go:x509-insecure-algorithm'],
  [/x509: a root or intermediate certificate is not authorized to sign for this name/g, 'verify:name-constraints', 3, 0.9, 'go:x509-name-constraints'],
  [/x509: unhandled critical extension/g, 'verify:critical-extension', 3, 0.9, 'go:x509-critical-extension'],
  [/x509: malformed [a-z ]{2,40}/g, 'verify:bad-encoding', 3, 0.85, 'go:x509-malformed'],
  [/tls: private key does not match public key/g, 'key-mismatch', 3, 0.95, 'go:key-mismatch'],
  [/tls: first record does not look like a TLS handshake|server gave HTTP response to HTTPS client/g, 'plaintext-reply', 2, 0.9, 'go:not-tls'],
  [/tls: client didn't provide a certificate/g, 'no-client-cert', 3, 0.9, 'go:no-client-cert'],
  [/tls: no cipher suite supported by both client and server/g, 'cipher-mismatch', 2, 0.9, 'go:no-cipher'],
  [/tls: (?:client offered only unsupported versions|server selected unsupported protocol version|unsupported versions)/g, 'version-mismatch', 2, 0.9, 'go:version'],
  [/tls: (?:client requested unsupported application protocols|server selected unadvertised ALPN protocol)/g, 'alpn-mismatch', 2, 0.9, 'go:alpn'],
  [/tls: failed to verify client certificate/g, 'verify:failed-client', 2, 0.75, 'go:verify-client-failed'],
  [/tls: failed to verify certificate(?! chain)/g, 'verify:failed', 2, 0.75, 'go:verify-failed'],
];

const goErrors: Recogniser = (text) => {
  const out: Match[] = [];
  for (const [re, sig, level, spec, code] of GO_PATTERNS) {
    for (const m of all(re, text)) out.push(mk(text, m, typeof sig === 'function' ? sig(m, text) : sig, level, spec, code, 'go'));
  }
  return out;
};

// ── rustls / webpki / Linkerd / ztunnel ──────────────────────────────────────────────────────────────

const RUSTLS_NAMES: Record<string, SignalId> = {
  unknownissuer: 'verify:unknown-issuer',
  expired: 'verify:expired',
  certexpired: 'verify:expired',
  notvalidyet: 'verify:not-yet-valid',
  certnotvalidyet: 'verify:not-yet-valid',
  notvalidforname: 'verify:san',
  certnotvalidforname: 'verify:san',
  badencoding: 'verify:bad-encoding',
  badder: 'verify:bad-encoding',
  baddertime: 'verify:bad-encoding',
  unsupportedcertversion: 'verify:bad-encoding',
  unhandledcriticalextension: 'verify:critical-extension',
  causedasendentity: 'verify:leaf-is-ca',
  nameconstraintviolation: 'verify:name-constraints',
  badsignature: 'verify:bad-signature',
  invalidsignatureforpublickey: 'verify:bad-signature',
  unsupportedsignaturealgorithm: 'verify:weak',
  unsupportedsignaturealgorithmforpublickey: 'verify:weak',
  invalidpurpose: 'verify:invalid-purpose',
  requiredekunotfound: 'verify:invalid-purpose',
  endentityusedasca: 'verify:invalid-ca',
  pathlenconstraintviolated: 'verify:path-length',
  revoked: 'verify:revoked',
  applicationverificationfailure: 'verify:failed',
};

const rustlsErrors: Recogniser = (text) => {
  const out: Match[] = [];
  // rustls/webpki names: `invalid peer certificate: UnknownIssuer`, Linkerd `invalid certificate: CertNotValidYet`,
  // `InvalidCertificate(Expired)`, `invalid peer certificate: Other(OtherError(UnsupportedCertVersion))`.
  for (const m of all(/invalid (?:peer )?certificate(?: contents)?:\s?(?:invalid (?:peer )?certificate:\s?)?(?:Other\((?:OtherError\()?)?([A-Z][A-Za-z]{2,50})|InvalidCertificate\(([A-Z][A-Za-z]{2,50})/g, text)) {
    const name = (m[1] ?? m[2])!;
    const sig = RUSTLS_NAMES[name.toLowerCase()];
    if (!sig) continue;
    out.push(mk(text, m, sig === 'verify:san' ? sanSignal(text) : sig, 3, 0.9, `rustls:${name}`, 'rustls'));
  }
  // Newer rustls prose.
  const prose: Array<[RegExp, SignalId, string]> = [
    [/certificate expired: verification time/g, 'verify:expired', 'rustls:Expired'],
    [/certificate not valid yet: verification time|certificate not valid before/g, 'verify:not-yet-valid', 'rustls:NotValidYet'],
    [/certificate not valid for name/g, 'verify:san', 'rustls:NotValidForName'],
    [/peer sent no certificates|\bNoCertificatesPresented\b/g, 'no-client-cert', 'rustls:NoCertificatesPresented'],
    [/received corrupt message(?: of type InvalidContentType)?|\bInvalidContentType\b/g, 'plaintext-reply', 'rustls:InvalidContentType'],
    [/Identity verification error: peer did not present the expected SAN|did not present the expected SAN/g, 'verify:san', 'ztunnel:san'],
  ];
  for (const [re, sig, code] of prose) for (const m of all(re, text)) out.push(mk(text, m, sig === 'verify:san' ? sanSignal(text) : sig, sig === 'plaintext-reply' ? 2 : 3, 0.9, code, code.split(':')[0]!));
  for (const m of all(/peer is incompatible:? ?([A-Za-z0-9]{3,60})|PeerIncompatible\(([A-Za-z0-9]{3,60})/g, text)) {
    const what = (m[1] ?? m[2])!;
    const sig: SignalId = /cipher/i.test(what) ? 'cipher-mismatch' : /protocol|alpn/i.test(what) && !/version|tls1/i.test(what) ? 'alpn-mismatch' : 'version-mismatch';
    out.push(mk(text, m, sig, 2, 0.85, `rustls:PeerIncompatible(${what})`, 'rustls'));
  }
  return out;
};

// ── Envoy / Istio context ────────────────────────────────────────────────────────────────────────────

const ENVOY_FLAGS = new Set(['UF', 'URX', 'UC', 'NR', 'UH', 'UT', 'UO', 'LR', 'DC', 'UPE', 'DPE', 'UMSDR', 'RL', 'UAEX', 'SI', 'IH', 'DT', 'NC', 'URL', 'OM', 'DF', 'DO', 'DI', 'FI', 'RLSE', 'RR', 'NFCF']);

const envoyContext: Recogniser = (text) => {
  const out: Match[] = [];
  for (const m of all(/reset reason: ((?:remote |local )?connection (?:failure|termination|timeout))/g, text)) {
    const r = m[1]!;
    const sig: SignalId = r.endsWith('termination') ? 'upstream-terminated' : r.endsWith('timeout') ? 'timeout' : 'upstream-connect-failure';
    out.push(mk(text, m, sig, 1, 0.6, `envoy:${r.replace(/ /g, '_')}`, 'envoy'));
  }
  for (const m of all(/upstream_reset_before_response_started\{(connection_failure|connection_termination|remote_connection_failure|local_connection_failure|connection_timeout)/g, text)) {
    const r = m[1]!;
    const sig: SignalId = r.endsWith('termination') ? 'upstream-terminated' : r.endsWith('timeout') ? 'timeout' : 'upstream-connect-failure';
    out.push(mk(text, m, sig, 1, 0.6, `envoy:${r}`, 'envoy'));
  }
  // Response flags in an access log line (`" 503 UF,URX `, `0 NR filter_chain_not_found`) or JSON.
  const flagRe = /(?:(?:^|[\s"])(?:[1-5]\d\d|0|-)[ \t]{1,8}|response_flags"?[ \t]{0,4}[:=][ \t]{0,4}"?)([A-Z]{2,5}(?:,[A-Z]{2,5}){0,5})(?=[\s",}]|$)/gm;
  for (const m of all(flagRe, text)) {
    const flags = m[1]!.split(',');
    if (!flags.every((f) => ENVOY_FLAGS.has(f))) continue;
    const nr = flags.includes('NR');
    if (nr) out.push(mk(text, m, 'no-filter-chain', /filter_chain_not_found|no matching filter chain/.test(text) ? 2 : 1, 0.7, 'envoy:NR', 'envoy', { notes: ['response flag NR: no route or no filter chain matched'] }));
    if (flags.includes('UF')) out.push(mk(text, m, 'upstream-connect-failure', 1, 0.55, 'envoy:UF', 'envoy', { notes: [`response flags ${m[1]}: UF upstream connection failure${flags.includes('URX') ? ', URX retries exhausted' : ''}`] }));
    if (flags.includes('UC')) out.push(mk(text, m, 'upstream-terminated', 1, 0.6, 'envoy:UC', 'envoy', { notes: ['response flag UC: upstream connection terminated'] }));
    if (flags.includes('UH')) out.push(mk(text, m, 'no-healthy-upstream', 1, 0.7, 'envoy:UH', 'envoy', { notes: ['response flag UH: no healthy upstream host'] }));
  }
  for (const m of all(/filter_chain_not_found|no matching filter chain found|no_filter_chain_match/g, text)) {
    out.push(mk(text, m, 'no-filter-chain', 2, 0.8, 'envoy:filter_chain_not_found', 'envoy'));
  }
  for (const m of all(/no healthy upstream/g, text)) out.push(mk(text, m, 'no-healthy-upstream', 2, 0.8, 'envoy:no_healthy_upstream', 'envoy'));
  // SDS: the certificate never reached Envoy.
  for (const m of all(/Secret is not supplied by SDS/gi, text)) out.push(mk(text, m, 'sds-not-delivered', 3, 0.95, 'envoy:sds-not-supplied', 'envoy'));
  for (const m of all(/^[ \t]{0,40}(?:default|ROOTCA)[ \t]{1,40}[^\n]{0,120}\bWARMING\b/gm, text)) out.push(mk(text, m, 'sds-not-delivered', 3, 0.9, 'istio:secret-warming', 'istio', { notes: ['istioctl proxy-config secret: the secret is WARMING (never became ACTIVE)'] }));
  for (const m of all(/sds failed to warm|failed to warm certificate|_context_secrets_not_ready/g, text)) out.push(mk(text, m, 'sds-not-delivered', 3, 0.85, 'envoy:sds-not-warm', 'envoy'));
  for (const m of all(/failed to (?:generate secret|rotate secret|sign CSR)|ca request failed|request authenticate failure|citadelclient failed/gi, text)) {
    out.push(mk(text, m, 'ca-request-failed', 2, 0.75, 'istio:ca-request-failed', 'istio'));
  }
  // Envoy TLS stats (`cluster.outbound|…ssl.fail_verify_san: 12`); a counter shown as 0 says nothing failed.
  for (const m of all(/\b(?:ssl\.)?(fail_verify_san|fail_verify_error|fail_verify_no_cert)\b(?:"?[ \t]{0,4}[:=][ \t]{0,4}"?(\d+))?|\bssl\.(no_certificate|connection_error)\b(?:"?[ \t]{0,4}[:=][ \t]{0,4}"?(\d+))?/g, text)) {
    const name = (m[1] ?? m[3])!;
    if ((m[2] ?? m[4]) === '0') continue;
    const [sig, level, spec]: [SignalId, Level, number] =
      name === 'fail_verify_san' ? [sanSignal(text), 3, 0.85] : name === 'fail_verify_error' ? ['verify:failed', 2, 0.7] : name === 'connection_error' ? ['handshake-failed', 1, 0.5] : ['no-client-cert', 3, 0.85];
    out.push(mk(text, m, sig, level, spec, `envoy:${name}`, 'envoy', { notes: [`Envoy counter ssl.${name}${/cluster\./.test(m.input.slice(Math.max(0, m.index - 120), m.index)) ? ' on an outbound cluster: we (the client) rejected the server' : ''}`] }));
  }
  return out;
};

// ── curl ─────────────────────────────────────────────────────────────────────────────────────────────

const CURL: Record<number, [SignalId, Level, number, string]> = {
  6: ['dns-failure', 2, 0.9, 'could not resolve host'],
  7: ['connection-refused', 2, 0.8, 'failed to connect'],
  16: ['reset', 1, 0.5, 'HTTP/2 framing error (often a reset underneath)'],
  28: ['timeout', 1, 0.7, 'operation timed out'],
  35: ['handshake-failed', 1, 0.6, 'SSL connect error: the TLS handshake failed'],
  51: ['verify:san', 3, 0.85, "the server certificate's name did not match"],
  52: ['reset', 1, 0.6, 'empty reply: the server closed without answering (plaintext into an mTLS port)'],
  56: ['reset', 1, 0.6, 'failure receiving data (reset by peer)'],
  58: ['local-cert-problem', 2, 0.7, 'problem with the local client certificate or key'],
  60: ['verify:failed', 2, 0.75, "the peer's certificate failed verification"],
};

const curlErrors: Recogniser = (text) => {
  const out: Match[] = [];
  const add = (m: RegExpExecArray, code: number, spec: number) => {
    const c = CURL[code];
    if (!c) return;
    let [sig, level] = c;
    if (code === 7 && /timed out|timeout/i.test(m[0])) sig = 'timeout';
    if (code === 51) sig = sanSignal(text);
    out.push(mk(text, m, sig, level, Math.min(spec, c[2]), `curl:${code}`, 'curl', { notes: [`curl exit code ${code}: ${c[3]}`] }));
  };
  for (const m of all(/curl: \((\d{1,2})\)[^\n]{0,200}/g, text)) add(m, Number(m[1]), 1);
  // Exit code only (`command terminated with exit code 56` after a kubectl exec curl).
  const curlSeen = /\bcurl\b/i.test(text);
  for (const m of all(/(?:command terminated with exit code|exit(?:ed with)? (?:code|status))[ \t]{0,4}:?[ \t]{0,4}(\d{1,3})\b/gi, text)) {
    if (curlSeen || /command terminated/i.test(m[0])) add(m, Number(m[1]), 0.5);
  }
  for (const m of all(/no alternative certificate subject name matches target host name|certificate subject name '[^'\n]{0,200}' does not match target host ?name/g, text)) {
    out.push(mk(text, m, sanSignal(text), 3, 0.9, 'curl:name-mismatch', 'curl'));
  }
  for (const m of all(/gnutls_handshake\(\) failed: ([A-Za-z][A-Za-z ,.-]{2,80})/g, text)) {
    const r = m[1]!;
    const sig: SignalId = /expired/i.test(r) ? 'verify:expired' : /not trusted|issuer|unknown/i.test(r) ? 'verify:unknown-issuer' : 'handshake-failed';
    out.push(mk(text, m, sig, sig === 'handshake-failed' ? 1 : 3, 0.8, 'gnutls:handshake', 'gnutls'));
  }
  return out;
};

// ── Sockets, Java, generic ───────────────────────────────────────────────────────────────────────────

const GENERIC: Array<[RegExp, SignalId, Level, number, string, string]> = [
  [/connection reset by peer|\bECONNRESET\b|errno[ \t]{0,3}=[ \t]{0,3}104\b|os error 104\b|socket hang up|Client network socket disconnected before secure TLS connection was established|\bSSL_ERROR_SYSCALL\b|unexpected EOF|\bbroken pipe\b/gi, 'reset', 1, 0.55, 'reset', 'socket'],
  [/connection refused|\bECONNREFUSED\b|os error 111\b/gi, 'connection-refused', 2, 0.9, 'refused', 'socket'],
  [/no route to host|\bEHOSTUNREACH\b|network is unreachable|\bENETUNREACH\b|os error 113\b/gi, 'host-unreachable', 2, 0.9, 'unreachable', 'socket'],
  [/\bENOTFOUND\b|\bEAI_AGAIN\b|could not resolve host|no such host|Name or service not known|Temporary failure in name resolution/gi, 'dns-failure', 2, 0.9, 'dns', 'socket'],
  [/\bETIMEDOUT\b|i\/o timeout|handshake timed? ?out|context deadline exceeded|operation timed out|connection timed out/gi, 'timeout', 1, 0.55, 'timeout', 'socket'],
  [/\bEPROTO\b|SSLHandshakeException|TLS handshake error|handshake fail(?:ed|ure)/gi, 'handshake-failed', 1, 0.45, 'handshake-failed', 'generic'],
  [/PKIX path building failed|unable to find valid certification path to requested target/g, 'verify:unknown-issuer', 3, 0.85, 'java:pkix', 'java'],
  [/No subject alternative (?:DNS )?names? matching|No name matching \S{1,200} found/g, 'verify:san', 3, 0.85, 'java:san', 'java'],
  [/CertificateExpiredException/g, 'verify:expired', 3, 0.85, 'java:expired', 'java'],
  [/Extended key usage does not permit use for TLS (?:client|server) authentication/g, 'verify:invalid-purpose', 3, 0.9, 'java:eku', 'java'],
  [/CertificateNotYetValidException/g, 'verify:not-yet-valid', 3, 0.85, 'java:not-yet-valid', 'java'],
];

const genericErrors: Recogniser = (text) => {
  const out: Match[] = [];
  for (const [re, sig, level, spec, code, family] of GENERIC) {
    for (const m of all(re, text)) out.push(mk(text, m, sig === 'verify:san' ? sanSignal(text) : sig, level, spec, code, family));
  }
  return out;
};

// ── What other stacks and tools print: gRPC C-core, browsers, nginx, SPIRE, Linkerd, istioctl, raw records ─────

const BROWSER_ALERTS: Record<string, number> = { UNRECOGNIZED_NAME: 112, HANDSHAKE_FAILURE: 40, BAD_CERT: 42, BAD_CERTIFICATE: 42, UNKNOWN_CA: 48, CERTIFICATE_EXPIRED: 45, CERT_EXPIRED: 45, ACCESS_DENIED: 49, PROTOCOL_VERSION: 70, INTERNAL_ERROR: 80, CERTIFICATE_REQUIRED: 116, NO_APPLICATION_PROTOCOL: 120 };

const BROWSER_CERT: Array<[RegExp, SignalId, string]> = [
  [/\b(?:NET::)?ERR_CERT_COMMON_NAME_INVALID\b|\bSSL_ERROR_BAD_CERT_DOMAIN\b/g, 'verify:san', 'browser:name-mismatch'],
  [/\b(?:NET::)?ERR_CERT_AUTHORITY_INVALID\b|\bSEC_ERROR_UNKNOWN_ISSUER\b|\bMOZILLA_PKIX_ERROR_SELF_SIGNED_CERT\b/g, 'verify:unknown-issuer', 'browser:unknown-issuer'],
  [/\b(?:NET::)?ERR_CERT_DATE_INVALID\b|\bSEC_ERROR_EXPIRED_CERTIFICATE\b/g, 'verify:expired', 'browser:date-invalid'],
];

const otherStacks: Recogniser = (text) => {
  const out: Match[] = [];
  // gRPC C-core's own hostname check, and its ALPN check (grpc ≥ 1.67 refuses a server that selects no ALPN).
  for (const m of all(/Peer name \S{1,255} is not in peer certificate/g, text)) out.push(mk(text, m, sanSignal(text), 3, 0.9, 'grpc:peer-name', 'grpc-core', { notes: ["gRPC checked the target name against the server certificate's SANs"] }));
  for (const m of all(/Cannot check peer: missing selected ALPN property|Failed ALPN negotiation|missing selected ALPN/g, text)) out.push(mk(text, m, 'alpn-mismatch', 2, 0.9, 'grpc:alpn', 'grpc-core', { notes: ['gRPC requires the server to select ALPN h2; it selected none'] }));
  // Browsers: NET::ERR_SSL_UNRECOGNIZED_NAME_ALERT, SSL_ERROR_UNRECOGNIZED_NAME_ALERT (a received alert), certificate verdicts.
  for (const m of all(/\b(?:NET::)?ERR_SSL_([A-Z_]{3,40})_ALERT\b|\bSSL_ERROR_([A-Z_]{3,40})_ALERT\b/g, text)) {
    const a = alertByNumber(BROWSER_ALERTS[(m[1] ?? m[2])!] ?? -1);
    if (a) out.push(alertMatch(text, m, a, 'received', 'browser'));
  }
  for (const [re, sig, code] of BROWSER_CERT) for (const m of all(re, text)) out.push(mk(text, m, sig === 'verify:san' ? sanSignal(text) : sig, 3, 0.85, code, 'browser'));
  // Java: a warning alert surfaced as `handshake alert:  unrecognized_name`.
  for (const m of all(/handshake alert:\s{1,4}([a-z_]{3,40})/g, text)) {
    const a = alertByName(m[1]!);
    if (a) out.push(alertMatch(text, m, a, 'received', 'java'));
  }
  // nginx as a client of its upstream: it sends no SNI unless proxy_ssl_server_name is on.
  for (const m of all(/while SSL handshaking to upstream/g, text)) out.push(mk(text, m, 'proxy-upstream-handshake', 2, 0.85, 'nginx:upstream-handshake', 'nginx', { notes: ['nginx was the TLS client here (its upstream refused it); without proxy_ssl_server_name on it sends no SNI'] }));
  // A TLS server on a port that receives plaintext says so (nginx's 400 page; Go's answer).
  for (const m of all(/The plain HTTP request was sent to HTTPS port|Client sent an HTTP request to an HTTPS server/g, text)) out.push(mk(text, m, 'plaintext-request', 3, 0.95, 'http:plain-to-https', 'nginx'));
  for (const m of all(/No required SSL certificate was sent/g, text)) out.push(mk(text, m, 'no-client-cert', 3, 0.95, 'nginx:no-client-cert', 'nginx'));
  // Raw records quoted in a log: 16 03 0x is a TLS handshake (ClientHello) at a plaintext server; 15 03 0x a TLS
  // alert record read by a plaintext client (it spoke HTTP to a TLS port and got the server's alert back).
  for (const m of all(/\\x16\\x03\\x0[0-4]/g, text)) out.push(mk(text, m, 'tls-to-plaintext-port', 3, 0.9, 'record:client-hello', 'raw', { notes: ['\\x16\\x03: a TLS handshake record (ClientHello) where plaintext was expected'] }));
  for (const m of all(/\\x15\\x03\\x0[0-4]/g, text)) out.push(mk(text, m, 'plaintext-request', 3, 0.9, 'record:alert', 'raw', { notes: ['\\x15\\x03: a TLS alert record, read as the reply to a plaintext request: the server speaks TLS'] }));
  // Envoy's listener without a chain for a TLS connection: the SNI or ALPN matched none (the client spoke TLS).
  for (const m of all(/no matching filter chain found|filter_chain_not_found|no_filter_chain_match/g, text)) {
    if (/SSL_connect|ClientHello|Client hello|TLS handshake|TLSv1\.[0-3] \(OUT\)|-servername|curl: \(35\)/.test(text)) out.push(mk(text, m, 'no-filter-chain-tls', 2, 0.85, 'envoy:filter_chain_not_found+tls', 'envoy', { notes: ['the client was speaking TLS: the listener has no chain for its SNI (or ALPN)'] }));
  }
  // istioctl authn tls-check: a CONFLICT row whose client sends HTTP to an mTLS server.
  for (const m of all(/\bCONFLICT\s{1,20}(mTLS|STRICT|HTTP)\s{1,20}(HTTP|mTLS|ISTIO_MUTUAL)/g, text)) {
    if (m[1] !== m[2]) out.push(mk(text, m, 'tls-mode-conflict', 3, 0.9, 'istioctl:tls-check-conflict', 'istio', { notes: [`istioctl tls-check: server ${m[1]}, client ${m[2]}`] }));
  }
  // Envoy answered itself: a body or header that only a local reply carries, and protocol errors.
  for (const m of all(/reset reason: protocol error|upstream_reset_before_response_started\{protocol_error\}|\b50[23] UPE\b|\bDPE\b/g, text)) out.push(mk(text, m, 'protocol-error', 2, 0.8, 'envoy:protocol_error', 'envoy'));
  if (/server: ?\[?(?:istio-)?envoy\b|Server:\[envoy\]/i.test(text)) {
    for (const m of all(/\bHTTP\/[12](?:\.[01])? (404|503|502)\b/g, text)) out.push(mk(text, m, 'envoy-local-reply', 1, 0.6, `envoy:local-${m[1]}`, 'envoy', { notes: [`HTTP ${m[1]} with server: envoy: the proxy answered, not the application`] }));
  }
  // Identity delivery outside Envoy: SPIRE's Workload API, go-spiffe's X509Source.
  for (const m of all(/no identity issued|create X509Source|Failed to watch the Workload API|could not fetch (?:X\.?509 )?SVID|spire[-_]agent[^\n]{0,80}(?:no such file|connection refused)|agent\.sock: connect: (?:no such file|connection refused)/gi, text)) {
    out.push(mk(text, m, 'sds-not-delivered', 3, 0.85, 'spire:no-identity', 'spire', { notes: ['the workload received no SVID from the SPIRE agent (Workload API)'] }));
  }
  // Linkerd's `linkerd check` and similar health checks naming which certificate expired.
  for (const m of all(/(issuer|intermediate|identity issuer|trust (?:root|anchor)s?|roots?|root CA)\b[^\n]{0,80}\n?[^\n]{0,160}?(?:not valid anymore|is expired|has expired)\b/gi, text)) {
    const role = m[1]!.toLowerCase();
    const sig: SignalId = /root|anchor/.test(role) ? 'verify:expired-upper' : 'verify:expired-ca';
    out.push(mk(text, m, sig, 3, 0.9, `check:${/root|anchor/.test(role) ? 'root' : 'issuer'}-expired`, 'linkerd', { notes: [`the ${role} certificate is past its Not After`] }));
  }
  for (const m of all(/not signed by any of the trust anchors|issuer certificate is not signed by/g, text)) out.push(mk(text, m, 'verify:unknown-issuer', 3, 0.9, 'check:issuer-not-signed-by-anchor', 'linkerd'));
  // Tools that say what to check: "check for clock skew" is their verdict on a certificate outside its dates.
  for (const m of all(/check for clock skew|clock skew detected|certificate is not yet valid/gi, text)) out.push(mk(text, m, 'verify:not-yet-valid', 2, 0.7, 'hint:clock-skew', 'generic'));
  // Go's alert error without its "remote error:" prefix, as wrappers print it.
  for (const m of all(/(?<!remote error: |local error: )\btls: (bad certificate|unknown certificate authority|certificate required|handshake failure|unknown certificate|expired certificate)\b/g, text)) {
    const a = alertByName(m[1]!);
    if (a) out.push(alertMatch(text, m, a, 'received', 'go', 0.7));
  }
  // A Kubernetes Service with no ready endpoint, said by the API server.
  for (const m of all(/no endpoints available for service/g, text)) out.push(mk(text, m, 'no-healthy-upstream', 2, 0.85, 'k8s:no-endpoints', 'kubernetes'));
  return out;
};

// ── What a stack read instead of what it expected: Netty's SslHandler and HTTP/2 codec, Java, Go, gRPC-Java ──

/** What the first bytes a stack quoted are. */
export type FirstBytes = 'tls-handshake' | 'tls-alert' | 'http-request' | 'h2-preface' | 'http-response' | 'h2-frames' | 'other';

/**
 * Classifies the first bytes read: a TLS record (16 03 0x handshake, 15 03 0x alert), an HTTP/1.x request or the
 * HTTP/2 client preface (what a client sends first), an HTTP/1.x response or HTTP/2 frames with stream id 0
 * (SETTINGS, GOAWAY: what a server sends first), or something else. Null when too few bytes were quoted.
 */
export function classifyFirstBytes(b: Uint8Array): FirstBytes | null {
  if (b.length < 3) return null;
  if (b[1] === 0x03 && b[2]! <= 0x04 && (b[0] === 0x16 || b[0] === 0x15)) return b[0] === 0x16 ? 'tls-handshake' : 'tls-alert';
  const ascii = Buffer.from(b.subarray(0, 16)).toString('latin1');
  if (/^PRI \* HTTP\/2/.test(ascii)) return 'h2-preface';
  if (/^HTTP\/\d/.test(ascii)) return 'http-response';
  if (/^(?:GET|POST|PUT|HEAD|DELETE|OPTIONS|PATCH|CONNECT|TRACE) /.test(ascii)) return 'http-request';
  // An HTTP/2 frame header: 24-bit length, type 0x04 SETTINGS or 0x07 GOAWAY, flags, stream id 0.
  if (b.length >= 9 && (b[3] === 0x04 || b[3] === 0x07) && b[5] === 0 && b[6] === 0 && b[7] === 0 && b[8] === 0) return 'h2-frames';
  return 'other';
}

/** Hex digits (`16030100…`) or Go-quoted bytes (`\x16\x03\x01…`, `GET / HTTP/1.1`) → at most 64 bytes. */
function bytesOf(quoted: string): Uint8Array {
  const hex = /^[0-9a-fA-F]+$/.test(quoted) ? quoted.slice(0, 128) : null;
  if (hex) return Uint8Array.from(Buffer.from(hex.length % 2 ? hex.slice(0, -1) : hex, 'hex'));
  const out: number[] = [];
  for (let i = 0; i < quoted.length && out.length < 64; i++) {
    const esc = /^\\x([0-9a-fA-F]{2})/.exec(quoted.slice(i, i + 4));
    if (esc) {
      out.push(parseInt(esc[1]!, 16));
      i += 3;
    } else if (quoted.startsWith('\\r', i) || quoted.startsWith('\\n', i)) {
      out.push(quoted[i + 1] === 'r' ? 13 : 10);
      i += 1;
    } else out.push(quoted.charCodeAt(i) & 0xff);
  }
  return Uint8Array.from(out);
}

/** What was read, for the evidence: the first line when it is text (HTTP), else its first bytes in hex. */
function shownBytes(b: Uint8Array, kind: FirstBytes): string {
  if (kind === 'http-request' || kind === 'http-response' || kind === 'h2-preface') {
    const line = Buffer.from(b).toString('latin1').split(/\r?\n/)[0]!.replace(/[^\x20-\x7e]/g, '.');
    return `"${line.length > 60 ? `${line.slice(0, 60)}…` : line}"`;
  }
  return `${[...b.subarray(0, 6)].map((x) => x.toString(16).padStart(2, '0')).join(' ')} …`;
}

/** The evidence note for bytes a stack quoted. */
const readNote = (b: Uint8Array | null, kind: FirstBytes | null): string[] => (b && kind ? [`the bytes read are ${READ_AS[kind]}: ${shownBytes(b, kind)}`] : []);

const READ_AS: Record<FirstBytes, string> = {
  'tls-handshake': 'a TLS handshake record (16 03 …, a ClientHello)',
  'tls-alert': 'a TLS alert record (15 03 …)',
  'http-request': 'an HTTP/1.x request',
  'h2-preface': 'the HTTP/2 client preface (PRI * HTTP/2.0)',
  'http-response': 'an HTTP/1.x response',
  'h2-frames': 'HTTP/2 frames from a plaintext (h2c) server',
  other: 'bytes that are neither TLS nor HTTP',
};

const readInstead: Recogniser = (text) => {
  const out: Match[] = [];
  // Netty's SslHandler read something that is not a TLS record; the bytes it quotes tell which side is plaintext.
  for (const m of all(/not an SSL\/TLS record(?::\s{0,2}([0-9a-fA-F]{6,}))?/g, text)) {
    const b = m[1] ? bytesOf(m[1]) : null;
    const kind = b ? classifyFirstBytes(b) : null;
    const read = readNote(b, kind);
    if (kind === 'http-response' || kind === 'h2-frames') out.push(mk(text, m, 'plaintext-reply', 3, 0.95, 'netty:not-ssl-record', 'java', { notes: [...read, 'a server sends that first: the TLS client that printed this reached a plaintext server'] }));
    else if (kind === 'http-request' || kind === 'h2-preface') out.push(mk(text, m, 'plaintext-request', 3, 0.95, 'netty:not-ssl-record', 'java', { notes: [...read, 'a client sends that first: the TLS server that printed this received plaintext'] }));
    else out.push(mk(text, m, 'plaintext-reply', 2, 0.7, 'netty:not-ssl-record', 'java', { notes: [...read, "Netty's SslHandler read bytes that are not a TLS record; without them quoted the text does not say which side is plaintext (a TLS client reaching a plaintext server is the usual case)"] }));
  }
  // Java's SSL engine: the same, without the bytes.
  for (const m of all(/Unrecognized SSL message, plaintext connection\?/g, text)) {
    out.push(mk(text, m, 'plaintext-reply', 2, 0.8, 'java:unrecognized-ssl-message', 'java', { notes: ["Java's SSL engine read a record that is not TLS: usually a TLS client (https://) reaching a plaintext port"] }));
  }
  // A plaintext HTTP/2 (gRPC) server that did not get the HTTP/2 preface: Netty's codec, grpc-go, Go's http2.
  for (const m of all(/HTTP\/2 client preface string missing or corrupt\.?(?: Hex dump for received bytes:\s{0,2}([0-9a-fA-F]{6,}))?|(?:received bogus greeting from client|bogus greeting):?\s{0,2}"((?:\\x[0-9a-fA-F]{2}|\\[rn"\\]|[^"\\\n]){1,200})/g, text)) {
    const quoted = m[1] ?? m[2];
    const b = quoted ? bytesOf(quoted) : null;
    const kind = b ? classifyFirstBytes(b) : null;
    const read = readNote(b, kind);
    if (kind === 'tls-handshake') out.push(mk(text, m, 'tls-to-plaintext-port', 3, 0.95, 'h2:preface-tls', /bogus greeting/.test(m[0]) ? 'go' : 'java', { notes: [...read, 'a plaintext HTTP/2 server read a ClientHello where it expected the preface (PRI * HTTP/2.0)'] }));
    else out.push(mk(text, m, 'h2-preface-missing', 2, kind === 'http-request' ? 0.6 : 0.85, 'h2:preface-missing', /bogus greeting/.test(m[0]) ? 'go' : 'java', { notes: [...read, 'the server expected the HTTP/2 preface (PRI * HTTP/2.0) on a plaintext connection'] }));
  }
  // gRPC-Java building a TLS channel found no ALPN provider: the client is configured for TLS.
  for (const m of all(/Could not find Jetty NPN\/ALPN or Conscrypt as installed JDK providers|Jetty ALPN\/NPN has not been properly configured|ALPN is not configured properly/g, text)) {
    out.push(mk(text, m, 'tls-client-alpn-unavailable', 2, 0.85, 'grpc-java:alpn-unavailable', 'java', { notes: ['gRPC-Java (GrpcSslContexts) was building a TLS channel: the client is configured for TLS'] }));
  }
  // Envoy's downstream protocol error (DPE, an HTTP/1 codec error) where the client's own TLS got a plaintext
  // answer: the proxy parsed the client's ClientHello as HTTP, so the port is declared HTTP and the client speaks TLS.
  if (/wrong version number|WRONG_VERSION_NUMBER|first record does not look like a TLS handshake|SSL_ERROR_RX_RECORD_TOO_LONG|Unrecognized SSL message/i.test(text)) {
    for (const m of all(/\b[45]\d\d DPE\b|response_flags"?\s{0,2}[:=]\s{0,2}"?DPE\b|http1\.codec_error|HPE_INVALID_METHOD/g, text)) {
      out.push(mk(text, m, 'tls-to-http-port', 3, 0.9, 'envoy:DPE+tls-client', 'envoy', { notes: ['DPE: the proxy could not parse what the client sent as HTTP; the client, speaking TLS, got a plaintext answer'] }));
    }
  }
  return out;
};

/** Every recogniser, in order; several may match one paste and decode.ts combines them. */
export const RECOGNISERS: readonly Recogniser[] = [
  packedCodes,
  hexCodes,
  reasonNames,
  opensslReasonText,
  alertTexts,
  envoyVerify,
  verifyTexts,
  goErrors,
  rustlsErrors,
  envoyContext,
  curlErrors,
  genericErrors,
  otherStacks,
  readInstead,
];

/**
 * Envoy's access logs join the words of a reason with underscores in every field
 * (`TLS_error:_Secret_is_not_supplied_by_SDS`, `reset_reason:_connection_failure`). A second view with those
 * underscores as spaces lets every recogniser read them; UPPER_CASE names (CERTIFICATE_VERIFY_FAILED) keep theirs.
 * Same length, so offsets agree.
 */
export function spacedView(text: string): string {
  return text.replace(/(?<=[a-z0-9:|,{])_(?=[A-Za-z0-9|])|(?<=[A-Za-z0-9:])_(?=[a-z0-9|:])/g, ' ');
}

export function recognise(text: string): Match[] {
  const direct = RECOGNISERS.flatMap((r) => r(text));
  if (!text.includes('_')) return direct;
  const spaced = spacedView(text);
  if (spaced === text) return direct;
  const seen = new Set(direct.map((m) => `${m.signal}|${m.index}`));
  // What only the spaced view reveals, quoted from the text as pasted.
  const extra = RECOGNISERS.flatMap((r) => r(spaced)).filter((m) => !seen.has(`${m.signal}|${m.index}`));
  return [...direct, ...extra.map((m) => ({ ...m, fragment: fragmentAt(text, m.index, 1) }))];
}
