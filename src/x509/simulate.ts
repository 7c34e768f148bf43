import 'reflect-metadata';
import { createHash, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { assumeSignature } from './simulated.js';

/**
 * Simulated certificates (the rotation drill): a workload leaf as a new CA would issue it, made WITHOUT the CA's
 * key. It copies the current leaf's subject and extensions (SANs, EKU, key usage, basic constraints), names the
 * new CA as issuer (its subject, byte for byte, and its subject key id as authority key id) and carries a fresh
 * throwaway key. Its signature cannot verify, so it is registered here: the chain builder's signature check
 * (./certificate.ts `verifySignature`) then assumes it valid when the issuer's names and key ids match
 * (OpenSSL's X509_check_issued), and reports nothing else about it. No CA key is ever read.
 */
x509.cryptoProvider.set(webcrypto as unknown as Crypto);

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
