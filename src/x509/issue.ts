import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

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
