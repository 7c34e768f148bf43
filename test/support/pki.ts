/**
 * The test PKI factory: certificates generated at run time with pinned dates, named for the property they
 * exhibit. Keys stay in memory (exported only into temporary directories by lab tests).
 */
import { issue, type Issued, type IssueSpec } from '../../src/x509/issue.js';
import { evidenceFromInputs, type NamedInput } from '../../src/evidence/from-inputs.js';
import { buildFacts } from '../../src/facts/build.js';
import type { EvidenceBundle, Role } from '../../src/evidence/types.js';
import type { Facts } from '../../src/facts/types.js';
import type { DeepPartial, Thresholds } from '../../src/model/thresholds.js';
import { KeyObject, sign as nodeSign } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier, Certificate, Version, type TBSCertificate } from '@peculiar/asn1-x509';
import { X509Certificate } from '@peculiar/x509';
import { sourceLabel } from '../../src/report/source-label.js';

export type { Issued };

/** The pinned "now" of every unit test: 2026-11-29 03:00 UTC (the 3 AM page). */
export const NOW = Date.parse('2026-11-29T03:00:00Z');
export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;
export const YEAR = 365 * DAY;
export const t = (offsetMs: number) => new Date(NOW + offsetMs);

export const TD = 'cluster.local';
export const spiffe = (ns: string, sa: string, td = TD) => `spiffe://${td}/ns/${ns}/sa/${sa}`;
export const WEB_ID = spiffe('demo', 'web');

export async function root(name = 'Mesh Root CA', o: Partial<IssueSpec> = {}): Promise<Issued> {
  return issue({ subject: `O=${TD}, CN=${name}`, notBefore: t(-YEAR), notAfter: t(9 * YEAR), ca: true, ...o });
}

export async function intermediate(issuer: Issued, name = 'Mesh Intermediate CA', o: Partial<IssueSpec> = {}): Promise<Issued> {
  return issue({ subject: `O=${TD}, CN=${name}`, notBefore: t(-180 * DAY), notAfter: t(YEAR), ca: true, issuer, ...o });
}

/** A healthy Istio-style workload leaf: 24 h, issued 2 h ago, SPIFFE URI SAN, server+client auth. */
export async function leaf(issuer: Issued, o: Partial<IssueSpec> = {}): Promise<Issued> {
  return issue({ subject: '', notBefore: t(-2 * HOUR), notAfter: t(22 * HOUR), issuer, uris: [WEB_ID], eku: ['serverAuth', 'clientAuth'], ...o });
}

/** A whole healthy mesh PKI: root → intermediate → leaf. */
export async function mesh(o: { leaf?: Partial<IssueSpec>; inter?: Partial<IssueSpec>; root?: Partial<IssueSpec> } = {}) {
  const r = await root('Mesh Root CA', o.root);
  const i = await intermediate(r, 'Mesh Intermediate CA', o.inter);
  const l = await leaf(i, o.leaf);
  return { root: r, inter: i, leaf: l };
}

export interface EvidenceSpec {
  chain: Issued[];
  trust?: Issued[];
  peerTrust?: Issued[];
  ca?: Issued[];
  key?: Issued;
  role?: Role;
  expectId?: string;
  /** Evaluation time; defaults to the pinned NOW. */
  at?: number;
  thresholds?: DeepPartial<Thresholds>;
}

const pemOf = (name: string, certs: Issued[]): NamedInput => ({ name, data: certs.map((c) => c.pem).join('') });

export async function evidenceFor(s: EvidenceSpec): Promise<EvidenceBundle> {
  return evidenceFromInputs({ label: sourceLabel,
    chain: pemOf('chain.pem', s.chain),
    trust: s.trust ? [pemOf('trust.pem', s.trust)] : [],
    peerTrust: s.peerTrust ? [pemOf('peer-trust.pem', s.peerTrust)] : undefined,
    ca: s.ca ? [pemOf('ca.pem', s.ca)] : [],
    key: s.key ? { name: 'key.pem', data: await s.key.keyPem() } : undefined,
    role: s.role,
    expectId: s.expectId ?? null,
    at: s.at ?? NOW,
    thresholds: s.thresholds,
    target: { kind: 'files' },
    now: () => s.at ?? NOW,
  });
}

export async function factsFor(s: EvidenceSpec): Promise<Facts> {
  return buildFacts(await evidenceFor(s), { label: sourceLabel });
}

// ---------------------------------------------------------------------------------------------------------
// Raw re-encoding, for certificates the issuing library cannot make (version 1, MD5 signatures).

const SIG_OIDS: Record<string, Record<string, string>> = {
  ec: { sha1: '1.2.840.10045.4.1', sha256: '1.2.840.10045.4.3.2' },
  rsa: { md5: '1.2.840.113549.1.1.4', sha1: '1.2.840.113549.1.1.5', sha256: '1.2.840.113549.1.1.11' },
};

/**
 * Re-encodes an issued certificate: `mutate` edits its TBSCertificate (e.g. make it version 1 without
 * extensions), then `signer` (default: the certificate itself, i.e. self-signed) signs it with `hash` through
 * node:crypto, which also signs with hashes WebCrypto refuses (MD5). The key pair stays the certificate's own.
 */
export async function reencode(
  base: Issued,
  o: { signer?: Issued; hash?: 'md5' | 'sha1' | 'sha256'; mutate?: (tbs: TBSCertificate) => void } = {},
): Promise<Issued> {
  const signer = o.signer ?? base;
  const hash = o.hash ?? 'sha256';
  const family = signer.keyAlg.startsWith('rsa') ? 'rsa' : signer.keyAlg.startsWith('ec') ? 'ec' : null;
  const oid = family ? SIG_OIDS[family]![hash] : undefined;
  if (!oid) throw new Error(`reencode: cannot sign with ${signer.keyAlg} and ${hash}`);
  const asn = AsnConvert.parse(base.der, Certificate);
  const alg = new AlgorithmIdentifier({ algorithm: oid, ...(family === 'rsa' ? { parameters: new Uint8Array([5, 0]).buffer } : {}) });
  asn.tbsCertificate.signature = alg;
  o.mutate?.(asn.tbsCertificate);
  const tbs = Buffer.from(AsnConvert.serialize(asn.tbsCertificate));
  const key = KeyObject.from(signer.keys.privateKey);
  const sig = nodeSign(hash, tbs, family === 'ec' ? { key, dsaEncoding: 'der' } : key);
  asn.signatureAlgorithm = alg;
  asn.signatureValue = new Uint8Array(sig).buffer;
  const der = new Uint8Array(AsnConvert.serialize(asn));
  const cert = new X509Certificate(der);
  return { ...base, der, cert, pem: cert.toString('pem') + '\n' };
}

/** A version 1 certificate: no extensions at all (old self-signed roots look like this). */
export async function version1(base: Issued, signer?: Issued): Promise<Issued> {
  return reencode(base, {
    signer,
    mutate: (tbs) => {
      tbs.version = Version.v1;
      tbs.extensions = undefined;
    },
  });
}
