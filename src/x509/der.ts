/**
 * A small, strict DER reader: just what certificate facts need (tag, length, value, children), with every
 * length checked against its container. It never throws anything but `DerError`, so a hostile or broken
 * certificate becomes a recorded defect instead of a crash.
 */
export class DerError extends Error {}

export interface DerNode {
  /** The identifier octet (class, constructed bit and tag number; high tag numbers are refused). */
  tag: number;
  /** Offset of the header in `buf`. */
  start: number;
  /** Offset of the contents. */
  valueStart: number;
  /** Offset just after the contents. */
  end: number;
  buf: Uint8Array;
}

export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8String: 0x0c,
  PrintableString: 0x13,
  T61String: 0x14,
  IA5String: 0x16,
  UTCTime: 0x17,
  GeneralizedTime: 0x18,
  UniversalString: 0x1c,
  BMPString: 0x1e,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** Reads the element at `offset` of `buf`, not past `limit`. */
export function readNode(buf: Uint8Array, offset = 0, limit = buf.length): DerNode {
  if (offset + 2 > limit) throw new DerError('truncated element header');
  const tag = buf[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError('high tag numbers are not supported');
  let len = buf[offset + 1]!;
  let p = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0) throw new DerError('indefinite length is not DER');
    if (n > 4) throw new DerError('length too long');
    if (p + n > limit) throw new DerError('truncated length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[p + i]!;
    if (buf[p] === 0 || len < 0x80) throw new DerError('non-minimal length encoding');
    p += n;
  }
  if (p + len > limit) throw new DerError('element runs past its container');
  return { tag, start: offset, valueStart: p, end: p + len, buf };
}

/** The children of a constructed element; the contents must be exactly a sequence of elements. */
export function children(node: DerNode): DerNode[] {
  if ((node.tag & 0x20) === 0) throw new DerError(`tag 0x${node.tag.toString(16)} is not constructed`);
  const out: DerNode[] = [];
  let p = node.valueStart;
  while (p < node.end) {
    const c = readNode(node.buf, p, node.end);
    out.push(c);
    p = c.end;
  }
  return out;
}

export const value = (n: DerNode): Uint8Array => n.buf.subarray(n.valueStart, n.end);
export const raw = (n: DerNode): Uint8Array => n.buf.subarray(n.start, n.end);

export function expect(n: DerNode | undefined, tag: number, what: string): DerNode {
  if (!n) throw new DerError(`${what} is missing`);
  if (n.tag !== tag) throw new DerError(`${what} has tag 0x${n.tag.toString(16)}, expected 0x${tag.toString(16)}`);
  return n;
}

/** Parses a whole buffer as exactly one element (trailing bytes are an error). */
export function parseOne(buf: Uint8Array, what: string): DerNode {
  const n = readNode(buf, 0, buf.length);
  if (n.end !== buf.length) throw new DerError(`${what} has trailing data`);
  return n;
}

export function oid(n: DerNode): string {
  const v = value(n);
  if (v.length === 0) throw new DerError('empty OID');
  const parts: number[] = [];
  let acc = 0;
  for (let i = 0; i < v.length; i++) {
    const b = v[i]!;
    if (acc === 0 && b === 0x80) throw new DerError('non-minimal OID arc');
    acc = acc * 128 + (b & 0x7f);
    if ((b & 0x80) === 0) {
      if (parts.length === 0) {
        const first = acc < 40 ? 0 : acc < 80 ? 1 : 2;
        parts.push(first, acc - first * 40);
      } else parts.push(acc);
      acc = 0;
    } else if (i === v.length - 1) throw new DerError('truncated OID');
  }
  return parts.join('.');
}

export function boolean(n: DerNode): boolean {
  const v = value(n);
  if (v.length !== 1) throw new DerError('BOOLEAN of wrong length');
  return v[0] !== 0;
}

/** INTEGER as a lowercase hex string of its two's-complement bytes, and its sign. */
export function integerHex(n: DerNode): { hex: string; negative: boolean; zero: boolean; bytes: number } {
  const v = value(n);
  if (v.length === 0) throw new DerError('empty INTEGER');
  return { hex: Buffer.from(v).toString('hex'), negative: (v[0]! & 0x80) !== 0, zero: v.every((b) => b === 0), bytes: v.length };
}

/** A small non-negative INTEGER (e.g. pathLenConstraint); huge values are capped. */
export function smallInteger(n: DerNode): number {
  const v = value(n);
  if (v.length === 0) throw new DerError('empty INTEGER');
  if (v[0]! & 0x80) throw new DerError('negative INTEGER');
  let x = 0;
  for (const b of v) x = Math.min(x * 256 + b, Number.MAX_SAFE_INTEGER);
  return x;
}

/** BIT STRING contents: the unused-bit count and the bytes. */
export function bitString(n: DerNode): { unused: number; bytes: Uint8Array } {
  const v = value(n);
  if (v.length === 0) throw new DerError('empty BIT STRING');
  const unused = v[0]!;
  if (unused > 7 || (v.length === 1 && unused !== 0)) throw new DerError('bad BIT STRING padding');
  return { unused, bytes: v.subarray(1) };
}

/** Decodes a directory string (the common ASN.1 string types) to text. */
export function text(n: DerNode): string {
  const v = value(n);
  switch (n.tag) {
    case TAG.UTF8String:
      return Buffer.from(v).toString('utf8');
    case TAG.BMPString: {
      if (v.length % 2 !== 0) throw new DerError('BMPString length is not a multiple of 2');
      let s = '';
      for (let i = 0; i + 1 < v.length; i += 2) s += String.fromCharCode((v[i]! << 8) | v[i + 1]!);
      return s;
    }
    case TAG.UniversalString: {
      // UCS-4 big-endian: four bytes per character, each a Unicode scalar value (String.fromCodePoint throws a
      // RangeError past U+10FFFF; a surrogate is not a character either).
      if (v.length % 4 !== 0) throw new DerError('UniversalString length is not a multiple of 4');
      let s = '';
      for (let i = 0; i + 3 < v.length; i += 4) {
        const cp = ((v[i]! << 24) | (v[i + 1]! << 16) | (v[i + 2]! << 8) | v[i + 3]!) >>> 0;
        if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) throw new DerError(`UniversalString holds an invalid code point 0x${cp.toString(16)}`);
        s += String.fromCodePoint(cp);
      }
      return s;
    }
    default:
      return Buffer.from(v).toString('latin1');
  }
}

/** UTCTime / GeneralizedTime → ms since the epoch (fractional seconds kept). */
export function time(n: DerNode): number {
  const s = Buffer.from(value(n)).toString('latin1');
  let m: RegExpExecArray | null;
  if (n.tag === TAG.UTCTime) {
    m = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s);
    if (!m) throw new DerError(`bad UTCTime "${s}"`);
    const yy = Number(m[1]);
    return Date.UTC(yy >= 50 ? 1900 + yy : 2000 + yy, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  }
  if (n.tag === TAG.GeneralizedTime) {
    m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\.\d+)?Z$/.exec(s);
    if (!m) throw new DerError(`bad GeneralizedTime "${s}"`);
    const ms = m[7] ? Math.floor(Number(`0${m[7]}`) * 1000) : 0;
    return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])) + ms;
  }
  throw new DerError('not a time');
}
