/**
 * A pass-through stream between the TCP socket and node:tls that watches what the peer sends before the
 * TLS layer sees it. That is how the probe tells an HTTP answer from a TLS record, a reset before the
 * ServerHello from one after it, and reads the TLS 1.2 Certificate message exactly as the peer sent it
 * (Node only exposes a re-ordered, store-completed chain).
 */
import { Duplex } from 'node:stream';

/** How many bytes of the peer's first flight are kept for classification (the TLS 1.2 Certificate message fits). */
const HEAD_LIMIT = 64 * 1024;
/** How many of our own first bytes are kept (the ClientHello fits). */
const SENT_LIMIT = 4096;

export interface TapState {
  /** Bytes received from the peer in total. */
  received: number;
  /** The first bytes received (up to HEAD_LIMIT). */
  head: Buffer;
  /** The raw socket's own error (ECONNRESET, …), if any. */
  rawError: NodeJS.ErrnoException | null;
  /** The peer closed its side (FIN). */
  rawEnded: boolean;
  /** The first bytes we sent (our ClientHello), to compare the ServerHello with. */
  sent: Buffer;
}

export class Tap extends Duplex {
  readonly state: TapState = { received: 0, head: Buffer.alloc(0), rawError: null, rawEnded: false, sent: Buffer.alloc(0) };

  constructor(private readonly raw: Duplex) {
    super();
    raw.on('data', (b: Buffer) => {
      this.state.received += b.length;
      if (this.state.head.length < HEAD_LIMIT) this.state.head = Buffer.concat([this.state.head, b.subarray(0, HEAD_LIMIT - this.state.head.length)]);
      if (!this.push(b)) raw.pause();
    });
    raw.on('end', () => {
      this.state.rawEnded = true;
      this.push(null);
    });
    raw.on('error', (e: NodeJS.ErrnoException) => {
      this.state.rawError = e;
      this.destroy(e);
    });
    raw.on('close', () => {
      if (!this.destroyed) this.push(null);
    });
  }

  override _read(): void {
    this.raw.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    if (this.raw.destroyed) return cb();
    if (this.state.sent.length < SENT_LIMIT) this.state.sent = Buffer.concat([this.state.sent, chunk.subarray(0, SENT_LIMIT - this.state.sent.length)]);
    this.raw.write(chunk, (e) => cb(e ?? null));
  }

  override _final(cb: (e?: Error | null) => void): void {
    this.raw.end();
    cb();
  }

  override _destroy(err: Error | null, cb: (e?: Error | null) => void): void {
    this.raw.destroy();
    cb(err);
  }
}

/** What the peer's first bytes say, parsed from plaintext TLS records (pure). */
export interface FirstFlight {
  /** The first bytes are not a TLS record. */
  notTls: boolean;
  /** A ServerHello (or any handshake record) arrived. */
  serverHello: boolean;
  /** TLS version the ServerHello chose (legacy field; 1.3 via supported_versions). */
  serverVersion: string | null;
  /** A plaintext alert record: before encryption starts (so before or instead of the ServerHello in 1.3). */
  plainAlert: { level: number; description: number } | null;
  /** TLS 1.2: certificates from the Certificate message, DER, in the order sent. */
  certificates: Buffer[];
  /** TLS 1.2: a CertificateRequest was seen (true), or ServerHelloDone came without one (false). */
  certificateRequested: boolean | null;
  /** The ServerHello's cipher suite, session id and extension types (in the order sent). */
  cipherSuite: number | null;
  sessionId: Buffer | null;
  serverExtensions: number[];
  /** TLS 1.2: the CertificateRequest, read in clear. */
  certificateRequest: CertificateRequestInfo | null;
}

/** What a CertificateRequest says (RFC 5246 §7.4.4, RFC 8446 §4.3.2). */
export interface CertificateRequestInfo {
  /** TLS 1.2 certificate_types, in order. */
  certificateTypes: number[];
  /** signature_algorithms, in order. */
  signatureAlgorithms: number[];
  /** TLS 1.3: the extension types, in order. */
  extensions: number[];
  /** certificate_authorities: the DER Names, in order (empty: the peer names none). */
  authorities: Buffer[];
}

/** Parses a CertificateRequest body; null when it does not parse. Never throws. */
export function parseCertificateRequest(msg: Buffer, tls13: boolean): CertificateRequestInfo | null {
  const out: CertificateRequestInfo = { certificateTypes: [], signatureAlgorithms: [], extensions: [], authorities: [] };
  const u16list = (b: Buffer) => {
    const l: number[] = [];
    for (let i = 0; i + 1 < b.length; i += 2) l.push(b.readUInt16BE(i));
    return l;
  };
  const names = (b: Buffer) => {
    const l: Buffer[] = [];
    let p = 0;
    while (p + 2 <= b.length) {
      const n = b.readUInt16BE(p);
      if (p + 2 + n > b.length) break;
      l.push(Buffer.from(b.subarray(p + 2, p + 2 + n)));
      p += 2 + n;
    }
    return l;
  };
  try {
    let p = 0;
    if (!tls13) {
      const nt = msg[p]!;
      out.certificateTypes = [...msg.subarray(p + 1, p + 1 + nt)];
      p += 1 + nt;
      const ns = msg.readUInt16BE(p);
      out.signatureAlgorithms = u16list(msg.subarray(p + 2, p + 2 + ns));
      p += 2 + ns;
      const nc = msg.readUInt16BE(p);
      out.authorities = names(msg.subarray(p + 2, p + 2 + nc));
      return out;
    }
    p += 1 + msg[0]!; // certificate_request_context
    const end = Math.min(msg.length, p + 2 + msg.readUInt16BE(p));
    p += 2;
    while (p + 4 <= end) {
      const t = msg.readUInt16BE(p);
      const l = msg.readUInt16BE(p + 2);
      const data = msg.subarray(p + 4, p + 4 + l);
      out.extensions.push(t);
      if (t === 13 && data.length >= 2) out.signatureAlgorithms = u16list(data.subarray(2, 2 + data.readUInt16BE(0)));
      if (t === 47 && data.length >= 2) out.authorities = names(data.subarray(2, 2 + data.readUInt16BE(0)));
      p += 4 + l;
    }
    return out;
  } catch {
    return null;
  }
}

/** The legacy session id of our ClientHello (from the bytes we sent), or null. */
export function clientHelloSessionId(sent: Buffer): Buffer | null {
  // record header (5), handshake header (4), version (2), random (32), session id <0..32>
  if (sent.length < 44 || sent[0] !== 0x16 || sent[5] !== 1) return null;
  const n = sent[43]!;
  return sent.length >= 44 + n ? Buffer.from(sent.subarray(44, 44 + n)) : null;
}

const VERSIONS: Record<number, string> = { 0x0300: 'SSLv3', 0x0301: 'TLSv1', 0x0302: 'TLSv1.1', 0x0303: 'TLSv1.2', 0x0304: 'TLSv1.3' };

export function isTlsRecordStart(b: Buffer): boolean {
  if (b.length === 0) return true;
  if (b[0]! < 0x14 || b[0]! > 0x18) return false;
  if (b.length >= 2 && b[1] !== 0x03) return false;
  return true;
}

/**
 * Parses the plaintext part of the peer's flight: records until the first encrypted one. Never throws;
 * stops at the first thing it does not understand.
 */
export function parseFirstFlight(head: Buffer): FirstFlight {
  const out: FirstFlight = {
    notTls: !isTlsRecordStart(head),
    serverHello: false,
    serverVersion: null,
    plainAlert: null,
    certificates: [],
    certificateRequested: null,
    cipherSuite: null,
    sessionId: null,
    serverExtensions: [],
    certificateRequest: null,
  };
  if (out.notTls) return out;
  let off = 0;
  let hs = Buffer.alloc(0);
  while (off + 5 <= head.length) {
    const type = head[off]!;
    const len = head.readUInt16BE(off + 3);
    if (off + 5 + len > head.length) {
      // A partial record: a handshake record still tells a ServerHello began.
      if (type === 0x16 && head.length > off + 5 && head[off + 5] === 2) out.serverHello = true;
      break;
    }
    const body = head.subarray(off + 5, off + 5 + len);
    off += 5 + len;
    if (type === 0x15 && body.length >= 2) {
      out.plainAlert = { level: body[0]!, description: body[1]! };
      break;
    }
    if (type !== 0x16) break; // ChangeCipherSpec or encrypted data: the plaintext part is over.
    hs = Buffer.concat([hs, body]);
  }
  let p = 0;
  while (p + 4 <= hs.length) {
    const t = hs[p]!;
    const len = hs.readUIntBE(p + 1, 3);
    if (p + 4 + len > hs.length) break;
    const msg = hs.subarray(p + 4, p + 4 + len);
    p += 4 + len;
    if (t === 2) {
      out.serverHello = true;
      const sh = serverHelloFields(msg);
      out.serverVersion = sh.version;
      out.cipherSuite = sh.cipherSuite;
      out.sessionId = sh.sessionId;
      out.serverExtensions = sh.extensions;
    } else if (t === 11) {
      out.certificates = certificateList(msg);
    } else if (t === 13) {
      out.certificateRequested = true;
      out.certificateRequest = parseCertificateRequest(msg, false);
    } else if (t === 14) {
      if (out.certificateRequested === null) out.certificateRequested = false;
    }
  }
  return out;
}

function serverHelloFields(msg: Buffer): { version: string | null; cipherSuite: number | null; sessionId: Buffer | null; extensions: number[] } {
  const extensions: number[] = [];
  if (msg.length < 38) return { version: null, cipherSuite: null, sessionId: null, extensions };
  let version = msg.readUInt16BE(0);
  // legacy_version(2) random(32) session_id<1> cipher(2) compression(1) extensions<2>
  let p = 34;
  const sid = msg[p]!;
  const sessionId = Buffer.from(msg.subarray(p + 1, p + 1 + sid));
  const cipherSuite = p + 3 + sid <= msg.length ? msg.readUInt16BE(p + 1 + sid) : null;
  p += 1 + sid + 3;
  if (p + 2 <= msg.length) {
    const extEnd = Math.min(msg.length, p + 2 + msg.readUInt16BE(p));
    p += 2;
    while (p + 4 <= extEnd) {
      const et = msg.readUInt16BE(p);
      const el = msg.readUInt16BE(p + 2);
      extensions.push(et);
      if (et === 43 && el === 2 && p + 6 <= extEnd) version = msg.readUInt16BE(p + 4);
      p += 4 + el;
    }
  }
  return { version: VERSIONS[version] ?? `0x${version.toString(16)}`, cipherSuite, sessionId, extensions };
}

function certificateList(msg: Buffer): Buffer[] {
  const certs: Buffer[] = [];
  if (msg.length < 3) return certs;
  const end = Math.min(msg.length, 3 + msg.readUIntBE(0, 3));
  let p = 3;
  while (p + 3 <= end) {
    const l = msg.readUIntBE(p, 3);
    if (p + 3 + l > end) break;
    certs.push(Buffer.from(msg.subarray(p + 3, p + 3 + l)));
    p += 3 + l;
  }
  return certs;
}

/** A printable sample of non-TLS bytes, for evidence: the first line of text, or hex for binary. */
export function describePlaintext(head: Buffer): { looksLike: 'http' | 'text' | 'binary'; sample: string } {
  const first = head.subarray(0, 160);
  const printable = [...first].filter((c) => (c >= 0x20 && c < 0x7f) || c === 0x0a || c === 0x0d || c === 0x09).length;
  if (first.length > 0 && printable / first.length > 0.9) {
    const text = first.toString('latin1');
    const line = text.split(/\r?\n/)[0]!.slice(0, 120);
    return { looksLike: /^HTTP\/\d(\.\d)? \d{3}/.test(text) ? 'http' : 'text', sample: line };
  }
  return { looksLike: 'binary', sample: first.subarray(0, 24).toString('hex').replace(/(..)/g, '$1 ').trim() };
}
