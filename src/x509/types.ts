import type { Source } from '../model/source.js';

/** Plain, JSON-serialisable facts about one certificate. Rules see these, never a library object. */
export interface CertFact {
  /** SHA-256 fingerprint of the DER, lowercase hex: the certificate's identity everywhere. */
  fingerprint: string;
  /** Where it came from, for evidence: e.g. `chain.pem #2` (rendered from `origin`). */
  source: string;
  /** Where it came from, as data (the file and position, the Envoy secret, the peer): commands are built from it. */
  origin?: Source;
  /** A short human name: the CN, else the subject, else the first SAN. */
  name: string;
  subject: string;
  issuer: string;
  /** Normalised subject / issuer for matching (RFC 5280 §7.1 style: case and space folded). */
  subjectKey: string;
  issuerKey: string;
  serial: string;
  version: number;
  notBefore: number;
  notAfter: number;
  selfIssued: boolean;
  /** The certificate's own key verifies its signature (null: could not be checked). */
  selfSigned: boolean | null;
  sans: San[];
  /** URI SANs with the spiffe scheme, parsed. */
  spiffe: Array<{ uri: string; ok: boolean; trustDomain?: string; namespace?: string; serviceAccount?: string; problem?: string }>;
  /** Key usage bits by name; null when the extension is absent. */
  keyUsage: KeyUsageName[] | null;
  /** Extended key usage by name (`serverAuth`, `clientAuth`, `any`, or the OID); null when absent. */
  eku: string[] | null;
  basicConstraints: { ca: boolean; pathLen: number | null; critical: boolean } | null;
  ski: string | null;
  aki: string | null;
  publicKey: PublicKeyFact;
  spkiSha256: string;
  signature: { oid: string; name: string; hash: string | null };
  extensions: Array<{ oid: string; critical: boolean }>;
  /** Critical extensions this tool (and common verifiers) do not process. */
  unknownCriticalExtensions: string[];
  nameConstraints: NameConstraintsFact | null;
  /** Problems met while parsing individual fields (the certificate itself parsed). */
  parseWarnings: string[];
  /** Subject common names (usually one). */
  cn: string[];
  /** emailAddress attributes of the subject (RFC 5280 §4.2.1.10 puts them under rfc822Name constraints). */
  subjectEmails: string[];
  /** The subject as normalised RDNs in encoded order, for directoryName constraints. */
  subjectRdns: string[];
  /** Encoding faults that strict verifiers reject (a malformed or duplicate extension, a bad SAN, …). */
  defects: CertDefect[];
  /** Profile details that only some verifiers judge (RFC 5280 / CA/B Forum conformance): see src/x509/verifiers.ts. */
  conformance: ConformanceFact;
}

/** What verifier profiles disagree about, read from the certificate as encoded. */
export interface ConformanceFact {
  /** The serialNumber INTEGER: content octets (a leading 0x00 sign pad not counted), sign, zero. */
  serial: { octets: number; negative: boolean; zero: boolean };
  /** Which fields the authorityKeyIdentifier carries; null when the extension is absent or unreadable. */
  akiFields: { keyId: boolean; issuer: boolean; serial: boolean } | null;
  /** Why authorityInfoAccess does not decode as a non-empty SEQUENCE of AccessDescription; null when fine or absent. */
  aiaProblem: string | null;
  /** The subject is an empty SEQUENCE. */
  subjectEmpty: boolean;
}

/** An encoding fault in a certificate, by kind: what it is and where. */
export interface CertDefect {
  code:
    | 'malformed-extension'
    | 'duplicate-extension'
    | 'malformed-san'
    | 'empty-san'
    | 'malformed-name'
    | 'malformed-name-constraints'
    | 'bad-public-key'
    | 'signature-algorithm-mismatch'
    | 'extensions-in-v1-v2';
  /** Extension OID or field the defect is in. */
  where: string;
  detail: string;
}

export type San = {
  type: 'dns' | 'uri' | 'ip' | 'email' | 'dn' | 'other';
  /** The name; an IP address in canonical text (IPv6 per RFC 5952); an IP name constraint as CIDR. */
  value: string;
  /** directoryName only: the name as normalised RDNs, in encoded order. */
  rdns?: string[];
};

export type KeyUsageName =
  | 'digitalSignature'
  | 'nonRepudiation'
  | 'keyEncipherment'
  | 'dataEncipherment'
  | 'keyAgreement'
  | 'keyCertSign'
  | 'cRLSign'
  | 'encipherOnly'
  | 'decipherOnly';

export interface PublicKeyFact {
  type: 'rsa' | 'rsa-pss' | 'ec' | 'ed25519' | 'ed448' | 'dsa' | 'unknown';
  bits: number | null;
  /** Named curve (`prime256v1`, `secp384r1`, …), `explicit` for explicit parameters; null when not EC. */
  curve: string | null;
}

export interface NameConstraintsFact {
  critical: boolean;
  permitted: San[];
  excluded: San[];
}
