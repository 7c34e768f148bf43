import 'reflect-metadata';
import { createHash, X509Certificate as NodeX509 } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { AsnConvert } from '@peculiar/asn1-schema';
import { NameConstraints, Name as AsnName, type Certificate as AsnCertificate, type GeneralName as AsnGeneralName } from '@peculiar/asn1-x509';
import { inputError } from '../errors.js';
import { parseSpiffeId, isSpiffeUri } from './spiffe.js';
import type { CertFact, KeyUsageName, NameConstraintsFact, PublicKeyFact, San } from './types.js';

/** A parsed certificate: plain facts for rules, plus the node:crypto handle the chain builder verifies with. */
export interface ParsedCert {
  fact: CertFact;
  der: Uint8Array;
  /** Undefined when node:crypto (OpenSSL) cannot load the certificate; signatures then stay unchecked. */
  node: NodeX509 | undefined;
}

const SIGNATURE_OIDS: Record<string, { name: string; hash: string | null }> = {
  '1.2.840.113549.1.1.2': { name: 'md2WithRSAEncryption', hash: 'md2' },
  '1.2.840.113549.1.1.4': { name: 'md5WithRSAEncryption', hash: 'md5' },
  '1.2.840.113549.1.1.5': { name: 'sha1WithRSAEncryption', hash: 'sha1' },
  '1.2.840.113549.1.1.14': { name: 'sha224WithRSAEncryption', hash: 'sha224' },
  '1.2.840.113549.1.1.11': { name: 'sha256WithRSAEncryption', hash: 'sha256' },
  '1.2.840.113549.1.1.12': { name: 'sha384WithRSAEncryption', hash: 'sha384' },
  '1.2.840.113549.1.1.13': { name: 'sha512WithRSAEncryption', hash: 'sha512' },
  '1.2.840.113549.1.1.10': { name: 'rsassaPss', hash: null },
  '1.2.840.10045.4.1': { name: 'ecdsa-with-SHA1', hash: 'sha1' },
  '1.2.840.10045.4.3.1': { name: 'ecdsa-with-SHA224', hash: 'sha224' },
  '1.2.840.10045.4.3.2': { name: 'ecdsa-with-SHA256', hash: 'sha256' },
  '1.2.840.10045.4.3.3': { name: 'ecdsa-with-SHA384', hash: 'sha384' },
  '1.2.840.10045.4.3.4': { name: 'ecdsa-with-SHA512', hash: 'sha512' },
  '1.3.101.112': { name: 'Ed25519', hash: null },
  '1.3.101.113': { name: 'Ed448', hash: null },
  '1.2.840.10040.4.3': { name: 'dsa-with-SHA1', hash: 'sha1' },
  '2.16.840.1.101.3.4.3.2': { name: 'dsa-with-SHA256', hash: 'sha256' },
};

const EKU_NAMES: Record<string, string> = {
  '1.3.6.1.5.5.7.3.1': 'serverAuth',
  '1.3.6.1.5.5.7.3.2': 'clientAuth',
  '1.3.6.1.5.5.7.3.3': 'codeSigning',
  '1.3.6.1.5.5.7.3.4': 'emailProtection',
  '1.3.6.1.5.5.7.3.8': 'timeStamping',
  '1.3.6.1.5.5.7.3.9': 'OCSPSigning',
  '2.5.29.37.0': 'any',
};

const KEY_USAGE_BITS: Array<[number, KeyUsageName]> = [
  [1, 'digitalSignature'],
  [2, 'nonRepudiation'],
  [4, 'keyEncipherment'],
  [8, 'dataEncipherment'],
  [16, 'keyAgreement'],
  [32, 'keyCertSign'],
  [64, 'cRLSign'],
  [128, 'encipherOnly'],
  [256, 'decipherOnly'],
];

/** Extensions that OpenSSL/BoringSSL process; a critical extension outside this set fails verification. */
const KNOWN_EXTENSIONS = new Set([
  '2.5.29.14', '2.5.29.15', '2.5.29.17', '2.5.29.18', '2.5.29.19', '2.5.29.30', '2.5.29.31', '2.5.29.32',
  '2.5.29.33', '2.5.29.35', '2.5.29.36', '2.5.29.37', '2.5.29.46', '2.5.29.54', '1.3.6.1.5.5.7.1.1',
  '1.3.6.1.5.5.7.1.11', '1.3.6.1.4.1.11129.2.4.2', '1.3.6.1.5.5.7.1.24', '2.5.29.9',
]);

const hex = (b: ArrayBuffer | Uint8Array) => Buffer.from(b instanceof Uint8Array ? b : new Uint8Array(b)).toString('hex');

/** Folds case and runs of space so that equal names written differently compare equal. */
export function normaliseName(name: string): string {
  return name.toLowerCase().replace(/\s+/g, ' ').replace(/\s*,\s*/g, ',').replace(/\s*=\s*/g, '=').trim();
}

/** Parses one DER certificate into facts. Throws `E_INPUT` naming `source` when it is not a certificate. */
export function parseCertificate(der: Uint8Array, source: string): ParsedCert {
  let cert: x509.X509Certificate;
  try {
    cert = new x509.X509Certificate(new Uint8Array(der));
  } catch (e) {
    throw inputError(`Cannot parse ${source}: not a valid X.509 certificate (${shortReason(e)})`, e);
  }
  const warnings: string[] = [];
  let node: NodeX509 | undefined;
  try {
    node = new NodeX509(der);
  } catch (e) {
    warnings.push(`OpenSSL cannot load it (${shortReason(e)}): signatures not checked`);
  }
  // The parsed ASN.1 is protected in the typings but is the library's own structure; read it rather than parse twice.
  const asn = (cert as unknown as { asn: AsnCertificate }).asn;
  const tbs = asn.tbsCertificate;
  const subject = safe(() => cert.subject, '', warnings, 'subject');
  const issuer = safe(() => cert.issuer, '', warnings, 'issuer');
  const extensions = tbs.extensions ?? [];
  const extList = extensions.map((e) => ({ oid: e.extnID, critical: !!e.critical }));

  let sans: San[] = [];
  let keyUsage: KeyUsageName[] | null = null;
  let eku: string[] | null = null;
  let basicConstraints: CertFact['basicConstraints'] = null;
  let ski: string | null = null;
  let aki: string | null = null;
  let nameConstraints: NameConstraintsFact | null = null;
  for (const ext of cert.extensions) {
    try {
      if (ext instanceof x509.SubjectAlternativeNameExtension) sans = ext.names.items.map(toSan);
      else if (ext instanceof x509.KeyUsagesExtension) keyUsage = KEY_USAGE_BITS.filter(([bit]) => (ext.usages & bit) !== 0).map(([, n]) => n);
      else if (ext instanceof x509.ExtendedKeyUsageExtension) eku = ext.usages.map((u) => EKU_NAMES[String(u)] ?? String(u));
      else if (ext instanceof x509.BasicConstraintsExtension) basicConstraints = { ca: !!ext.ca, pathLen: ext.pathLength ?? null, critical: ext.critical };
      else if (ext instanceof x509.SubjectKeyIdentifierExtension) ski = ext.keyId.toLowerCase();
      else if (ext instanceof x509.AuthorityKeyIdentifierExtension) aki = ext.keyId ? ext.keyId.toLowerCase() : null;
      else if (ext.type === '2.5.29.30') nameConstraints = parseNameConstraints(ext.value, ext.critical);
    } catch (e) {
      warnings.push(`extension ${ext.type} is malformed (${shortReason(e)})`);
    }
  }

  const sigOid = asn.signatureAlgorithm.algorithm;
  const sig = SIGNATURE_OIDS[sigOid] ?? { name: sigOid, hash: null };
  const spki = node ? node.publicKey.export({ type: 'spki', format: 'der' }) : new Uint8Array(cert.publicKey.rawData);
  const publicKey = describeKey(node, cert);
  const spiffe = sans
    .filter((s) => s.type === 'uri' && isSpiffeUri(s.value))
    .map((s) => {
      const p = parseSpiffeId(s.value);
      return p.ok
        ? { uri: s.value, ok: true, trustDomain: p.id.trustDomain, ...(p.id.namespace ? { namespace: p.id.namespace, serviceAccount: p.id.serviceAccount } : {}) }
        : { uri: s.value, ok: false, problem: p.problem };
    });
  const selfIssued = normaliseName(subject) === normaliseName(issuer);
  let selfSigned: boolean | null = null;
  if (selfIssued && node) selfSigned = verifySignature(node, node);

  const cn = subjectCn(cert);
  const fact: CertFact = {
    fingerprint: createHash('sha256').update(der).digest('hex'),
    source,
    name: cn || subject || sans[0]?.value || `serial ${cert.serialNumber}`,
    subject,
    issuer,
    subjectKey: normaliseName(subject),
    issuerKey: normaliseName(issuer),
    serial: cert.serialNumber.toLowerCase(),
    version: (tbs.version ?? 0) + 1,
    notBefore: cert.notBefore.getTime(),
    notAfter: cert.notAfter.getTime(),
    selfIssued,
    selfSigned,
    sans,
    spiffe,
    keyUsage,
    eku,
    basicConstraints,
    ski,
    aki,
    publicKey,
    spkiSha256: createHash('sha256').update(spki).digest('hex'),
    signature: { oid: sigOid, ...sig },
    extensions: extList,
    unknownCriticalExtensions: extList.filter((e) => e.critical && !KNOWN_EXTENSIONS.has(e.oid)).map((e) => e.oid),
    nameConstraints,
    parseWarnings: warnings,
  };
  return { fact, der, node };
}

/** True when `issuer`'s key verifies `child`'s signature; null when it cannot be checked. */
export function verifySignature(child: NodeX509, issuer: NodeX509): boolean | null {
  try {
    return child.verify(issuer.publicKey);
  } catch {
    return null;
  }
}

function describeKey(node: NodeX509 | undefined, cert: x509.X509Certificate): PublicKeyFact {
  if (node) {
    const k = node.publicKey;
    const d = k.asymmetricKeyDetails ?? {};
    const type = (k.asymmetricKeyType ?? 'unknown') as PublicKeyFact['type'];
    const bits = d.modulusLength ?? (type === 'ed25519' ? 256 : type === 'ed448' ? 456 : curveBits(d.namedCurve));
    return { type: ['rsa', 'rsa-pss', 'ec', 'ed25519', 'ed448', 'dsa'].includes(type) ? type : 'unknown', bits: bits ?? null, curve: d.namedCurve ?? null };
  }
  const alg = cert.publicKey.algorithm as { name?: string; modulusLength?: number; namedCurve?: string };
  const type: PublicKeyFact['type'] = alg.name?.startsWith('RSA') ? 'rsa' : alg.name === 'ECDSA' ? 'ec' : alg.name === 'Ed25519' ? 'ed25519' : 'unknown';
  return { type, bits: alg.modulusLength ?? curveBits(alg.namedCurve) ?? null, curve: alg.namedCurve ?? null };
}

function curveBits(curve: string | undefined): number | undefined {
  if (!curve) return undefined;
  const m = /(\d{3})/.exec(curve);
  return m ? Number(m[1]) : undefined;
}

function subjectCn(cert: x509.X509Certificate): string {
  try {
    return cert.subjectName.getField('CN')[0] ?? '';
  } catch {
    return '';
  }
}

function toSan(n: { type: string; value: string }): San {
  switch (n.type) {
    case 'dns':
      return { type: 'dns', value: n.value };
    case 'url':
      return { type: 'uri', value: n.value };
    case 'ip':
      return { type: 'ip', value: n.value };
    case 'email':
      return { type: 'email', value: n.value };
    case 'dn':
      return { type: 'dn', value: n.value };
    default:
      return { type: 'other', value: `${n.type}:${n.value}` };
  }
}

function fromAsnGeneralName(g: AsnGeneralName): San {
  if (g.dNSName !== undefined) return { type: 'dns', value: g.dNSName };
  if (g.uniformResourceIdentifier !== undefined) return { type: 'uri', value: g.uniformResourceIdentifier };
  if (g.rfc822Name !== undefined) return { type: 'email', value: g.rfc822Name };
  if (g.iPAddress !== undefined) return { type: 'ip', value: ipSubtree(g.iPAddress) };
  if (g.directoryName !== undefined) return { type: 'dn', value: new x509.Name(AsnConvert.serialize(g.directoryName as AsnName)).toString() };
  return { type: 'other', value: 'unsupported name form' };
}

/** A name-constraint IP is address+mask bytes; render as CIDR. */
function ipSubtree(value: string): string {
  // asn1-x509 renders iPAddress as text; for constraints (8 or 32 bytes) it is address and mask run together.
  return value;
}

function parseNameConstraints(value: ArrayBuffer, critical: boolean): NameConstraintsFact {
  const nc = AsnConvert.parse(value, NameConstraints);
  return {
    critical,
    permitted: (nc.permittedSubtrees ?? []).map((s) => fromAsnGeneralName(s.base)),
    excluded: (nc.excludedSubtrees ?? []).map((s) => fromAsnGeneralName(s.base)),
  };
}

function safe<T>(f: () => T, fallback: T, warnings: string[], what: string): T {
  try {
    return f();
  } catch (e) {
    warnings.push(`${what} cannot be decoded (${shortReason(e)})`);
    return fallback;
  }
}

export function shortReason(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n')[0]!.slice(0, 160);
}

export { hex as toHex };
