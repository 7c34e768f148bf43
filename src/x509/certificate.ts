import { createHash, X509Certificate as NodeX509, type KeyObject } from 'node:crypto';
import { inputError } from '../errors.js';
import { bitString, boolean, children, DerError, expect, integerHex, oid, parseOne, raw, readNode, smallInteger, TAG, time, value, type DerNode } from './der.js';
import { OID_CN, OID_EMAIL, parseGeneralName, parseName, type ParsedName } from './names.js';
import { parseSpiffeId, isSpiffeUri } from './spiffe.js';

/**
 * A serial number as openssl, Envoy's `/certs` and istioctl print it: hex of the integer, without the DER sign
 * byte (`00e37589…` → `e37589…`) or other leading zero bytes; lowercase, whole bytes. A negative serial (not
 * allowed, but seen) keeps its bytes.
 */
export function serialText(derHex: string): string {
  let h = derHex.toLowerCase();
  while (h.length > 2 && h.startsWith('00')) h = h.slice(2);
  return h;
}
import type { CertDefect, CertFact, ConformanceFact, KeyUsageName, NameConstraintsFact, PublicKeyFact, San } from './types.js';

/** A parsed certificate: plain facts for rules, plus the node:crypto handle the chain builder verifies with. */
export interface ParsedCert {
  fact: CertFact;
  der: Uint8Array;
  /** Undefined when node:crypto (OpenSSL) cannot load the certificate or its key; signatures then stay unchecked. */
  node: NodeX509 | undefined;
}

/** Signature algorithm OIDs by name and hash (certificates and CRLs). */
export const SIGNATURE_OIDS: Record<string, { name: string; hash: string | null }> = {
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

/** keyUsage bit n (bit 0 = the most significant bit of the first byte), RFC 5280 §4.2.1.3. */
const KEY_USAGE_BITS: KeyUsageName[] = ['digitalSignature', 'nonRepudiation', 'keyEncipherment', 'dataEncipherment', 'keyAgreement', 'keyCertSign', 'cRLSign', 'encipherOnly', 'decipherOnly'];

const EXT = {
  SKI: '2.5.29.14',
  KU: '2.5.29.15',
  SAN: '2.5.29.17',
  BC: '2.5.29.19',
  NC: '2.5.29.30',
  AKI: '2.5.29.35',
  EKU: '2.5.29.37',
  AIA: '1.3.6.1.5.5.7.1.1',
} as const;

/**
 * Extensions BoringSSL (Envoy's verifier) processes — `X509_supported_extension`; OpenSSL's list is the same
 * plus CRL distribution points and a few rarities. Any other extension marked critical, even a familiar one
 * such as the key identifiers or authorityInfoAccess, fails verification ("unhandled critical extension").
 */
const KNOWN_EXTENSIONS = new Set([
  '2.16.840.1.113730.1.1', // netscape-cert-type
  '2.5.29.15', // keyUsage
  '2.5.29.17', // subjectAltName
  '2.5.29.19', // basicConstraints
  '2.5.29.32', // certificatePolicies
  '2.5.29.37', // extKeyUsage
  '2.5.29.36', // policyConstraints
  '2.5.29.30', // nameConstraints
  '2.5.29.33', // policyMappings
  '2.5.29.54', // inhibitAnyPolicy
]);

const KEY_OIDS: Record<string, PublicKeyFact['type']> = {
  '1.2.840.113549.1.1.1': 'rsa',
  '1.2.840.113549.1.1.10': 'rsa-pss',
  '1.2.840.10045.2.1': 'ec',
  '1.3.101.112': 'ed25519',
  '1.3.101.113': 'ed448',
  '1.2.840.10040.4.1': 'dsa',
};

const CURVE_OIDS: Record<string, { name: string; bits: number }> = {
  '1.2.840.10045.3.1.1': { name: 'prime192v1', bits: 192 },
  '1.3.132.0.33': { name: 'secp224r1', bits: 224 },
  '1.2.840.10045.3.1.7': { name: 'prime256v1', bits: 256 },
  '1.3.132.0.34': { name: 'secp384r1', bits: 384 },
  '1.3.132.0.35': { name: 'secp521r1', bits: 521 },
  '1.3.132.0.10': { name: 'secp256k1', bits: 256 },
};

const hex = (b: ArrayBuffer | Uint8Array) => Buffer.from(b instanceof Uint8Array ? b : new Uint8Array(b)).toString('hex');

/** Folds case and runs of space so that equal names written differently compare equal. */
export function normaliseName(name: string): string {
  return name.toLowerCase().replace(/\s+/g, ' ').replace(/\s*,\s*/g, ',').replace(/\s*=\s*/g, '=').trim();
}

interface Tbs {
  version: number;
  serial: string;
  serialInfo: ConformanceFact['serial'];
  innerSigOid: string;
  issuer: DerNode;
  subject: DerNode;
  notBefore: number;
  notAfter: number;
  spki: DerNode;
  extensions: DerNode | null;
  sigOid: string;
}

/** The certificate's skeleton; anything wrong here means it is not a certificate at all. */
function skeleton(der: Uint8Array): Tbs {
  const top = children(expect(parseOne(der, 'certificate'), TAG.SEQUENCE, 'certificate'));
  if (top.length !== 3) throw new DerError('certificate is not a SEQUENCE of three elements');
  const tbs = children(expect(top[0], TAG.SEQUENCE, 'tbsCertificate'));
  const sigAlg = children(expect(top[1], TAG.SEQUENCE, 'signatureAlgorithm'));
  expect(top[2], TAG.BIT_STRING, 'signatureValue');
  let i = 0;
  let version = 1;
  if (tbs[0]?.tag === 0xa0) {
    const v = children(tbs[0])[0];
    version = smallInteger(expect(v, TAG.INTEGER, 'version')) + 1;
    i++;
  }
  const serialInt = integerHex(expect(tbs[i++], TAG.INTEGER, 'serialNumber'));
  const serial = serialText(serialInt.hex);
  const serialInfo = { octets: serialInt.bytes - (serialInt.bytes > 1 && serialInt.hex.startsWith('00') ? 1 : 0), negative: serialInt.negative, zero: serialInt.zero };
  const innerSig = children(expect(tbs[i++], TAG.SEQUENCE, 'signature'));
  const issuer = expect(tbs[i++], TAG.SEQUENCE, 'issuer');
  const validity = children(expect(tbs[i++], TAG.SEQUENCE, 'validity'));
  const subject = expect(tbs[i++], TAG.SEQUENCE, 'subject');
  const spki = expect(tbs[i++], TAG.SEQUENCE, 'subjectPublicKeyInfo');
  let extensions: DerNode | null = null;
  for (; i < tbs.length; i++) {
    const n = tbs[i]!;
    if (n.tag === 0x81 || n.tag === 0x82) continue; // unique identifiers
    if (n.tag === 0xa3) {
      extensions = expect(children(n)[0], TAG.SEQUENCE, 'extensions');
      continue;
    }
    throw new DerError(`unexpected element 0x${n.tag.toString(16)} in tbsCertificate`);
  }
  if (validity.length !== 2) throw new DerError('validity is not two times');
  return {
    version,
    serial,
    serialInfo,
    innerSigOid: oid(expect(innerSig[0], TAG.OID, 'signature algorithm')),
    issuer,
    subject,
    notBefore: time(validity[0]!),
    notAfter: time(validity[1]!),
    spki,
    extensions,
    sigOid: oid(expect(sigAlg[0], TAG.OID, 'signature algorithm')),
  };
}

const EMPTY_NAME: ParsedName = { text: '', rdns: [], attrs: [] };

/**
 * Recently parsed certificates, by source and DER: judging a fleet builds an evidence bundle per class and per
 * connection direction, and each would otherwise parse (and load into OpenSSL) the same CA certificates again.
 * Bounded. Each call returns a new object (callers tell certificates apart by identity: a lab test caught a
 * shared one); the parsed fields and OpenSSL's handle are shared, so nothing may change them in place.
 */
const PARSED_MAX = 1024;
const parsedCache = new Map<string, ParsedCert>();

/** Parses one DER certificate into facts. Throws `E_INPUT` naming `source` when it is not a certificate. */
export function parseCertificate(der: Uint8Array, source: string): ParsedCert {
  const key = `${source}\u0000${Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64')}`;
  const hit = parsedCache.get(key);
  if (hit) return { fact: { ...hit.fact }, der: hit.der, node: hit.node };
  const parsed = parseUncached(der, source);
  if (parsedCache.size >= PARSED_MAX) parsedCache.delete(parsedCache.keys().next().value!);
  parsedCache.set(key, { ...parsed, fact: { ...parsed.fact } });
  return parsed;
}

function parseUncached(der: Uint8Array, source: string): ParsedCert {
  let tbs: Tbs;
  try {
    tbs = skeleton(der);
  } catch (e) {
    throw inputError(`Cannot parse ${source}: not a valid X.509 certificate (${shortReason(e)})`, e);
  }
  const warnings: string[] = [];
  const defects: CertDefect[] = [];
  const defect = (code: CertDefect['code'], where: string, detail: string) => defects.push({ code, where, detail });

  const name = (n: DerNode, what: string): ParsedName => {
    try {
      return parseName(n);
    } catch (e) {
      defect('malformed-name', what, `${what} cannot be decoded (${shortReason(e)})`);
      warnings.push(`${what} cannot be decoded (${shortReason(e)})`);
      return EMPTY_NAME;
    }
  };
  const subject = name(tbs.subject, 'subject');
  const issuer = name(tbs.issuer, 'issuer');
  if (tbs.innerSigOid !== tbs.sigOid) {
    defect('signature-algorithm-mismatch', 'signature', `the signed algorithm ${tbs.innerSigOid} differs from the outer ${tbs.sigOid}`);
  }

  let node: NodeX509 | undefined;
  try {
    node = new NodeX509(der);
  } catch (e) {
    warnings.push(`OpenSSL cannot load it (${shortReason(e)}): signatures not checked`);
  }
  const publicKey = describeKey(tbs.spki, defect);
  if (node) {
    try {
      void node.publicKey;
    } catch (e) {
      defect('bad-public-key', 'subjectPublicKeyInfo', `OpenSSL cannot decode the public key (${shortReason(e)})`);
      node = undefined;
    }
  }

  const extList: Array<{ oid: string; critical: boolean }> = [];
  let sans: San[] = [];
  let keyUsage: KeyUsageName[] | null = null;
  let eku: string[] | null = null;
  let basicConstraints: CertFact['basicConstraints'] = null;
  let ski: string | null = null;
  let aki: string | null = null;
  let nameConstraints: NameConstraintsFact | null = null;
  let akiFields: ConformanceFact['akiFields'] = null;
  let aiaProblem: string | null = null;
  if (tbs.extensions) {
    if (tbs.version < 3) defect('extensions-in-v1-v2', 'extensions', `a version ${tbs.version} certificate carries extensions`);
    let exts: DerNode[] = [];
    try {
      exts = children(tbs.extensions);
    } catch (e) {
      defect('malformed-extension', 'extensions', `the extension list cannot be decoded (${shortReason(e)})`);
    }
    const seen = new Set<string>();
    for (const ext of exts) {
      let id = '?';
      let critical = false;
      try {
        const parts = children(expect(ext, TAG.SEQUENCE, 'extension'));
        id = oid(expect(parts[0], TAG.OID, 'extnID'));
        let k = 1;
        if (parts[k]?.tag === TAG.BOOLEAN) critical = boolean(parts[k++]!);
        const octets = expect(parts[k], TAG.OCTET_STRING, 'extnValue');
        if (k + 1 !== parts.length) throw new DerError('extension has trailing elements');
        extList.push({ oid: id, critical });
        if (seen.has(id)) {
          defect('duplicate-extension', id, `extension ${id} appears more than once`);
          continue;
        }
        seen.add(id);
        const v = value(octets);
        switch (id) {
          case EXT.SAN: {
            const r = parseSans(v);
            sans = r.sans;
            for (const p of r.problems) defect(r.sans.length === 0 && p === 'empty' ? 'empty-san' : 'malformed-san', id, p === 'empty' ? 'subjectAltName is an empty sequence' : p);
            break;
          }
          case EXT.KU: {
            const bs = bitString(parseOne(v, 'keyUsage'));
            keyUsage = KEY_USAGE_BITS.filter((_, i) => i >> 3 < bs.bytes.length && (bs.bytes[i >> 3]! & (0x80 >> (i & 7))) !== 0);
            break;
          }
          case EXT.EKU:
            eku = children(expect(parseOne(v, 'extKeyUsage'), TAG.SEQUENCE, 'extKeyUsage')).map((n) => {
              const o = oid(expect(n, TAG.OID, 'KeyPurposeId'));
              return EKU_NAMES[o] ?? o;
            });
            break;
          case EXT.BC: {
            const kids = children(expect(parseOne(v, 'basicConstraints'), TAG.SEQUENCE, 'basicConstraints'));
            let j = 0;
            const ca = kids[j]?.tag === TAG.BOOLEAN ? boolean(kids[j++]!) : false;
            const pathLen = kids[j]?.tag === TAG.INTEGER ? smallInteger(kids[j++]!) : null;
            if (j !== kids.length) throw new DerError('basicConstraints has unexpected elements');
            basicConstraints = { ca, pathLen, critical };
            break;
          }
          case EXT.SKI:
            ski = hex(value(expect(parseOne(v, 'subjectKeyIdentifier'), TAG.OCTET_STRING, 'subjectKeyIdentifier')));
            break;
          case EXT.AKI: {
            const kids = children(expect(parseOne(v, 'authorityKeyIdentifier'), TAG.SEQUENCE, 'authorityKeyIdentifier'));
            const keyId = kids.find((n) => n.tag === 0x80);
            aki = keyId ? hex(value(keyId)) : null;
            akiFields = { keyId: !!keyId, issuer: kids.some((n) => n.tag === 0xa1), serial: kids.some((n) => n.tag === 0x82) };
            break;
          }
          case EXT.AIA:
            aiaProblem = checkAia(v);
            break;
          case EXT.NC: {
            const r = parseNameConstraints(v, critical);
            nameConstraints = r.fact;
            for (const p of r.problems) defect('malformed-name-constraints', id, p);
            break;
          }
          default:
            break;
        }
      } catch (e) {
        if (!extList.some((x) => x.oid === id)) extList.push({ oid: id, critical });
        const code = id === EXT.SAN ? 'malformed-san' : id === EXT.NC ? 'malformed-name-constraints' : 'malformed-extension';
        defect(code, id, `extension ${id} cannot be decoded (${shortReason(e)})`);
        warnings.push(`extension ${id} is malformed (${shortReason(e)})`);
      }
    }
  }

  const sig = SIGNATURE_OIDS[tbs.sigOid] ?? { name: tbs.sigOid, hash: null };
  const spkiDer = raw(tbs.spki);
  const spiffe = sans
    .filter((s) => s.type === 'uri' && isSpiffeUri(s.value))
    .map((s) => {
      const p = parseSpiffeId(s.value);
      return p.ok
        ? { uri: s.value, ok: true, trustDomain: p.id.trustDomain, ...(p.id.namespace ? { namespace: p.id.namespace, serviceAccount: p.id.serviceAccount } : {}) }
        : { uri: s.value, ok: false, problem: p.problem };
    });
  const subjectKey = subject.rdns.join(',');
  const issuerKey = issuer.rdns.join(',');
  const selfIssued = subjectKey === issuerKey;
  let selfSigned: boolean | null = null;
  if (selfIssued && node) selfSigned = verifySignature(node, node);

  const cn = subject.attrs.filter((a) => a.oid === OID_CN).map((a) => a.value);
  const fact: CertFact = {
    fingerprint: createHash('sha256').update(der).digest('hex'),
    source,
    name: cn[0] || subject.text || sans[0]?.value || `serial ${tbs.serial}`,
    subject: subject.text,
    issuer: issuer.text,
    subjectKey,
    issuerKey,
    serial: tbs.serial,
    version: tbs.version,
    notBefore: tbs.notBefore,
    notAfter: tbs.notAfter,
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
    spkiSha256: createHash('sha256').update(spkiDer).digest('hex'),
    signature: { oid: tbs.sigOid, ...sig },
    extensions: extList,
    unknownCriticalExtensions: [...new Set(extList.filter((e) => e.critical && !KNOWN_EXTENSIONS.has(e.oid)).map((e) => e.oid))],
    nameConstraints,
    parseWarnings: warnings,
    cn,
    subjectEmails: subject.attrs.filter((a) => a.oid === OID_EMAIL).map((a) => a.value),
    subjectRdns: subject.rdns,
    defects,
    conformance: { serial: tbs.serialInfo, akiFields, aiaProblem, subjectEmpty: subject.rdns.length === 0 && tbs.subject.end - tbs.subject.valueStart === 0 },
  };
  return { fact, der, node };
}

/**
 * authorityInfoAccess (RFC 5280 §4.2.2.1): a SEQUENCE SIZE (1..MAX) OF AccessDescription { accessMethod OID,
 * accessLocation GeneralName }. Returns what is wrong, or null. Only some verifiers parse it (see verifiers.ts).
 */
function checkAia(v: Uint8Array): string | null {
  try {
    const list = children(expect(parseOne(v, 'authorityInfoAccess'), TAG.SEQUENCE, 'authorityInfoAccess'));
    if (list.length === 0) return 'authorityInfoAccess is an empty sequence';
    for (const d of list) {
      const parts = children(expect(d, TAG.SEQUENCE, 'AccessDescription'));
      if (parts.length !== 2) return 'an AccessDescription is not an accessMethod and an accessLocation';
      oid(expect(parts[0], TAG.OID, 'accessMethod'));
      if ((parts[1]!.tag & 0xc0) !== 0x80) return 'an accessLocation is not a GeneralName';
    }
    return null;
  } catch (e) {
    return `authorityInfoAccess cannot be decoded (${shortReason(e)})`;
  }
}

/**
 * Simulated certificates (the rotation drill, ./issue.ts `simulateLeaf`): leaves made without their CA's key,
 * whose signature `verifySignature` assumes valid when the issuer's names and key ids match.
 */
const assumed = new Set<string>();

/** Registers a simulated certificate by its SHA-256 fingerprint (lowercase hex). */
export function assumeSignature(fingerprint: string): void {
  assumed.add(fingerprint);
}

/** Forgets the simulated certificates one drill registered (it is over), leaving any other drill's in place. */
export function forgetSimulated(fingerprints: Iterable<string>): void {
  for (const f of fingerprints) assumed.delete(f);
}

/** node:crypto builds a new KeyObject on every `publicKey` read: path search asks for the same issuers' keys often. */
const issuerKeys = new WeakMap<NodeX509, KeyObject>();

/** Signature checks already made, child → issuer → result (the same certificates meet again and again in a fleet). */
const verified = new WeakMap<NodeX509, WeakMap<NodeX509, boolean | null>>();

/** True when `issuer`'s key verifies `child`'s signature; null when it cannot be checked. */
export function verifySignature(child: NodeX509, issuer: NodeX509): boolean | null {
  let byIssuer = verified.get(child);
  if (!byIssuer) verified.set(child, (byIssuer = new WeakMap()));
  const known = byIssuer.get(issuer);
  if (known !== undefined) return known;
  let result: boolean | null;
  try {
    // A simulated leaf (the rotation drill) has no real signature: assumed valid when the issuer's names and key
    // ids match (OpenSSL's X509_check_issued), never when they do not.
    if (assumed.size && assumed.has(child.fingerprint256.replace(/:/g, '').toLowerCase())) result = child.checkIssued(issuer);
    else {
      let key = issuerKeys.get(issuer);
      if (!key) issuerKeys.set(issuer, (key = issuer.publicKey));
      result = child.verify(key);
    }
  } catch {
    result = null;
  }
  byIssuer.set(issuer, result);
  return result;
}

/** The key type and size from the SubjectPublicKeyInfo itself (no OpenSSL needed; explicit curves named). */
function describeKey(spki: DerNode, defect: (code: CertDefect['code'], where: string, detail: string) => void): PublicKeyFact {
  try {
    const [alg, bits] = children(spki);
    const algParts = children(expect(alg, TAG.SEQUENCE, 'algorithm'));
    const keyOid = oid(expect(algParts[0], TAG.OID, 'key algorithm'));
    const type = KEY_OIDS[keyOid] ?? 'unknown';
    const key = bitString(expect(bits, TAG.BIT_STRING, 'subjectPublicKey')).bytes;
    if (type === 'ec') {
      const p = algParts[1];
      if (p?.tag === TAG.OID) {
        const c = CURVE_OIDS[oid(p)];
        return { type, bits: c?.bits ?? null, curve: c?.name ?? oid(p) };
      }
      return { type, bits: (key.length - 1) * 4 || null, curve: 'explicit' };
    }
    if (type === 'ed25519') return { type, bits: 256, curve: null };
    if (type === 'ed448') return { type, bits: 456, curve: null };
    if (type === 'rsa' || type === 'rsa-pss') {
      const [mod] = children(expect(readNode(key), TAG.SEQUENCE, 'RSAPublicKey'));
      const m = value(expect(mod, TAG.INTEGER, 'modulus'));
      let i = 0;
      while (i < m.length - 1 && m[i] === 0) i++;
      const lead = m[i]!;
      return { type, bits: (m.length - i - 1) * 8 + (lead === 0 ? 0 : 32 - Math.clz32(lead)), curve: null };
    }
    if (type === 'dsa') {
      const params = algParts[1] ? children(algParts[1]) : [];
      const p = params[0] ? value(params[0]) : null;
      return { type, bits: p ? (p[0] === 0 ? p.length - 1 : p.length) * 8 : null, curve: null };
    }
    return { type, bits: null, curve: null };
  } catch (e) {
    defect('bad-public-key', 'subjectPublicKeyInfo', `the public key cannot be decoded (${shortReason(e)})`);
    return { type: 'unknown', bits: null, curve: null };
  }
}

function parseSans(v: Uint8Array): { sans: San[]; problems: string[] } {
  const seq = expect(parseOne(v, 'subjectAltName'), TAG.SEQUENCE, 'subjectAltName');
  const items = children(seq);
  if (items.length === 0) return { sans: [], problems: ['empty'] };
  const sans: San[] = [];
  const problems: string[] = [];
  for (const n of items) {
    try {
      const r = parseGeneralName(n, false);
      sans.push(r.san);
      if (r.problem) problems.push(r.problem);
    } catch (e) {
      problems.push(`a subjectAltName entry cannot be decoded (${shortReason(e)})`);
    }
  }
  return { sans, problems };
}

function parseNameConstraints(v: Uint8Array, critical: boolean): { fact: NameConstraintsFact; problems: string[] } {
  const kids = children(expect(parseOne(v, 'nameConstraints'), TAG.SEQUENCE, 'nameConstraints'));
  const permitted: San[] = [];
  const excluded: San[] = [];
  const problems: string[] = [];
  let sawPermitted = false;
  let sawExcluded = false;
  for (const k of kids) {
    if (k.tag !== 0xa0 && k.tag !== 0xa1) throw new DerError(`unexpected element 0x${k.tag.toString(16)} in nameConstraints`);
    const into = k.tag === 0xa0 ? permitted : excluded;
    if (k.tag === 0xa0) sawPermitted = true;
    else sawExcluded = true;
    const subtrees = children(k);
    if (subtrees.length === 0) problems.push(`${k.tag === 0xa0 ? 'permittedSubtrees' : 'excludedSubtrees'} is empty`);
    for (const st of subtrees) {
      const parts = children(expect(st, TAG.SEQUENCE, 'GeneralSubtree'));
      if (!parts[0]) throw new DerError('GeneralSubtree without a base');
      const r = parseGeneralName(parts[0], true);
      into.push(r.san);
      if (r.problem) problems.push(r.problem);
      // RFC 5280 §4.2.1.10: minimum MUST be zero and maximum MUST be absent.
      for (const extra of parts.slice(1)) {
        if (extra.tag === 0x80 && value(extra).some((b) => b !== 0)) problems.push('a subtree has a non-zero minimum');
        if (extra.tag === 0x81) problems.push('a subtree has a maximum');
      }
    }
  }
  if (!sawPermitted && !sawExcluded) problems.push('nameConstraints has neither permitted nor excluded subtrees');
  return { fact: { critical, permitted, excluded }, problems };
}

export function shortReason(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n')[0]!.slice(0, 160);
}

export { hex as toHex };
