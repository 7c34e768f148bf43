/**
 * Reads the server's encrypted TLS 1.3 handshake flight (EncryptedExtensions, CertificateRequest, Certificate …)
 * from the bytes the tap kept, with the server handshake traffic secret node:tls hands us through its `keylog`
 * event (RFC 8446 §7.1: key and iv by HKDF-Expand-Label; §5.2–5.3: AEAD records, per-record nonce). Only
 * the handshake messages come out: the secret is used here, in memory, and never stored or returned.
 */
import { createDecipheriv, createHmac } from 'node:crypto';

/** TLS 1.3 cipher suites: AEAD, key length, hash (RFC 8446 §B.4). */
const SUITES: Record<number, { aead: 'aes-128-gcm' | 'aes-256-gcm' | 'chacha20-poly1305'; keyLen: number; hash: 'sha256' | 'sha384' }> = {
  0x1301: { aead: 'aes-128-gcm', keyLen: 16, hash: 'sha256' },
  0x1302: { aead: 'aes-256-gcm', keyLen: 32, hash: 'sha384' },
  0x1303: { aead: 'chacha20-poly1305', keyLen: 32, hash: 'sha256' },
};

/** HKDF-Expand (RFC 5869 §2.3). */
function hkdfExpand(hash: string, prk: Buffer, info: Buffer, length: number): Buffer {
  const out: Buffer[] = [];
  let t = Buffer.alloc(0);
  for (let i = 1; Buffer.concat(out).length < length; i++) {
    t = createHmac(hash, prk).update(Buffer.concat([t, info, Buffer.from([i])])).digest();
    out.push(t);
  }
  return Buffer.concat(out).subarray(0, length);
}

/** HKDF-Expand-Label (RFC 8446 §7.1) with an empty context. */
export function hkdfExpandLabel(hash: string, secret: Buffer, label: string, length: number): Buffer {
  const full = Buffer.from(`tls13 ${label}`, 'latin1');
  const info = Buffer.concat([Buffer.from([length >> 8, length & 0xff, full.length]), full, Buffer.from([0])]);
  return hkdfExpand(hash, secret, info, length);
}

/**
 * The server's handshake messages (type and body) decrypted from its records after the ServerHello, up to
 * the first record that does not decrypt; empty when the suite is unknown or nothing decrypts.
 */
export function decryptServerHandshake(head: Buffer, cipherSuite: number, secret: Buffer): Array<{ type: number; body: Buffer }> {
  const suite = SUITES[cipherSuite];
  if (!suite) return [];
  const key = hkdfExpandLabel(suite.hash, secret, 'key', suite.keyLen);
  const iv = hkdfExpandLabel(suite.hash, secret, 'iv', 12);
  let off = 0;
  let seq = 0n;
  let plain = Buffer.alloc(0);
  const messages: Array<{ type: number; body: Buffer }> = [];
  let decrypted = false;
  while (off + 5 <= head.length) {
    const type = head[off]!;
    const len = head.readUInt16BE(off + 3);
    if (off + 5 + len > head.length) break;
    const header = head.subarray(off, off + 5);
    const body = head.subarray(off + 5, off + 5 + len);
    off += 5 + len;
    if (type === 0x16 && !decrypted) continue; // the ServerHello (and a HelloRetryRequest before it), in plaintext
    if (type === 0x14) continue; // middlebox-compatibility ChangeCipherSpec
    if (type !== 0x17 || len < 17) break; // an alert or anything else: the encrypted flight is over
    const nonce = Buffer.from(iv);
    for (let i = 0; i < 8; i++) nonce[11 - i]! ^= Number((seq >> BigInt(8 * i)) & 0xffn);
    seq++;
    let inner: Buffer;
    try {
      const d = createDecipheriv(suite.aead, key, nonce, { authTagLength: 16 } as never) as ReturnType<typeof createDecipheriv> & { setAAD(b: Buffer, o?: object): void; setAuthTag(b: Buffer): void };
      d.setAAD(header, { plaintextLength: len - 16 });
      d.setAuthTag(body.subarray(len - 16));
      inner = Buffer.concat([d.update(body.subarray(0, len - 16)), d.final()]);
    } catch {
      break; // not a handshake record under this key (application data after the handshake, or another key)
    }
    decrypted = true;
    let end = inner.length;
    while (end > 0 && inner[end - 1] === 0) end--;
    if (end === 0 || inner[end - 1] !== 0x16) break;
    plain = Buffer.concat([plain, inner.subarray(0, end - 1)]);
    let p = 0;
    let finished = false;
    while (p + 4 <= plain.length) {
      const t = plain[p]!;
      const l = plain.readUIntBE(p + 1, 3);
      if (p + 4 + l > plain.length) break;
      messages.push({ type: t, body: Buffer.from(plain.subarray(p + 4, p + 4 + l)) });
      p += 4 + l;
      if (t === 20) finished = true;
    }
    plain = plain.subarray(p);
    if (finished) break;
  }
  key.fill(0);
  iv.fill(0);
  return messages;
}
