/**
 * A pass-through stream between the TCP socket and node:tls that watches what the peer sends before the
 * TLS layer sees it. That is how the probe tells an HTTP answer from a TLS record, a reset before the
 * ServerHello from one after it, and reads the TLS 1.2 Certificate message exactly as the peer sent it
 * (Node only exposes a re-ordered, store-completed chain).
 */
import { Duplex } from 'node:stream';

/** How many bytes of the peer's first flight are kept for classification (the TLS 1.2 Certificate message fits). */
const HEAD_LIMIT = 64 * 1024;

export interface TapState {
  /** Bytes received from the peer in total. */
  received: number;
  /** The first bytes received (up to HEAD_LIMIT). */
  head: Buffer;
  /** The raw socket's own error (ECONNRESET, …), if any. */
  rawError: NodeJS.ErrnoException | null;
  /** The peer closed its side (FIN). */
  rawEnded: boolean;
}

export class Tap extends Duplex {
  readonly state: TapState = { received: 0, head: Buffer.alloc(0), rawError: null, rawEnded: false };

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
  const out: FirstFlight = { notTls: !isTlsRecordStart(head), serverHello: false, serverVersion: null, plainAlert: null, certificates: [], certificateRequested: null };
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
      out.serverVersion = serverHelloVersion(msg);
    } else if (t === 11) {
      out.certificates = certificateList(msg);
    } else if (t === 13) {
      out.certificateRequested = true;
    } else if (t === 14) {
      if (out.certificateRequested === null) out.certificateRequested = false;
    }
  }
  return out;
}

function serverHelloVersion(msg: Buffer): string | null {
  if (msg.length < 38) return null;
  let version = msg.readUInt16BE(0);
  // legacy_version(2) random(32) session_id<1> cipher(2) compression(1) extensions<2>
  let p = 34;
  const sid = msg[p]!;
  p += 1 + sid + 3;
  if (p + 2 <= msg.length) {
    const extEnd = Math.min(msg.length, p + 2 + msg.readUInt16BE(p));
    p += 2;
    while (p + 4 <= extEnd) {
      const et = msg.readUInt16BE(p);
      const el = msg.readUInt16BE(p + 2);
      if (et === 43 && el === 2 && p + 6 <= extEnd) version = msg.readUInt16BE(p + 4);
      p += 4 + el;
    }
  }
  return VERSIONS[version] ?? `0x${version.toString(16)}`;
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
