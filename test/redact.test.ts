/**
 * The redactor against every key form a person can paste: RSA, EC, Ed25519, Ed448 (and DSA, OpenSSH); PKCS#1,
 * PKCS#8, SEC1, encrypted PKCS#8 and traditional encrypted PEM; as PEM, as bare DER-base64, whitespace-mangled,
 * with CRLF, inside JSON strings (`\n` escapes, twice escaped), cut at either end. And against what must stay:
 * certificates, CRLs, CSRs, public keys, ordinary log lines.
 */
import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { containsSecret, redact, redactDeep, REDACTED } from '../src/redact.js';
import { mesh } from './support/pki.js';
import { toPem } from '../src/x509/pem.js';

const DASH5 = '-'.repeat(5);
const pemOf = (label: string, der: Buffer) => toPem(der, label);

interface KeyForm {
  name: string;
  /** The key as text (PEM or bare base64). */
  text: string;
  /** The secret bytes' base64, without separators: no 16-character run of it may survive. */
  body: string;
}

const bodyOf = (pem: string) =>
  pem
    .split(/\r?\n/)
    .filter((l) => !l.startsWith(DASH5) && !/^[A-Za-z-]+:/.test(l))
    .join('')
    .replace(/\s+/g, '');

function forms(name: string, key: KeyObject): KeyForm[] {
  const out: KeyForm[] = [];
  const type = key.asymmetricKeyType;
  const add = (n: string, pem: string) => out.push({ name: `${name} ${n}`, text: pem, body: bodyOf(pem) });
  const der = (t: 'pkcs8' | 'pkcs1' | 'sec1') => key.export({ type: t, format: 'der' }) as Buffer;
  add('PKCS#8 PEM', key.export({ type: 'pkcs8', format: 'pem' }) as string);
  add('PKCS#8 encrypted PEM', key.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'secret' }) as string);
  const p8 = der('pkcs8');
  out.push({ name: `${name} PKCS#8 DER-base64`, text: p8.toString('base64'), body: p8.toString('base64') });
  const enc = key.export({ type: 'pkcs8', format: 'der', cipher: 'aes-256-cbc', passphrase: 'secret' }) as Buffer;
  out.push({ name: `${name} encrypted PKCS#8 DER-base64`, text: enc.toString('base64'), body: enc.toString('base64') });
  if (type === 'rsa' || type === 'dsa') {
    if (type === 'rsa') {
      add('PKCS#1 PEM', key.export({ type: 'pkcs1', format: 'pem' }) as string);
      add('PKCS#1 encrypted PEM (Proc-Type)', key.export({ type: 'pkcs1', format: 'pem', cipher: 'aes-128-cbc', passphrase: 'secret' }) as string);
      const p1 = der('pkcs1');
      out.push({ name: `${name} PKCS#1 DER-base64`, text: p1.toString('base64'), body: p1.toString('base64') });
    }
  }
  if (type === 'ec') {
    add('SEC1 PEM', key.export({ type: 'sec1', format: 'pem' }) as string);
    const s1 = der('sec1');
    out.push({ name: `${name} SEC1 DER-base64`, text: s1.toString('base64'), body: s1.toString('base64') });
    add('SEC1 PEM re-labelled', pemOf('EC PRIVATE KEY', s1));
  }
  return out;
}

/** The ways a key reaches us inside other text. */
const MANGLE: Record<string, (t: string) => string> = {
  'as is': (t) => t,
  'in a log': (t) => `2026-11-29T02:47:00Z error: config reload failed, key follows:\n${t}\nthen: TLS_error: 268436504:SSL routines:OPENSSL_internal:TLSV1_ALERT_UNKNOWN_CA`,
  CRLF: (t) => t.replace(/\n/g, '\r\n'),
  'JSON string (\\n escapes)': (t) => JSON.stringify({ message: `oops ${t} done` }),
  'JSON in JSON (\\\\n)': (t) => JSON.stringify({ body: JSON.stringify({ key: t }) }),
  'whitespace-mangled': (t) => {
    // The body re-wrapped at 37 columns with stray spaces and tabs, as a chat client or a terminal does it.
    const lines = t.split('\n');
    const keep = (l: string) => l.startsWith(DASH5) || /^[A-Za-z-]+:/.test(l) || l === '';
    const body = lines.filter((l) => !keep(l)).join('');
    const wrapped = (body.match(/.{1,37}/g) ?? []).map((l, i) => (i % 3 === 0 ? `${l.slice(0, 9)} ${l.slice(9)}` : i % 3 === 1 ? `\t${l}` : l));
    const head = lines.filter((l, i) => keep(l) && i < lines.length - 2);
    const tail = lines.filter((l, i) => keep(l) && i >= lines.length - 2);
    return [...head, ...wrapped, ...tail].join('\n');
  },
  'one long line': (t) => t.replace(/\r?\n(?!-)/g, ''),
  'quoted after a colon': (t) => `key="${t.replace(/\n/g, '\\n')}"`,
};

let keyForms: KeyForm[] = [];
let certPem = '';
let certDerB64 = '';

beforeAll(async () => {
  const kp = (t: string, o: object = {}) => (generateKeyPairSync as (t: string, o: object) => { privateKey: KeyObject })(t, o).privateKey;
  keyForms = [
    ...forms('RSA-2048', kp('rsa', { modulusLength: 2048 })),
    ...forms('RSA-1024', kp('rsa', { modulusLength: 1024 })),
    ...forms('EC P-256', kp('ec', { namedCurve: 'prime256v1' })),
    ...forms('EC P-384', kp('ec', { namedCurve: 'secp384r1' })),
    ...forms('EC P-521', kp('ec', { namedCurve: 'secp521r1' })),
    ...forms('Ed25519', kp('ed25519')),
    ...forms('Ed448', kp('ed448')),
    ...forms('X25519', kp('x25519')),
    ...forms('DSA', kp('dsa', { modulusLength: 2048, divisorLength: 256 })),
  ];
  const ssh = Buffer.concat([Buffer.from('openssh-key-v1\0', 'latin1'), randomBytes(300)]);
  keyForms.push({ name: 'OpenSSH PEM', text: pemOf('OPENSSH PRIVATE KEY', ssh), body: ssh.toString('base64') });
  keyForms.push({ name: 'OpenSSH bare base64', text: ssh.toString('base64'), body: ssh.toString('base64') });
  const m = await mesh();
  certPem = m.leaf.pem + m.inter.pem + m.root.pem;
  certDerB64 = bodyOf(m.leaf.pem);
});

function leftovers(text: string, body: string): string[] {
  const flat = text.replace(/\\+[nrt]|\s+/g, '');
  const out: string[] = [];
  for (let i = 0; i + 16 <= body.length; i += 8) if (flat.includes(body.slice(i, i + 16))) out.push(body.slice(i, i + 16));
  return out;
}

describe('redact: every key form, every way it is pasted', () => {
  it('covers the forms the issue names', () => {
    const names = keyForms.map((k) => k.name).join('\n');
    for (const f of ['RSA-2048 PKCS#1 PEM', 'RSA-2048 PKCS#8 PEM', 'EC P-256 SEC1 PEM', 'Ed25519 PKCS#8 PEM', 'Ed448 PKCS#8 PEM', 'Ed25519 PKCS#8 DER-base64', 'EC P-256 SEC1 DER-base64', 'RSA-2048 PKCS#8 encrypted PEM']) {
      expect(names).toContain(f);
    }
  });

  for (const [how, mangle] of Object.entries(MANGLE)) {
    it(`removes every key, ${how}`, () => {
      const failures: string[] = [];
      for (const k of keyForms) {
        const text = mangle(k.text);
        const out = redact(text);
        const left = leftovers(out, k.body);
        if (left.length) failures.push(`${k.name}: ${left.length} fragments left, e.g. "${left[0]}"`);
        if (!out.includes(REDACTED)) failures.push(`${k.name}: no ${REDACTED} marker`);
        if (!containsSecret(text)) failures.push(`${k.name}: containsSecret() is false`);
        if (containsSecret(out)) failures.push(`${k.name}: containsSecret() still true after redact()`);
        if (/PRIVATE KEY-/.test(out)) failures.push(`${k.name}: a PRIVATE KEY line survived`);
      }
      expect(failures).toEqual([]);
    });
  }

  it('keeps the text around the key', () => {
    const k = keyForms.find((f) => f.name === 'Ed25519 PKCS#8 PEM')!;
    const out = redact(MANGLE['in a log']!(k.text));
    expect(out).toContain('config reload failed, key follows:');
    expect(out).toContain('TLSV1_ALERT_UNKNOWN_CA');
    const b = keyForms.find((f) => f.name === 'Ed25519 PKCS#8 DER-base64')!;
    expect(redact(`the key is ${b.text} and the error is CERTIFICATE_VERIFY_FAILED`)).toBe(`the key is ${REDACTED} and the error is CERTIFICATE_VERIFY_FAILED`);
  });

  it('removes a key cut off at either end', () => {
    for (const k of keyForms.filter((f) => / PEM/.test(f.name))) {
      const lines = k.text.split('\n');
      const tail = lines.slice(2).join('\n'); // BEGIN line and the first body line lost
      const head = lines.slice(0, -3).join('\n'); // END line lost
      expect(leftovers(redact(tail), bodyOf(tail)), `${k.name}, tail`).toEqual([]);
      expect(leftovers(redact(head), bodyOf(head)), `${k.name}, head`).toEqual([]);
    }
  });

  it('redactDeep walks objects and arrays and copies only what changed', () => {
    const k = keyForms.find((f) => f.name === 'EC P-256 SEC1 PEM')!;
    const clean = { a: ['x', { b: 'y' }], n: 1 };
    expect(redactDeep(clean)).toBe(clean);
    const dirty = { a: ['x', { b: k.text }], n: 1, keep: clean };
    const out = redactDeep(dirty);
    expect(out.a[1]).toEqual({ b: REDACTED + '\n' });
    expect(out.keep).toBe(clean);
    expect(dirty.a[1]).toEqual({ b: k.text });
  });
});

describe('redact leaves everything else alone', () => {
  it('certificates (PEM, DER-base64, JSON-escaped), public keys and plain text', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const keep = [
      certPem,
      certDerB64,
      JSON.stringify({ pems: [certPem] }),
      rsa.publicKey.export({ type: 'spki', format: 'pem' }) as string,
      rsa.publicKey.export({ type: 'pkcs1', format: 'pem' }) as string,
      (rsa.publicKey.export({ type: 'spki', format: 'der' }) as Buffer).toString('base64'),
      (rsa.publicKey.export({ type: 'pkcs1', format: 'der' }) as Buffer).toString('base64'),
      (ec.publicKey.export({ type: 'spki', format: 'der' }) as Buffer).toString('base64'),
      'upstream connect error or disconnect/reset before headers. reset reason: connection failure, transport failure reason: TLS error: 268436504:SSL routines:OPENSSL_internal:TLSV1_ALERT_UNKNOWN_CA',
      'sha256 fingerprint 3082020100300d06092a864886f70d010101050004820200 and MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA-like words',
      'M'.repeat(500),
      `MII${'A'.repeat(200)}`,
    ];
    for (const t of keep) {
      expect(redact(t), t.slice(0, 60)).toBe(t);
      expect(containsSecret(t), t.slice(0, 60)).toBe(false);
    }
  });

  it('non-strings pass through', () => {
    expect(redact(undefined as unknown as string)).toBeUndefined();
    expect(containsSecret(null as unknown as string)).toBe(false);
  });
});
