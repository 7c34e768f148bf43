/**
 * Raw extensions for generated test certificates: a tiny DER writer for the shapes the issuing library has no
 * builder for (name constraints with IP/URI/email subtrees, unknown or duplicated extensions).
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

export function tlv(tag: number, body: Uint8Array | number[]): Uint8Array<ArrayBuffer> {
  const b = Uint8Array.from(body);
  const len = b.length < 0x80 ? [b.length] : b.length < 0x100 ? [0x81, b.length] : [0x82, b.length >> 8, b.length & 0xff];
  return Uint8Array.from([tag, ...len, ...b]);
}
const cat = (...parts: Uint8Array[]): Uint8Array<ArrayBuffer> => Uint8Array.from(parts.flatMap((p) => [...p]));
const ascii = (s: string) => Uint8Array.from(Buffer.from(s, 'latin1'));

export type Subtree = { dns: string } | { uri: string } | { email: string } | { ip: string };

function generalName(s: Subtree): Uint8Array {
  if ('dns' in s) return tlv(0x82, ascii(s.dns));
  if ('uri' in s) return tlv(0x86, ascii(s.uri));
  if ('email' in s) return tlv(0x81, ascii(s.email));
  const [addr, bits] = s.ip.split('/') as [string, string];
  const bytes = addr.includes(':') ? ipv6(addr) : addr.split('.').map(Number);
  const mask = bytes.map((_, i) => {
    const left = Number(bits) - i * 8;
    return left >= 8 ? 0xff : left <= 0 ? 0 : (0xff << (8 - left)) & 0xff;
  });
  return tlv(0x87, [...bytes, ...mask]);
}

function ipv6(a: string): number[] {
  const [h, t = ''] = a.split('::');
  const words = (x: string) => (x ? x.split(':').map((w) => parseInt(w, 16)) : []);
  const head = words(h!);
  const tail = words(t);
  const all = a.includes('::') ? [...head, ...new Array(8 - head.length - tail.length).fill(0), ...tail] : head;
  return all.flatMap((w) => [w >> 8, w & 0xff]);
}

/** A nameConstraints extension (critical unless said otherwise). */
export function nameConstraints(o: { permitted?: Subtree[]; excluded?: Subtree[]; critical?: boolean }): x509.Extension {
  const subtrees = (tag: number, list: Subtree[]) => tlv(tag, cat(...list.map((s) => tlv(0x30, generalName(s)))));
  const body = cat(...(o.permitted ? [subtrees(0xa0, o.permitted)] : []), ...(o.excluded ? [subtrees(0xa1, o.excluded)] : []));
  return new x509.Extension('2.5.29.30', o.critical ?? true, tlv(0x30, body));
}

/** An extension with an arbitrary OID and DER value (default: NULL). */
export function rawExtension(oid: string, critical: boolean, value: Uint8Array = Uint8Array.from([5, 0])): x509.Extension {
  return new x509.Extension(oid, critical, Uint8Array.from(value));
}

/** A subjectAltName whose value is not valid DER. */
export function brokenSan(): x509.Extension {
  return new x509.Extension('2.5.29.17', false, Uint8Array.from([0x30, 0x05, 0x82, 0x09, 0x61]));
}
