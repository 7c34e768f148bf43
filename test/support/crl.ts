/**
 * CRLs generated at run time for tests (@peculiar/x509's X509CrlGenerator), signed by a test CA's in-memory
 * key, and evidence that carries them through the real input path (evidenceFromInputs).
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { evidenceFromInputs } from '../../src/evidence/from-inputs.js';
import type { EvidenceBundle } from '../../src/evidence/types.js';
import { evidenceFor, NOW, DAY, t, type EvidenceSpec, type Issued } from './pki.js';
// Sets the WebCrypto provider @peculiar/x509 signs with.
import '../../src/x509/issue.js';
import { sourceLabel } from '../../src/report/source-label.js';

export interface CrlSpec {
  /** Revoked serials (hex, as the certificate's `serial`), with an optional reason. */
  entries?: Array<{ serial: string; reason?: x509.X509CrlReason; date?: Date }>;
  thisUpdate?: Date;
  /** null: no nextUpdate at all. */
  nextUpdate?: Date | null;
  /** null: no cRLNumber extension. */
  crlNumber?: number | null;
  crlNumberCritical?: boolean;
  /** Sign with this CA's key instead of the issuer's (a CRL that names the issuer but is not signed by it). */
  signer?: Issued;
  extensions?: x509.Extension[];
  /** Issuer name; defaults to the issuer certificate's subject. */
  issuerName?: string;
}

const SIGN: Record<string, Algorithm> = {
  'ec-p256': { name: 'ECDSA', hash: 'SHA-256' } as EcdsaParams,
  'ec-p384': { name: 'ECDSA', hash: 'SHA-384' } as EcdsaParams,
  ed25519: { name: 'Ed25519' },
  'rsa-2048': { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as Algorithm,
  'rsa-1024': { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as Algorithm,
};

/** DER INTEGER of a small non-negative number. */
function derInteger(n: number): Uint8Array<ArrayBuffer> {
  const bytes: number[] = [];
  do {
    bytes.unshift(n & 0xff);
    n = Math.floor(n / 256);
  } while (n > 0);
  if (bytes[0]! & 0x80) bytes.unshift(0);
  return new Uint8Array([0x02, bytes.length, ...bytes]);
}

/** A CRL issued by `issuer` (PEM), valid from a day ago for a week unless told otherwise. */
export async function crlPem(issuer: Issued, s: CrlSpec = {}): Promise<string> {
  const signer = s.signer ?? issuer;
  const exts: x509.Extension[] = [await x509.AuthorityKeyIdentifierExtension.create(signer.keys.publicKey)];
  if (s.crlNumber !== null) exts.push(new x509.Extension('2.5.29.20', !!s.crlNumberCritical, derInteger(s.crlNumber ?? 1)));
  exts.push(...(s.extensions ?? []));
  const crl = await x509.X509CrlGenerator.create({
    issuer: s.issuerName ?? issuer.cert.subject,
    thisUpdate: s.thisUpdate ?? t(-DAY),
    ...(s.nextUpdate === null ? {} : { nextUpdate: s.nextUpdate ?? t(6 * DAY) }),
    signingAlgorithm: SIGN[signer.keyAlg]!,
    signingKey: signer.keys.privateKey,
    extensions: exts,
    entries: (s.entries ?? []).map((e) => ({ serialNumber: e.serial, revocationDate: e.date ?? t(-2 * DAY), ...(e.reason === undefined ? {} : { reason: e.reason }) })),
  });
  return crl.toString('pem') + '\n';
}

/** The serial of a test certificate as CertFact/CRL facts write it (lowercase hex of the DER INTEGER bytes). */
export const serialOf = (c: Issued) => c.cert.serialNumber.toLowerCase();

/** Evidence for a spec plus CRL files (`ca-crl.pem`, `ca-crl-2.pem`, …) and a depth limit, through the real input checks. */
export async function evidenceWith(s: EvidenceSpec & { crls?: string[]; maxChainDepth?: number }): Promise<EvidenceBundle> {
  const base = await evidenceFor(s);
  const extra = evidenceFromInputs({ label: sourceLabel,
    crls: (s.crls ?? []).map((data, i) => ({ name: i === 0 ? 'ca-crl.pem' : `ca-crl-${i + 1}.pem`, data })),
    maxChainDepth: s.maxChainDepth,
    target: { kind: 'files' },
    at: s.at ?? NOW,
    now: () => s.at ?? NOW,
  });
  return {
    ...base,
    sources: [...base.sources, ...extra.sources],
    options: { ...base.options, ...(extra.options.maxChainDepth === undefined ? {} : { maxChainDepth: extra.options.maxChainDepth }) },
    ...(extra.crls ? { crls: extra.crls } : {}),
  };
}
