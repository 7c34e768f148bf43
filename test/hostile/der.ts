/** A tiny DER builder for hand-made hostile structures (tests only). */
export function tlv(tag: number, ...parts: Array<Uint8Array | number[]>): Buffer {
  const body = Buffer.concat(parts.map((p) => Buffer.from(p)));
  const n = body.length;
  const len = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : n < 0x10000 ? [0x82, n >> 8, n & 0xff] : [0x83, n >> 16, (n >> 8) & 0xff, n & 0xff];
  return Buffer.concat([Buffer.from([tag, ...len]), body]);
}
export const seq = (...p: Array<Uint8Array | number[]>) => tlv(0x30, ...p);
export const set = (...p: Array<Uint8Array | number[]>) => tlv(0x31, ...p);
export const int = (n: number) => tlv(0x02, [n]);
export const utc = (s: string) => tlv(0x17, Buffer.from(s, 'latin1'));
/** ecdsa-with-SHA256. */
export const ECDSA_SHA256 = seq(tlv(0x06, [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02]));
/** A Name with one CN attribute of the given string tag and raw value. */
export const nameWith = (tag: number, value: number[]) => seq(set(seq(tlv(0x06, [0x55, 0x04, 0x03]), tlv(tag, value))));

/** A structurally complete v2 CRL (unsigned: a zero-length signature) whose issuer is `issuer`. */
export function crlWithIssuer(issuer: Buffer): Buffer {
  const tbs = seq(int(1), ECDSA_SHA256, issuer, utc('261129000000Z'), utc('261206000000Z'));
  return seq(tbs, ECDSA_SHA256, tlv(0x03, [0x00]));
}
