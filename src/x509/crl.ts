/**
 * Certificate revocation lists (RFC 5280 §5): decoded with the strict DER reader into plain facts, and their
 * signatures checked with node:crypto against the certificates that could have issued them. Istio's plug-in CA
 * ships one as `ca-crl.pem` (the `cacerts` Secret); the sidecar sees it at
 * `/var/run/secrets/istio/crl/ca-crl.pem` and Envoy checks peers against it (CertificateValidationContext.crl).
 */
import type { Source } from '../model/source.js';
import { constants, createHash, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { inputError, MtlsDoctorError } from '../errors.js';
import { bitString, boolean, children, DerError, expect, integerHex, oid, parseOne, raw, smallInteger, TAG, time, value, type DerNode } from './der.js';
import { parseName } from './names.js';
import { SIGNATURE_OIDS, serialText, shortReason, type ParsedCert } from './certificate.js';
import { formatBytes, MAX_INPUT_BYTES, pemBlocks, pemBody, splitDerElements, type CertificateInput } from './pem.js';
import { LIMITS } from '../limits.js';

export type CrlReason =
  | 'unspecified'
  | 'keyCompromise'
  | 'cACompromise'
  | 'affiliationChanged'
  | 'superseded'
  | 'cessationOfOperation'
  | 'certificateHold'
  | 'removeFromCRL'
  | 'privilegeWithdrawn'
  | 'aACompromise';

const REASONS: Record<number, CrlReason> = {
  0: 'unspecified',
  1: 'keyCompromise',
  2: 'cACompromise',
  3: 'affiliationChanged',
  4: 'superseded',
  5: 'cessationOfOperation',
  6: 'certificateHold',
  8: 'removeFromCRL',
  9: 'privilegeWithdrawn',
  10: 'aACompromise',
};

export interface RevokedEntry {
  /** Serial number as `CertFact.serial` shows it (lowercase hex, no DER sign byte): compared with it. */
  serial: string;
  revokedAt: number;
  reason: CrlReason | null;
}

/** Plain, JSON-serialisable facts about one CRL. */
export interface CrlFact {
  /** SHA-256 of the DER. */
  fingerprint: string;
  /** Where it came from: `ca-crl.pem #1`. */
  source: string;
  /** The file (or other source) it was read from, as data. */
  origin?: Source;
  issuer: string;
  /** Normalised issuer name, comparable with `CertFact.subjectKey` / `issuerKey`. */
  issuerKey: string;
  version: number;
  thisUpdate: number;
  /** Null: the CRL names no next update (RFC 5280 requires one; verifiers then never call it expired). */
  nextUpdate: number | null;
  /** cRLNumber as hex; null when absent (RFC 5280 §5.2.3 MUST include it; OpenSSL and BoringSSL accept it). */
  crlNumber: string | null;
  aki: string | null;
  signature: { oid: string; name: string; hash: string | null };
  revoked: RevokedEntry[];
  extensions: Array<{ oid: string; critical: boolean }>;
  /**
   * Critical CRL or entry extensions that OpenSSL and BoringSSL do not process: they refuse to use the CRL
   * ("unhandled critical CRL extension"), and verification fails.
   */
  unknownCriticalExtensions: string[];
  /** A delta CRL (deltaCRLIndicator): verifiers without delta support do not use it as a complete CRL. */
  delta: boolean;
  /** issuingDistributionPoint scope limits. */
  scope: { onlyUserCerts: boolean; onlyCaCerts: boolean; onlyAttributeCerts: boolean };
  /** Encoding faults verifiers reject (e.g. the signed algorithm differs from the outer one). */
  defects: string[];
  /** Every known certificate whose subject is this CRL's issuer, and whether its key verifies the signature. */
  signers: Array<{ cert: string; signatureValid: boolean | null }>;
}

/** A parsed CRL: its facts and what verifying the signature needs. */
export interface ParsedCrl {
  fact: CrlFact;
  der: Uint8Array;
  tbs: Uint8Array;
  sigOid: string;
  sigParams: DerNode | undefined;
  signature: Uint8Array;
}

const EXT = {
  AKI: '2.5.29.35',
  CRL_NUMBER: '2.5.29.20',
  DELTA: '2.5.29.27',
  IDP: '2.5.29.28',
  REASON: '2.5.29.21',
  CERT_ISSUER: '2.5.29.29',
} as const;

/** CRL extensions OpenSSL/BoringSSL process when critical (x_crl.c); anything else critical makes the CRL unusable. */
const HANDLED_CRITICAL_CRL_EXTENSIONS = new Set<string>([EXT.IDP, EXT.AKI, EXT.DELTA]);
/** Entry extensions they process when critical: only the certificate issuer (indirect CRLs). */
const HANDLED_CRITICAL_ENTRY_EXTENSIONS = new Set<string>([EXT.CERT_ISSUER]);

/** A CRL file with more CRLs than this is refused. */
export const MAX_CRLS = LIMITS.crlsPerSource;

/**
 * Decodes CRL input: PEM ("X509 CRL" blocks, any number) or DER (one or more concatenated CRLs). Throws an
 * `E_INPUT` error naming `label` for anything else: certificates where a CRL belongs, truncated PEM, garbage.
 */
export function decodeCrls(input: CertificateInput, label: string): Uint8Array[] {
  const size = typeof input === 'string' ? Buffer.byteLength(input) : input.byteLength;
  const head = typeof input === 'string' ? input.slice(0, 64 * 1024) : Buffer.from(input.subarray(0, 64 * 1024)).toString('latin1');
  // The limit is on the CRL's bytes: a CRL admitted as DER is kept in evidence as PEM (4/3 of it), and must
  // still be read back from there.
  const max = head.includes('-----BEGIN ') ? Math.ceil((MAX_INPUT_BYTES * 4) / 3) + 64 * 1024 : MAX_INPUT_BYTES;
  if (size > max) throw inputError(`Cannot read ${label}: it is ${formatBytes(size)}, over the ${formatBytes(MAX_INPUT_BYTES)} limit for a CRL file`);
  const text = typeof input === 'string' ? input : Buffer.from(input).toString('latin1');
  if (size === 0 || text.trim() === '') throw inputError(`Cannot read ${label}: it is empty; expected a PEM ("-----BEGIN X509 CRL-----") or DER CRL`);
  if (text.includes('-----BEGIN ')) {
    const out: Uint8Array[] = [];
    let sawCert = false;
    for (const block of pemBlocks(text, label)) {
      if (/CERTIFICATE/.test(block.type) || /PRIVATE KEY$/.test(block.type)) {
        sawCert ||= /CERTIFICATE$/.test(block.type);
        continue;
      }
      if (block.type !== 'X509 CRL' && block.type !== 'CRL') continue;
      const der = pemBody(block, label, `CRL ${out.length + 1}`);
      if (out.length >= MAX_CRLS) throw inputError(`Cannot read ${label}: more than ${MAX_CRLS} CRLs in one file`);
      out.push(new Uint8Array(der));
    }
    if (out.length === 0) {
      throw inputError(
        sawCert
          ? `Cannot read ${label}: it holds certificates, not a CRL (give certificates with --chain/--trust/--ca, and a CRL such as ca-crl.pem with --crl)`
          : `Cannot read ${label}: it has no "-----BEGIN X509 CRL-----" block`,
      );
    }
    return out;
  }
  return splitDerElements(typeof input === 'string' ? Buffer.from(input, 'latin1') : input, label, {
    max: MAX_CRLS,
    tooMany: `more than ${MAX_CRLS} CRLs in one file`,
    notDer: 'it is neither PEM nor DER CRL data',
  });
}

function extensionsOf(node: DerNode, what: string): Array<{ id: string; critical: boolean; value: Uint8Array }> {
  return children(expect(node, TAG.SEQUENCE, what)).map((ext) => {
    const parts = children(expect(ext, TAG.SEQUENCE, 'extension'));
    const id = oid(expect(parts[0], TAG.OID, 'extnID'));
    let k = 1;
    let critical = false;
    if (parts[k]?.tag === TAG.BOOLEAN) critical = boolean(parts[k++]!);
    const octets = expect(parts[k], TAG.OCTET_STRING, 'extnValue');
    if (k + 1 !== parts.length) throw new DerError('extension has trailing elements');
    return { id, critical, value: value(octets) };
  });
}

/** Parses one DER CRL into facts. Throws `E_INPUT` naming `source` when it is not a CRL. */
export function parseCrl(der: Uint8Array, source: string): ParsedCrl {
  try {
    return parseStrict(der, source);
  } catch (e) {
    if (e instanceof DerError) throw inputError(`Cannot parse ${source}: not a valid X.509 CRL (${shortReason(e)})`, e);
    // Any other failure decoding hostile bytes (a RangeError from a decoder, a bug) is still a bad input: one
    // clear line and exit 2, never "Internal error".
    if (!(e instanceof MtlsDoctorError)) throw inputError(`Cannot parse ${source}: not a valid X.509 CRL (${e instanceof Error ? e.message.split('\n')[0]!.slice(0, 120) : 'undecodable'})`, e);
    throw e;
  }
}

function parseStrict(der: Uint8Array, source: string): ParsedCrl {
  const top = children(expect(parseOne(der, 'CRL'), TAG.SEQUENCE, 'CertificateList'));
  if (top.length !== 3) throw new DerError('CertificateList is not a SEQUENCE of three elements');
  const tbsNode = expect(top[0], TAG.SEQUENCE, 'tbsCertList');
  const sigAlg = children(expect(top[1], TAG.SEQUENCE, 'signatureAlgorithm'));
  const sigOid = oid(expect(sigAlg[0], TAG.OID, 'signature algorithm'));
  const signature = bitString(expect(top[2], TAG.BIT_STRING, 'signatureValue')).bytes;
  const tbs = children(tbsNode);
  let i = 0;
  let version = 1;
  if (tbs[0]?.tag === TAG.INTEGER) version = smallInteger(tbs[i++]!) + 1;
  const innerSig = children(expect(tbs[i++], TAG.SEQUENCE, 'signature'));
  const innerOid = oid(expect(innerSig[0], TAG.OID, 'signature algorithm'));
  const issuer = parseName(expect(tbs[i++], TAG.SEQUENCE, 'issuer'));
  const thisNode = tbs[i++];
  if (!thisNode || (thisNode.tag !== TAG.UTCTime && thisNode.tag !== TAG.GeneralizedTime)) throw new DerError('thisUpdate is missing');
  const thisUpdate = time(thisNode);
  let nextUpdate: number | null = null;
  if (tbs[i] && (tbs[i]!.tag === TAG.UTCTime || tbs[i]!.tag === TAG.GeneralizedTime)) nextUpdate = time(tbs[i++]!);
  const revoked: RevokedEntry[] = [];
  const unknownCritical = new Set<string>();
  if (tbs[i]?.tag === TAG.SEQUENCE) {
    const entries = children(tbs[i++]!);
    if (entries.length > LIMITS.crlEntries) throw new DerError(`more than ${LIMITS.crlEntries} revoked certificates`);
    for (const entry of entries) {
      const parts = children(expect(entry, TAG.SEQUENCE, 'revokedCertificate'));
      const serial = serialText(integerHex(expect(parts[0], TAG.INTEGER, 'userCertificate')).hex);
      const at = parts[1];
      if (!at || (at.tag !== TAG.UTCTime && at.tag !== TAG.GeneralizedTime)) throw new DerError('revocationDate is missing');
      let reason: CrlReason | null = null;
      if (parts[2]) {
        for (const ext of extensionsOf(parts[2], 'crlEntryExtensions')) {
          if (ext.critical && !HANDLED_CRITICAL_ENTRY_EXTENSIONS.has(ext.id)) unknownCritical.add(ext.id);
          if (ext.id === EXT.REASON) {
            const n = parseOne(ext.value, 'reasonCode');
            if (n.tag !== 0x0a) throw new DerError('reasonCode is not an ENUMERATED');
            reason = REASONS[smallInteger(n)] ?? 'unspecified';
          }
        }
      }
      if (parts.length > 3) throw new DerError('revokedCertificate has trailing elements');
      revoked.push({ serial, revokedAt: time(at), reason });
    }
  }
  const extensions: CrlFact['extensions'] = [];
  let crlNumber: string | null = null;
  let aki: string | null = null;
  let delta = false;
  const scope = { onlyUserCerts: false, onlyCaCerts: false, onlyAttributeCerts: false };
  if (tbs[i]?.tag === 0xa0) {
    const exts = extensionsOf(expect(children(tbs[i++]!)[0], TAG.SEQUENCE, 'crlExtensions'), 'crlExtensions');
    for (const ext of exts) {
      if (extensions.some((e) => e.oid === ext.id)) throw new DerError(`extension ${ext.id} appears more than once`);
      extensions.push({ oid: ext.id, critical: ext.critical });
      if (ext.critical && !HANDLED_CRITICAL_CRL_EXTENSIONS.has(ext.id)) unknownCritical.add(ext.id);
      switch (ext.id) {
        case EXT.CRL_NUMBER:
          crlNumber = integerHex(expect(parseOne(ext.value, 'cRLNumber'), TAG.INTEGER, 'cRLNumber')).hex;
          break;
        case EXT.AKI: {
          const keyId = children(expect(parseOne(ext.value, 'authorityKeyIdentifier'), TAG.SEQUENCE, 'authorityKeyIdentifier')).find((n) => n.tag === 0x80);
          aki = keyId ? Buffer.from(value(keyId)).toString('hex') : null;
          break;
        }
        case EXT.DELTA:
          delta = true;
          break;
        case EXT.IDP:
          for (const n of children(expect(parseOne(ext.value, 'issuingDistributionPoint'), TAG.SEQUENCE, 'issuingDistributionPoint'))) {
            const on = value(n)[0] !== 0 && value(n).length === 1;
            if (n.tag === 0x81) scope.onlyUserCerts = on;
            if (n.tag === 0x82) scope.onlyCaCerts = on;
            if (n.tag === 0x85) scope.onlyAttributeCerts = on;
          }
          break;
        default:
          break;
      }
    }
  }
  if (i !== tbs.length) throw new DerError(`unexpected element 0x${tbs[i]!.tag.toString(16)} in tbsCertList`);
  const defects: string[] = [];
  if (innerOid !== sigOid) defects.push(`the signed algorithm ${innerOid} differs from the outer ${sigOid}`);
  if (version === 1 && extensions.length) defects.push('a version 1 CRL carries extensions');
  const sig = SIGNATURE_OIDS[sigOid] ?? { name: sigOid, hash: null };
  const fact: CrlFact = {
    fingerprint: createHash('sha256').update(der).digest('hex'),
    source,
    issuer: issuer.text,
    issuerKey: issuer.rdns.join(','),
    version,
    thisUpdate,
    nextUpdate,
    crlNumber,
    aki,
    signature: { oid: sigOid, ...sig },
    revoked,
    extensions,
    unknownCriticalExtensions: [...unknownCritical],
    delta,
    scope,
    defects,
    signers: [],
  };
  return { fact, der, tbs: raw(tbsNode), sigOid, sigParams: sigAlg[1], signature };
}

const KEY_FAMILY: Record<string, string[]> = {
  rsa: ['rsa', 'rsa-pss'],
  ecdsa: ['ec'],
  ed25519: ['ed25519'],
  ed448: ['ed448'],
  dsa: ['dsa'],
};
const RSA_PSS = '1.2.840.113549.1.1.10';
const HASH_OIDS: Record<string, string> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.4': 'sha224',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

function family(sigOid: string, name: string): string | null {
  if (sigOid === RSA_PSS || /RSA/i.test(name)) return 'rsa';
  if (name.startsWith('ecdsa')) return 'ecdsa';
  if (name === 'Ed25519') return 'ed25519';
  if (name === 'Ed448') return 'ed448';
  if (name.startsWith('dsa')) return 'dsa';
  return null;
}

/** RSASSA-PSS parameters (RFC 4055): hash and salt length, defaults SHA-1 and 20. */
function pssParams(params: DerNode | undefined): { hash: string; salt: number } {
  let hash = 'sha1';
  let salt = 20;
  if (params && params.tag === TAG.SEQUENCE) {
    for (const p of children(params)) {
      if (p.tag === 0xa0) hash = HASH_OIDS[oid(expect(children(children(p)[0]!)[0], TAG.OID, 'hashAlgorithm'))] ?? hash;
      if (p.tag === 0xa2) salt = smallInteger(expect(children(p)[0], TAG.INTEGER, 'saltLength'));
    }
  }
  return { hash, salt };
}

/** True when `key` verifies the CRL's signature, false when it does not (or is the wrong kind of key), null when it cannot be checked. */
export function verifyCrlSignature(crl: ParsedCrl, key: KeyObject): boolean | null {
  const fam = family(crl.sigOid, crl.fact.signature.name);
  if (!fam) return null;
  if (!KEY_FAMILY[fam]!.includes(key.asymmetricKeyType ?? '')) return false;
  try {
    if (crl.sigOid === RSA_PSS) {
      const p = pssParams(crl.sigParams);
      return cryptoVerify(p.hash, crl.tbs, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: p.salt }, crl.signature);
    }
    if (fam === 'ed25519' || fam === 'ed448') return cryptoVerify(null, crl.tbs, key, crl.signature);
    if (!crl.fact.signature.hash) return null;
    return cryptoVerify(crl.fact.signature.hash, crl.tbs, key, crl.signature);
  } catch {
    return null;
  }
}

/**
 * Resolves each CRL's possible signers among the known certificates (those whose subject is the CRL's issuer)
 * and checks the signature with each one's key. Returns plain facts.
 */
export function resolveCrlSigners(crls: ParsedCrl[], certs: ParsedCert[]): CrlFact[] {
  return crls.map((crl) => {
    const seen = new Set<string>();
    const signers: CrlFact['signers'] = [];
    for (const c of certs) {
      if (c.fact.subjectKey !== crl.fact.issuerKey || seen.has(c.fact.fingerprint)) continue;
      seen.add(c.fact.fingerprint);
      let key: KeyObject | undefined;
      try {
        key = c.node?.publicKey;
      } catch {
        key = undefined;
      }
      signers.push({ cert: c.fact.fingerprint, signatureValid: key ? verifyCrlSignature(crl, key) : null });
    }
    return { ...crl.fact, signers };
  });
}
