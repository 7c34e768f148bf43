/**
 * The one redactor for every string that leaves the process: reports, logs, the evidence bundle, error
 * messages, and (later) chat answers. It removes private key material in every form a person can paste:
 *
 * - PEM blocks of any private-key type (PKCS#8, encrypted PKCS#8, RSA/EC/DSA traditional, OpenSSH, PGP), with
 *   or without their END line, CRLF or LF, and inside JSON strings where the line breaks are `\n` escapes;
 * - bare base64 (no PEM header at all, lines broken anywhere, spaces inserted) whose bytes decode to a
 *   PKCS#1, PKCS#8 (plain or encrypted), SEC1 or PKCS#12 structure, or an OpenSSH private key;
 * - the tail of a key whose BEGIN line was cut off (base64 right before an END … PRIVATE KEY line).
 *
 * Certificates, CRLs, CSRs and public keys are left alone: they are recognised by their DER structure, not by
 * how the text looks, so the evidence bundle's certificates replay unchanged.
 *
 * Stable API (the chat server uses it too): `redact(text)`, `containsSecret(text)`, `redactDeep(value)`,
 * `REDACTED`.
 */

/** What a private key is replaced with. */
export const REDACTED = '[REDACTED private key]';

/** Fewest base64 characters worth checking: a bare Ed25519 PKCS#8 key is 64. */
const MIN_RUN = 40;
/** Base64 characters decoded to recognise a structure: enough for every header we check. */
const PREFIX_CHARS = 96;

// Written -{3,} so that no file here contains a literal private-key PEM header line.
const PEM_BEGIN = /-{3,}[ \t]*BEGIN[ \t]+((?:[A-Z0-9]+[ \t]+)*?)PRIVATE[ \t]+KEY(?:[ \t]+BLOCK)?[ \t]*-{3,}/g;
const PEM_END_SOURCE = '-{3,}[ \\t]*END[ \\t]+((?:[A-Z0-9]+[ \\t]+)*?)PRIVATE[ \\t]+KEY(?:[ \\t]+BLOCK)?[ \\t]*-{3,}';
/** RFC 1421 headers inside a traditional encrypted key (`Proc-Type: 4,ENCRYPTED`, `DEK-Info: …`). */
const PEM_HEADER_LINE = /^[A-Za-z][A-Za-z0-9-]*:[^\n\\]*/;
/** A PEM block may be this long at most before its END line is taken to be missing (RSA 16384 is ~13 kB). */
const MAX_PEM_KEY = 64 * 1024;

const B64 = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/') B64[c.charCodeAt(0)] = 1;
const isB64 = (code: number) => code < 128 && B64[code] === 1;

/** Width of a separator at `i` inside a base64 run: white space, or a JSON/C escape `\n` `\r` `\t`. 0: none. */
function separatorAt(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) return 1;
  if (c === 0x5c) {
    // One or more backslashes (JSON inside JSON doubles them) before n, r or t.
    let j = i;
    while (s.charCodeAt(j) === 0x5c) j++;
    const e = s.charCodeAt(j);
    if (j > i && (e === 0x6e || e === 0x72 || e === 0x74)) return j + 1 - i;
  }
  return 0;
}

/** True when `i` starts a token: the text start, a non-base64 character, or a separator before it. */
function tokenStart(s: string, i: number): boolean {
  if (i === 0) return true;
  const p = s.charCodeAt(i - 1);
  if (!isB64(p)) return true;
  // `\nMII…`: the `n` of an escape is not part of the base64.
  if ((p === 0x6e || p === 0x72 || p === 0x74) && s.charCodeAt(i - 2) === 0x5c) return true;
  return false;
}

interface Run {
  /** The base64 characters gathered (separators dropped), at most `want`. */
  chars: string;
  /** Offset just after the last character consumed (including `=` padding when the run ended there). */
  end: number;
}

/** Gathers up to `want` base64 characters from `i`, skipping separators; stops at anything else. */
function gather(s: string, i: number, want: number): Run {
  let chars = '';
  let p = i;
  let end = i;
  while (p < s.length && chars.length < want) {
    const c = s.charCodeAt(p);
    if (isB64(c)) {
      chars += s[p];
      p++;
      end = p;
      continue;
    }
    const w = separatorAt(s, p);
    if (w === 0) break;
    p += w;
  }
  // Padding closes the run.
  let q = end;
  while (q < s.length && separatorAt(s, q) === 0 && s.charCodeAt(q) === 0x3d && q - end < 2) q++;
  return { chars, end: q };
}

const OPENSSH_MAGIC = Buffer.from('openssh-key-v1\0', 'latin1');
const PBES_OID = Buffer.from([0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05]); // 1.2.840.113549.1.5.*
const PKCS12_PBE_OID = Buffer.from([0x06, 0x0a, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x01]); // 1.2.840.113549.1.12.1.*
const PKCS7_OID = Buffer.from([0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07]); // 1.2.840.113549.1.7.*

/** A DER header at `p` (lenient: the contents may run past the bytes we have). */
function header(b: Uint8Array, p: number): { tag: number; len: number; value: number } | null {
  if (p + 2 > b.length) return null;
  const tag = b[p]!;
  let len = b[p + 1]!;
  let v = p + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 3 || v + n > b.length) return null;
    len = 0;
    for (let k = 0; k < n; k++) len = len * 256 + b[v + k]!;
    v += n;
  }
  return { tag, len, value: v };
}

const startsWith = (b: Uint8Array, at: number, prefix: Uint8Array) => at + prefix.length <= b.length && prefix.every((x, k) => b[at + k] === x);

/**
 * The total DER length of the private-key structure `b` starts with, or -1 when it is not one. Recognises
 * PKCS#1 RSA (and DSA) private keys, PKCS#8 v1/v2, encrypted PKCS#8, SEC1 EC keys and PKCS#12; never a
 * certificate, CRL, CSR or public key (their first element is a SEQUENCE without a PBE OID, or a BIT STRING
 * follows).
 */
export function privateKeyDerLength(b: Uint8Array): number {
  if (startsWith(b, 0, OPENSSH_MAGIC)) return b.length;
  const outer = header(b, 0);
  if (!outer || outer.tag !== 0x30) return -1;
  const total = outer.value + outer.len;
  const c0 = header(b, outer.value);
  if (!c0) return -1;
  if (c0.tag === 0x02 && c0.len === 1) {
    const version = b[c0.value];
    const c1 = header(b, c0.value + 1);
    if (version === undefined || !c1) return -1;
    // PKCS#1 RSAPrivateKey / DSA: version 0, then a big INTEGER (the modulus or p), long-form length.
    if (version === 0 && c1.tag === 0x02 && c1.len >= 64) return total;
    // PKCS#8 PrivateKeyInfo (v1) or OneAsymmetricKey (v2): version, AlgorithmIdentifier (an OID first), OCTET STRING.
    if ((version === 0 || version === 1) && c1.tag === 0x30 && b[c1.value] === 0x06) {
      const c2 = header(b, c1.value + c1.len);
      return !c2 || c2.tag === 0x04 ? total : -1;
    }
    // SEC1 ECPrivateKey: version 1, then the private key as an OCTET STRING.
    if (version === 1 && c1.tag === 0x04 && c1.len >= 16 && c1.len <= 80) return total;
    // PKCS#12 PFX: version 3, then a PKCS#7 ContentInfo (keys and certificates inside).
    if (version === 3 && c1.tag === 0x30 && startsWith(b, c1.value, PKCS7_OID)) return total;
    return -1;
  }
  // EncryptedPrivateKeyInfo: AlgorithmIdentifier with a PBES2/PBE OID, then the encrypted OCTET STRING.
  if (c0.tag === 0x30 && (startsWith(b, c0.value, PBES_OID) || startsWith(b, c0.value, PKCS12_PBE_OID))) {
    const c1 = header(b, c0.value + c0.len);
    return !c1 || c1.tag === 0x04 ? total : -1;
  }
  return -1;
}

/** From `p`, the end of the base64 tokens of key-line length (≥ WORD characters) that follow, separators between. */
function extendOverLines(s: string, p: number): number {
  let end = p;
  for (;;) {
    let q = end;
    // Characters glued to the end of the span belong to its token.
    while (q < s.length && (isB64(s.charCodeAt(q)) || s.charCodeAt(q) === 0x3d)) q++;
    if (q > end) {
      end = q;
      continue;
    }
    while (q < s.length && separatorAt(s, q) > 0) q += separatorAt(s, q);
    let t = q;
    while (t < s.length && (isB64(s.charCodeAt(t)) || s.charCodeAt(t) === 0x3d)) t++;
    if (q === end || t - q < WORD) return end;
    end = t;
  }
}

/** After a key: one or two stray characters (`:`, `,`, a quote), then more key-line base64, is the same key. */
function extendGlued(s: string, p: number): number {
  let end = extendOverLines(s, p);
  for (;;) {
    let q = end;
    while (q < s.length && q - end < 2 && !isB64(s.charCodeAt(q)) && separatorAt(s, q) === 0 && s.charCodeAt(q) !== 0x5b) q++;
    if (q === end) return end;
    let t = q;
    while (t < s.length && isB64(s.charCodeAt(t))) t++;
    if (t - q < WORD) return end;
    end = extendOverLines(s, t);
  }
}

/** Decodes up to the first `n` base64 characters (a multiple of 4). */
const decodePrefix = (chars: string) => Buffer.from(chars.slice(0, chars.length - (chars.length % 4)), 'base64');

/** Spans [start, end) of bare base64 private keys in `s`. */
function base64KeySpans(s: string, firstOnly: boolean): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  if (s.length < MIN_RUN) return spans;
  let from = 0;
  // Next "M" and "b" at or after `from`, each searched again only once passed (linear, not quadratic).
  let m = -2;
  let o = -2;
  for (;;) {
    // DER SEQUENCE (0x30) always encodes to "M"; an OpenSSH key's magic to "b3Blbn".
    if (m !== -1 && m < from) m = s.indexOf('M', from);
    if (o !== -1 && o < from) o = s.indexOf('b', from);
    const i = m < 0 ? o : o < 0 ? m : Math.min(m, o);
    if (i < 0) break;
    from = i + 1;
    if (!tokenStart(s, i)) continue;
    const ssh = s[i] === 'b';
    if (ssh && gather(s, i, 6).chars !== 'b3Blbn') continue;
    const head = gather(s, i, PREFIX_CHARS);
    if (head.chars.length < MIN_RUN) continue;
    const len = privateKeyDerLength(decodePrefix(head.chars));
    if (len < 0) continue;
    // The whole key: its DER length in base64 characters (or the rest of the run, when it is cut short).
    const want = ssh ? Number.MAX_SAFE_INTEGER : Math.ceil(len / 3) * 4;
    const run = gather(s, i, want);
    // A key longer than its header says (a doubled line, text glued on): the key-like lines after it go too.
    spans.push([i, extendOverLines(s, run.end)]);
    if (firstOnly) break;
    from = run.end;
  }
  return spans;
}

/**
 * Byte sequences found only inside private keys: what is left of a key whose head was cut off or glued to
 * other text still shows one of them (the private scalar follows each).
 */
const KEY_MARKERS = [
  // SEC1 ECPrivateKey: version 1, then the private key OCTET STRING (P-224, P-256, P-384, P-521).
  ...[0x1c, 0x20, 0x30, 0x41, 0x42].map((n) => Buffer.from([0x02, 0x01, 0x01, 0x04, n])),
  // PKCS#8 of X25519, X448, Ed25519, Ed448: the AlgorithmIdentifier, then the key OCTET STRING.
  ...[0x6e, 0x6f, 0x70, 0x71].map((n) => Buffer.from([0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, n, 0x04])),
  // PKCS#1 RSAPrivateKey (also inside PKCS#8): version 0, then the modulus.
  Buffer.from([0x02, 0x01, 0x00, 0x02, 0x81]),
  Buffer.from([0x02, 0x01, 0x00, 0x02, 0x82]),
  // PKCS#8 of RSA / EC: version 0, then the AlgorithmIdentifier with rsaEncryption or id-ecPublicKey.
  Buffer.from([0x02, 0x01, 0x00, 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01]),
  Buffer.from([0x02, 0x01, 0x00, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01]),
  OPENSSH_MAGIC,
];
/** The shortest base64 run checked for key markers: a marker and a few bytes of what follows it. */
const MIN_MARKER_RUN = 24;
/** Words before or after a run shorter than this are text, not part of a key (`the key is MIIE…`). */
const WORD = 16;

const MARKER_CHUNK = 64 * 1024;

/**
 * KEY_MARKERS as one expression over the bytes read as latin1 (one character a byte): a match is exactly a
 * marker's bytes in a row. One search a decoding instead of a Buffer.includes call per marker (15 of them, on
 * every run of words in a report: ~6 ms of each diagnosis, issue 22).
 */
const KEY_MARKER_RE = new RegExp(KEY_MARKERS.map((m) => [...m].map((b) => `\\x${b.toString(16).padStart(2, '0')}`).join('')).join('|'));

/** True when base64 `chars`, decoded at any of the four alignments, hold a key marker. */
function holdsMarker(chars: string): boolean {
  for (let shift = 0; shift < 4; shift++) {
    const bytes = decodePrefix(chars.slice(shift) + 'A'.repeat((4 - ((chars.length - shift) % 4)) % 4));
    if (KEY_MARKER_RE.test(bytes.toString('latin1'))) return true;
  }
  return false;
}

/**
 * Spans of base64 runs (lines, spaces and `\n` escapes allowed inside) that decode, at any alignment, to bytes
 * holding a key marker: a key cut at its head, glued to a word, or with its header mangled.
 */
function embeddedKeySpans(s: string, firstOnly: boolean): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  let i = 0;
  // The character loops below as sticky expressions (the same characters as isB64): run once per diagnosis
  // over the whole report, cold code spent ~6 ms of every start stepping through them (issue 22).
  const nextB64 = /[A-Za-z0-9+/]/g;
  const b64Run = /[A-Za-z0-9+/]*/y;
  while (i < s.length) {
    if (!isB64(s.charCodeAt(i))) {
      nextB64.lastIndex = i;
      i = nextB64.exec(s)?.index ?? s.length;
      continue;
    }
    // A run: tokens of base64 separated by separators. Token boundaries are kept to trim words off its ends.
    const tokens: Array<[number, number]> = [];
    let p = i;
    for (;;) {
      const a = p;
      b64Run.lastIndex = p;
      b64Run.test(s);
      p = b64Run.lastIndex;
      while (p < s.length && s.charCodeAt(p) === 0x3d && p - a < 4096) p++;
      tokens.push([a, p]);
      let q = p;
      while (q < s.length && separatorAt(s, q) > 0) q += separatorAt(s, q);
      if (q >= s.length || !isB64(s.charCodeAt(q)) || q === p) break;
      p = q;
    }
    i = p + 1;
    let first = 0;
    let last = tokens.length - 1;
    while (first < last && tokens[first]![1] - tokens[first]![0] < WORD) first++;
    while (last > first && tokens[last]![1] - tokens[last]![0] < WORD) last--;
    // Decoded in pieces (overlapping by more than a marker), so that a megabyte-long run costs little memory.
    let chars = '';
    let total = 0;
    let hit = false;
    for (let k = first; k <= last && !hit; k++) {
      const t = s.slice(tokens[k]![0], tokens[k]![1]).replace(/=+$/, '');
      total += t.length;
      chars += t;
      while (chars.length >= MARKER_CHUNK && !hit) {
        hit = holdsMarker(chars.slice(0, MARKER_CHUNK));
        chars = chars.slice(MARKER_CHUNK - 64);
      }
    }
    if (!hit && total >= MIN_MARKER_RUN && chars.length >= MIN_MARKER_RUN) hit = holdsMarker(chars);
    if (!hit) continue;
    spans.push([tokens[first]![0], tokens[last]![1]]);
    if (firstOnly) break;
  }
  return spans;
}

/** Spans of PEM private-key blocks: BEGIN … END, or BEGIN and the body that follows when END is missing. */
function pemKeySpans(s: string): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  if (!s.includes('PRIVATE')) return spans;
  let covered = 0;
  // Fresh expressions per call: a shared global RegExp carries lastIndex from one call into the next.
  const endRe = new RegExp(PEM_END_SOURCE, 'g');
  for (const m of s.matchAll(new RegExp(PEM_BEGIN.source, 'g'))) {
    const start = m.index!;
    if (start < covered) continue;
    const bodyStart = start + m[0].length;
    // The END with the same label closes the block (a key pasted inside another closes with its own END).
    const label = (m[1] ?? '').replace(/\s+/g, ' ');
    let e: RegExpExecArray | null = null;
    let any: RegExpExecArray | null = null;
    endRe.lastIndex = bodyStart;
    for (let x = endRe.exec(s); x && x.index - bodyStart <= MAX_PEM_KEY; x = endRe.exec(s)) {
      any ??= x;
      if ((x[1] ?? '').replace(/\s+/g, ' ') === label) {
        e = x;
        break;
      }
    }
    e ??= any;
    const end = e ? e.index + e[0].length : bodyAfter(s, bodyStart);
    spans.push([start, end]);
    covered = end;
  }
  // An END line with no BEGIN (the paste started mid-key): the base64 right before it is key material.
  for (const m of s.matchAll(new RegExp(PEM_END_SOURCE, 'g'))) {
    const endAt = m.index! + m[0].length;
    if (spans.some(([a, b]) => m.index! >= a && endAt <= b)) continue;
    let p = m.index!;
    while (p > 0 && (isB64(s.charCodeAt(p - 1)) || s[p - 1] === '=' || /[\s\\]/.test(s[p - 1]!))) p--;
    // Do not eat into the word before the body on its line (the run starts at a token start), nor take short
    // words (`…UNKNOWN_CA MIIB…`): key lines are long.
    for (;;) {
      while (p < m.index! && !tokenStart(s, p)) p++;
      let t = p;
      while (t < m.index! && isB64(s.charCodeAt(t))) t++;
      if (t - p >= WORD || t >= m.index!) break;
      p = t;
      while (p < m.index! && !isB64(s.charCodeAt(p))) p++;
    }
    spans.push([p, endAt]);
  }
  return spans;
}

/** End of a PEM body that starts at `p`: optional RFC 1421 header lines, then base64 and separators. */
function bodyAfter(s: string, p: number): number {
  let q = p;
  for (;;) {
    while (q < s.length && separatorAt(s, q) > 0) q += separatorAt(s, q);
    const h = PEM_HEADER_LINE.exec(s.slice(q, q + 200));
    if (!h || /^[A-Za-z0-9+/]+$/.test(h[0])) break;
    q += h[0].length;
  }
  const run = gather(s, q, Number.MAX_SAFE_INTEGER);
  return Math.max(q, run.end);
}

function merge(spans: Array<[number, number]>): Array<[number, number]> {
  const sorted = spans.filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
  const out: Array<[number, number]> = [];
  for (const [a, b] of sorted) {
    const last = out[out.length - 1];
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

/** Length of a piece of a found key that is removed wherever else it appears in the same text (72 bits). */
const ECHO = 12;

/**
 * Pieces of a key found in `text` that appear elsewhere in it (a log line repeated, a paste cut and pasted
 * again): once a key is known, any run of ECHO of its base64 characters is key material wherever it stands.
 */
function keyWindowsOf(text: string, keys: Array<[number, number]>, windows: Set<string> = new Set()): Set<string> {
  for (const [a, b] of keys) {
    let chars = '';
    for (let p = a; p < b; ) {
      const w = separatorAt(text, p);
      if (w > 0) {
        // A separator is not part of the key: `\nMIIE` must not make "nMIIE" a window.
        p += w;
        continue;
      }
      if (isB64(text.charCodeAt(p))) chars += text[p];
      else chars += ' ';
      p++;
    }
    for (let k = 0; k + ECHO <= chars.length; k++) {
      const win = chars.slice(k, k + ECHO);
      if (!win.includes(' ')) windows.add(win);
    }
  }
  return windows;
}

function echoSpans(text: string, windows: Set<string>): Array<[number, number]> {
  if (windows.size === 0) return [];
  const spans: Array<[number, number]> = [];
  let i = 0;
  while (i < text.length) {
    if (!isB64(text.charCodeAt(i))) {
      i++;
      continue;
    }
    // A run across separators (a piece may be broken over lines): its characters and where each stands.
    let chars = '';
    const pos: number[] = [];
    let j = i;
    for (;;) {
      while (j < text.length && isB64(text.charCodeAt(j))) {
        chars += text[j];
        pos.push(j);
        j++;
      }
      let q = j;
      while (q < text.length && separatorAt(text, q) > 0) q += separatorAt(text, q);
      if (q === j || q >= text.length || !isB64(text.charCodeAt(q))) break;
      j = q;
    }
    for (let k = 0; k + ECHO <= chars.length; k++) {
      if (!windows.has(chars.slice(k, k + ECHO))) continue;
      let e = k + ECHO;
      while (e < chars.length && windows.has(chars.slice(e - ECHO + 1, e + 1))) e++;
      spans.push([pos[k]!, pos[e - 1]! + 1]);
      k = e - 1;
    }
    i = j + 1;
  }
  return spans;
}

const scanKeys = (text: string) => merge([...pemKeySpans(text), ...base64KeySpans(text, false), ...embeddedKeySpans(text, false)].map(([a, b]) => [a, extendGlued(text, b)]));

/**
 * The spans found in each string during one redactDeep: a report and the evidence it was made from hold the same
 * certificates many times, and each string is scanned by collect and again by walk. A pure function of the
 * string, so remembering it changes nothing; copies are handed out (merge extends the spans it is given).
 */
let memo: Map<string, Array<[number, number]>> | null = null;

function foundKeys(text: string): Array<[number, number]> {
  if (!memo) return scanKeys(text);
  let spans = memo.get(text);
  if (!spans) memo.set(text, (spans = scanKeys(text)));
  return spans.map(([a, b]) => [a, b]);
}

/**
 * `text` with every private key (PEM or bare base64, any form above) replaced by `REDACTED`. `known`: pieces of
 * keys found elsewhere (redactDeep passes those of the whole object), removed here too.
 */
export function redact(text: string, known?: ReadonlySet<string>): string {
  if (typeof text !== 'string' || text.length < (known?.size ? ECHO : MIN_RUN)) return text;
  const found = text.length >= MIN_RUN ? foundKeys(text) : [];
  if (found.length === 0 && !known?.size) return text;
  const windows = keyWindowsOf(text, found, new Set(known ?? []));
  const spans = merge([...found, ...echoSpans(text, windows)]);
  if (spans.length === 0) return text;
  let out = '';
  let at = 0;
  for (const [a, b] of spans) {
    out += text.slice(at, a) + REDACTED;
    at = b;
  }
  return out + text.slice(at);
}

/** True when `text` holds private key material that `redact` would remove. */
export function containsSecret(text: string): boolean {
  if (typeof text !== 'string' || text.length < MIN_RUN) return false;
  return pemKeySpans(text).length > 0 || base64KeySpans(text, true).length > 0 || embeddedKeySpans(text, true).length > 0;
}

/**
 * A copy of `value` with every string in it redacted (objects and arrays walked; other values kept). Returns
 * `value` itself when nothing needed redacting, so a big clean bundle is not copied.
 */
export function redactDeep<T>(value: T, ...context: unknown[]): T {
  // First the pieces of every key found anywhere in the object (and in `context`: the evidence a report was
  // made from), then every string redacted with them: a key whole in one field and in pieces in another (a
  // label, a path) is removed from both.
  const known = new Set<string>();
  const outer = memo;
  memo ??= new Map();
  try {
    for (const c of [value, ...context]) collect(c, 0, known);
    return walk(value, 0, known) as T;
  } finally {
    memo = outer;
  }
}

function collect(v: unknown, depth: number, known: Set<string>): void {
  if (typeof v === 'string') {
    if (v.length >= MIN_RUN) {
      const found = foundKeys(v);
      if (found.length) keyWindowsOf(v, found, known);
    }
    return;
  }
  if (typeof v !== 'object' || v === null || depth > 256 || Buffer.isBuffer(v) || ArrayBuffer.isView(v)) return;
  if (Array.isArray(v)) {
    for (const x of v) collect(x, depth + 1, known);
    return;
  }
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    collect(k, depth + 1, known);
    collect(x, depth + 1, known);
  }
}

/**
 * A string redacted so that it is clean in its JSON form too: JSON escapes (`\u0001` is base64-alphabet text)
 * can join two harmless pieces into something that reads as key material in the serialised bundle.
 */
function redactString(s: string, known?: ReadonlySet<string>): string {
  const r = redact(s, known);
  if (r.length < MIN_MARKER_RUN) return r;
  const j = JSON.stringify(r);
  if (j.length === r.length + 2 || !containsSecret(j)) return r;
  let again: string;
  try {
    again = JSON.parse(redact(j)) as string;
  } catch {
    return REDACTED;
  }
  return containsSecret(JSON.stringify(again)) ? REDACTED : again;
}

function walk(v: unknown, depth: number, known: ReadonlySet<string>): unknown {
  if (typeof v === 'string') return redactString(v, known);
  if (typeof v !== 'object' || v === null) return v;
  // Our own reports and bundles are shallow; a bundle's nesting is bounded when it is read (limits.ts).
  if (depth > 256) return v;
  if (Array.isArray(v)) {
    let copy: unknown[] | null = null;
    for (let i = 0; i < v.length; i++) {
      const r = walk(v[i], depth + 1, known);
      if (r !== v[i]) (copy ??= v.slice())[i] = r;
    }
    return copy ?? v;
  }
  if (Buffer.isBuffer(v) || ArrayBuffer.isView(v)) return v;
  // Property names too: a remote answer's keys (a stats name) are text that leaves the process as well.
  const entries = Object.entries(v as Record<string, unknown>);
  let changed = false;
  const out = entries.map(([k, x]): [string, unknown] => {
    const rk = redactString(k, known);
    const rx = walk(x, depth + 1, known);
    if (rk !== k || rx !== x) changed = true;
    return [rk, rx];
  });
  return changed ? Object.fromEntries(out) : v;
}
