import 'reflect-metadata';
import { createHash, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { assumeSignature } from './certificate.js';

/**
 * Issues certificates in memory, for the built-in example (`mtls-doctor demo`) and the test PKI factory.
 * Never writes a key anywhere; callers that need a key on disk (the lab's TLS peers) export it themselves
 * into a temporary directory.
 */
x509.cryptoProvider.set(webcrypto as unknown as Crypto);

export type KeyAlg = 'ec-p256' | 'ec-p384' | 'rsa-1024' | 'rsa-2048' | 'ed25519';

export interface IssueSpec {
  subject: string;
  notBefore: Date;
  notAfter: Date;
  /** Omit for a self-signed certificate. */
  issuer?: Issued;
  ca?: boolean;
  /** Omit basicConstraints entirely. */
  noBasicConstraints?: boolean;
  pathLen?: number;
  keyUsage?: Array<'digitalSignature' | 'keyEncipherment' | 'keyCertSign' | 'cRLSign' | 'keyAgreement'>;
  /** EKU names (`serverAuth`, `clientAuth`) or OIDs; omit for no extension. */
  eku?: string[];
  uris?: string[];
  dns?: string[];
  ips?: string[];
  keyAlg?: KeyAlg;
  hash?: 'SHA-256' | 'SHA-1' | 'SHA-384';
  serial?: string;
  /** Reuse this key pair (a re-issued CA with the same key). */
  keys?: CryptoKeyPair;
  /** Skip the authority key identifier (for chain-building edge cases). */
  noAki?: boolean;
  /** Extra raw extensions. */
  extensions?: x509.Extension[];
}

export interface Issued {
  pem: string;
  der: Uint8Array;
  cert: x509.X509Certificate;
  keys: CryptoKeyPair;
  subject: string;
  keyAlg: KeyAlg;
  /** PKCS#8 PEM of the private key, for TLS peers in tests and the demo's in-memory probe. */
  keyPem(): Promise<string>;
}

const EKU: Record<string, string> = { serverAuth: '1.3.6.1.5.5.7.3.1', clientAuth: '1.3.6.1.5.5.7.3.2', any: '2.5.29.37.0' };
const KU: Record<string, number> = {
  digitalSignature: x509.KeyUsageFlags.digitalSignature,
  keyEncipherment: x509.KeyUsageFlags.keyEncipherment,
  keyCertSign: x509.KeyUsageFlags.keyCertSign,
  cRLSign: x509.KeyUsageFlags.cRLSign,
  keyAgreement: x509.KeyUsageFlags.keyAgreement,
};

function algorithm(alg: KeyAlg, hash: string): { gen: RsaHashedKeyGenParams | EcKeyGenParams | { name: string }; sign: Algorithm } {
  switch (alg) {
    case 'ec-p256':
      return { gen: { name: 'ECDSA', namedCurve: 'P-256' }, sign: { name: 'ECDSA', hash } as EcdsaParams };
    case 'ec-p384':
      return { gen: { name: 'ECDSA', namedCurve: 'P-384' }, sign: { name: 'ECDSA', hash } as EcdsaParams };
    case 'ed25519':
      return { gen: { name: 'Ed25519' }, sign: { name: 'Ed25519' } };
    case 'rsa-1024':
    case 'rsa-2048':
      return {
        gen: { name: 'RSASSA-PKCS1-v1_5', hash, publicExponent: new Uint8Array([1, 0, 1]), modulusLength: alg === 'rsa-1024' ? 1024 : 2048 },
        sign: { name: 'RSASSA-PKCS1-v1_5', hash } as Algorithm,
      };
  }
}

let serialCounter = 0x1000;

export async function issue(spec: IssueSpec): Promise<Issued> {
  const keyAlg = spec.keyAlg ?? 'ec-p256';
  const hash = spec.hash ?? 'SHA-256';
  const alg = algorithm(keyAlg, hash);
  // The signature is made with the signer's key: its algorithm, with the requested hash.
  const signAlg = spec.issuer ? algorithm(spec.issuer.keyAlg, hash).sign : alg.sign;
  const keys = spec.keys ?? ((await webcrypto.subtle.generateKey(alg.gen as EcKeyGenParams, true, ['sign', 'verify'])) as CryptoKeyPair);
  const exts: x509.Extension[] = [];
  if (!spec.noBasicConstraints) exts.push(new x509.BasicConstraintsExtension(!!spec.ca, spec.ca ? spec.pathLen : undefined, true));
  const ku = spec.keyUsage ?? (spec.ca ? ['keyCertSign', 'cRLSign'] : ['digitalSignature', 'keyEncipherment']);
  if (ku.length) exts.push(new x509.KeyUsagesExtension(ku.reduce((a, k) => a | KU[k]!, 0), true));
  if (spec.eku) exts.push(new x509.ExtendedKeyUsageExtension(spec.eku.map((e) => EKU[e] ?? e), false));
  const names = [
    ...(spec.uris ?? []).map((value) => ({ type: 'url' as const, value })),
    ...(spec.dns ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(spec.ips ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
  if (names.length) exts.push(new x509.SubjectAlternativeNameExtension(names, !spec.subject));
  exts.push(await x509.SubjectKeyIdentifierExtension.create(keys.publicKey));
  if (spec.issuer && !spec.noAki) exts.push(await x509.AuthorityKeyIdentifierExtension.create(spec.issuer.keys.publicKey));
  exts.push(...(spec.extensions ?? []));
  const serial = spec.serial ?? (serialCounter++).toString(16).padStart(8, '0');
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial,
    subject: spec.subject,
    issuer: spec.issuer ? spec.issuer.cert.subject : spec.subject,
    notBefore: spec.notBefore,
    notAfter: spec.notAfter,
    signingAlgorithm: signAlg,
    publicKey: keys.publicKey,
    signingKey: spec.issuer ? spec.issuer.keys.privateKey : keys.privateKey,
    extensions: exts,
  });
  const der = new Uint8Array(cert.rawData);
  return {
    pem: cert.toString('pem') + '\n',
    der,
    cert,
    keys,
    subject: spec.subject,
    keyAlg,
    keyPem: async () => {
      const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
      return x509.PemConverter.encode(pkcs8, 'PRIVATE KEY') + '\n';
    },
  };
}

/**
 * Simulated certificates (the rotation drill): a workload leaf as a new CA would issue it, made WITHOUT the CA's
 * key. It copies the current leaf's subject and extensions (SANs, EKU, key usage, basic constraints), names the
 * new CA as issuer (its subject, byte for byte, and its subject key id as authority key id) and carries a fresh
 * throwaway key. Its signature cannot verify, so it is registered here: the chain builder's signature check
 * (./certificate.ts `verifySignature`) then assumes it valid when the issuer's names and key ids match
 * (OpenSSL's X509_check_issued), and reports nothing else about it. No CA key is ever read.
 */

/** SHA-256 of the DER, lowercase hex (CertFact.fingerprint). */
const fingerprintOf = (der: Uint8Array) => createHash('sha256').update(der).digest('hex');

const SKI = '2.5.29.14';
const AKI = '2.5.29.35';

const keyCache = new Map<string, Promise<CryptoKeyPair>>();
/** One throwaway key pair per algorithm: the simulated leaves' public key; never exported, never a CA's key. */
function throwaway(alg: EcKeyGenParams | RsaHashedKeyGenParams): Promise<CryptoKeyPair> {
  const k = JSON.stringify({ ...alg, publicExponent: undefined });
  let p = keyCache.get(k);
  if (!p) keyCache.set(k, (p = webcrypto.subtle.generateKey(alg, false, ['sign', 'verify']) as Promise<CryptoKeyPair>));
  return p;
}

/** The key algorithm of a certificate's public key, to generate one of the same kind. */
function sameKind(cert: x509.X509Certificate): EcKeyGenParams | RsaHashedKeyGenParams {
  const a = cert.publicKey.algorithm as Partial<EcKeyGenParams & RsaHashedKeyGenParams> & { name: string };
  if (a.name === 'ECDSA' && (a.namedCurve === 'P-384' || a.namedCurve === 'P-521')) return { name: 'ECDSA', namedCurve: a.namedCurve };
  if (/^RSA/.test(a.name)) return { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: a.modulusLength && a.modulusLength >= 2048 ? a.modulusLength : 2048 };
  return { name: 'ECDSA', namedCurve: 'P-256' };
}

export interface SimulatedLeaf {
  pem: string;
  fingerprint: string;
}

/**
 * The leaf `like` re-issued by `issuer` at `at`, with the same lifetime: a simulated certificate (see above).
 * `like` and `issuer` are PEM.
 */
export async function simulateLeaf(like: string, issuer: string, at: number, serial: number): Promise<SimulatedLeaf> {
  const old = new x509.X509Certificate(like);
  const ca = new x509.X509Certificate(issuer);
  const keys = await throwaway(sameKind(old));
  const caSki = ca.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId;
  const extensions: x509.Extension[] = old.extensions.filter((e) => e.type !== SKI && e.type !== AKI);
  extensions.push(await x509.SubjectKeyIdentifierExtension.create(keys.publicKey));
  if (caSki) extensions.push(new x509.AuthorityKeyIdentifierExtension(caSki));
  const life = Math.max(60_000, old.notAfter.getTime() - old.notBefore.getTime());
  const signingAlgorithm = (keys.privateKey.algorithm.name === 'ECDSA' ? { name: 'ECDSA', hash: 'SHA-256' } : { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }) as Algorithm;
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: `5e${serial.toString(16).padStart(14, '0')}`,
    subject: old.subjectName,
    issuer: ca.subjectName,
    notBefore: new Date(at),
    notAfter: new Date(at + life),
    signingAlgorithm,
    publicKey: keys.publicKey,
    signingKey: keys.privateKey,
    extensions,
  });
  const der = new Uint8Array(cert.rawData);
  const fingerprint = fingerprintOf(der);
  assumeSignature(fingerprint);
  return { pem: cert.toString('pem') + '\n', fingerprint };
}
