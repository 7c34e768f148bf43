/**
 * The checks on which the verifier profiles (src/x509/verifiers.ts: Envoy/BoringSSL, ztunnel/rustls-webpki, Go
 * crypto/x509, strict) disagree, and which rule reports each. They agree on the core of RFC 5280 path validation
 * and differ at the edges listed in CHECKS; a check with `reportedBy` is reported by that (typed) rule, every other
 * one by chain/verifier-rejects, which lists all of a chain's in one finding (verifierNotes below).
 *
 * Every check names, per verifier, the place in that verifier's own source that decides it. Read from:
 * - google/boringssl @ a0689af29e8e (2026-08-21), crypto/x509/
 * - rustls/webpki @ 1bff41a41a01 (2026-08-07), src/ and third-party/x509-limbo/exceptions.json (its own list of
 *   limbo cases where it knowingly differs)
 * - golang/go src/crypto/x509/ (parser.go, verify.go) and x509limbo_test.go @ 71b7a760b53b (Go's own list of
 *   limbo cases where it knowingly differs, with the reason)
 * Pure: facts in, violations out; no I/O.
 */
import type { ChainFact } from '../../src/x509/chain.js';
import { anchorOf } from '../../src/x509/chain.js';
import type { CrlFact } from '../../src/x509/crl.js';
import type { CertFact } from '../../src/x509/types.js';
import type { Source } from '../../src/model/source.js';
import type { RuleId } from '../../src/model/rule-id.js';
import { VERIFIER_IDS, VERIFIERS, type VerifierId } from '../../src/x509/verifiers.js';

/** One certificate (or CRL) a check objects to. */
export interface ProfileViolation {
  /** Fingerprint of the certificate (or CRL) at fault. */
  about: string;
  source: string;
  /** The certificate's (or CRL's) short name. */
  name: string;
  /** What exactly is wrong with it. */
  detail: string;
  /** A CRL's typed origin (certificates are found in facts by fingerprint). */
  origin?: Source;
}

/** Every check's id: a check named by a rule is a compile-time name, not a string looked up at run time. */
export const CHECK_IDS = [
  'aki-missing',
  'ski-missing',
  'basic-constraints-not-critical',
  'anchor-not-ca',
  'name-constraints-not-critical',
  'name-constraints-in-leaf',
  'name-constraints-dns-leading-period',
  'name-constraints-malformed-dns-name',
  'policy-constraints-not-critical',
  'san-criticality',
  'dns-san-syntax',
  'serial-negative',
  'serial-zero',
  'serial-too-long',
  'ca-empty-subject',
  'root-aki-profile',
  'cn-not-in-san',
  'eku-profile',
  'eku-missing',
  'rsa-modulus-size',
  'aia-malformed',
  'leaf-is-ca',
  'sha1-signature',
  'rsa-key-under-2048',
  'anchor-unknown-critical-extension',
  'anchor-key-usage',
  'crl-number-missing',
] as const;
export type CheckId = (typeof CHECK_IDS)[number];

export interface ProfileCheck {
  id: CheckId;
  title: string;
  /** The normative text the strict profile enforces. */
  spec: string;
  /**
   * The verifiers that reject a chain with this property. Empty: a CA/B Forum issuance rule that RFC 5280 path
   * validation (and so every verifier, strict included) accepts; reported as a note.
   */
  rejectedBy: readonly VerifierId[];
  /** Per verifier, the place in its own source that rejects it or lets it through (repository, file, function). */
  source: Record<VerifierId, string>;
  /** The rule that reports this check itself (grading it with gradeFor); chain/verifier-rejects then skips it. */
  reportedBy?: RuleId;
  find(chain: ChainFact, crls: readonly CrlFact[]): ProfileViolation[];
}

const v = (c: CertFact, detail: string): ProfileViolation => ({ about: c.fingerprint, source: c.source, name: c.name, detail });
/** Certificates above the leaf: the issuers, the trust anchor included. */
const issuers = (chain: ChainFact) => chain.path.slice(1);
const isCa = (c: CertFact) => c.basicConstraints?.ca === true;
const ext = (c: CertFact, oid: string) => c.extensions.find((e) => e.oid === oid);
/** The path without its trust anchor: what the verifier checks as certificates rather than takes as trusted. */
const belowAnchor = (chain: ChainFact): CertFact[] => (anchorOf(chain) ? chain.path.slice(0, -1) : chain.path);
const root = (chain: ChainFact): CertFact | null => {
  const top = chain.path[chain.path.length - 1]!;
  return chain.path.length > 1 && top.selfIssued ? top : null;
};

const BSSL = 'google/boringssl';
const WEBPKI = 'rustls/webpki';
const GO = 'golang/go';
const GO_LIMBO = `${GO} src/crypto/x509/x509limbo_test.go allowedUnexpectedVerifications`;
const WEBPKI_LIMBO = `${WEBPKI} third-party/x509-limbo/exceptions.json`;
const BSSL_EXTS = `${BSSL} crypto/x509/v3_purp.cc x509v3_cache_extensions() (reads basicConstraints, keyUsage, EKU, SKI, AKI, SAN, nameConstraints; no presence or criticality rule)`;

/**
 * BoringSSL's DNS name-constraint match (crypto/x509/v3_ncons.cc nc_dns), for the permitted direction: an empty
 * constraint matches all; trailing dots dropped; a leading-period constraint is a suffix; otherwise equal, or the
 * name ends with "." + constraint. No syntax check on the name.
 */
export function boringsslDnsWithin(name: string, constraint: string): boolean {
  const n = (name.endsWith('.') ? name.slice(0, -1) : name).toLowerCase();
  const c = (constraint.endsWith('.') ? constraint.slice(0, -1) : constraint).toLowerCase();
  if (c === '') return true;
  if (c.startsWith('.')) return n.endsWith(c);
  return n === c || (n.length > c.length && n.endsWith(c) && n[n.length - c.length - 1] === '.');
}

/** RFC 1034 §3.5 preferred name syntax (RFC 5280 §4.2.1.6), allowing a leading `*.` wildcard label. */
const LDH_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/i;
function preferredDnsSyntax(name: string): boolean {
  const labels = (name.startsWith('*.') ? name.slice(2) : name).split('.');
  return labels.length > 0 && labels.every((l) => LDH_LABEL.test(l));
}

/**
 * The checks on which the profiles differ. Everything else (signatures, validity, CA flags on intermediates,
 * path length, name constraints, EKU on the leaf, …) all four enforce alike, through the ordinary rules.
 */
export const CHECKS: readonly ProfileCheck[] = [
  {
    id: 'aki-missing',
    title: 'Certificate without an authority key identifier',
    spec: 'RFC 5280 §4.2.1.1: the keyIdentifier field of the authorityKeyIdentifier extension MUST be included in all certificates generated by conforming CAs',
    rejectedBy: ['strict'],
    source: {
      envoy: `${BSSL_EXTS}; x509_vfy.cc check_chain_extensions() has no AKI rule`,
      ztunnel: `${WEBPKI} src/cert.rs remember_cert_extension() does not read AKI; ${WEBPKI_LIMBO} rfc5280::aki::*-missing-aki`,
      go: `${GO_LIMBO}: "Go only uses AKI for ordering hint" (cert_pool.go findPotentialParents)`,
      strict: 'OpenSSL crypto/x509/v3_purp.c check_purpose / X509_V_FLAG_X509_STRICT (X509_V_ERR_MISSING_AUTHORITY_KEY_IDENTIFIER)',
    },
    find: (chain) => chain.path.filter((c) => !c.selfIssued && c.aki === null && c.version >= 3).map((c) => v(c, 'has no authorityKeyIdentifier keyIdentifier')),
  },
  {
    id: 'ski-missing',
    title: 'CA certificate without a subject key identifier',
    spec: 'RFC 5280 §4.2.1.2: this extension MUST appear in all conforming CA certificates',
    rejectedBy: ['strict'],
    source: {
      envoy: BSSL_EXTS,
      ztunnel: `${WEBPKI} src/cert.rs remember_cert_extension() does not read SKI; ${WEBPKI_LIMBO} rfc5280::ski::*-missing-ski`,
      go: `${GO_LIMBO}: "would break various trusted Verisign roots"`,
      strict: 'OpenSSL X509_V_FLAG_X509_STRICT (X509_V_ERR_MISSING_SUBJECT_KEY_IDENTIFIER)',
    },
    find: (chain) => issuers(chain).filter((c) => isCa(c) && c.ski === null).map((c) => v(c, 'is a CA without a subjectKeyIdentifier')),
  },
  {
    id: 'basic-constraints-not-critical',
    title: 'CA basicConstraints not marked critical',
    spec: 'RFC 5280 §4.2.1.9: conforming CAs MUST include this extension in all CA certificates … and MUST mark the extension as critical',
    rejectedBy: ['strict'],
    source: {
      envoy: `${BSSL} crypto/x509/v3_purp.cc X509_check_ca() reads EXFLAG_BCONS/EXFLAG_CA only`,
      ztunnel: `${WEBPKI} src/verify_cert.rs check_basic_constraints() ignores criticality; ${WEBPKI_LIMBO} rfc5280::root-non-critical-basic-constraints`,
      go: `${GO_LIMBO}: "Go only considers BC on intermediates" (verify.go isValid)`,
      strict: 'OpenSSL X509_V_FLAG_X509_STRICT (X509_V_ERR_CA_BCONS_NOT_CRITICAL); pyca cryptography-x509-verification ca_extension_policy',
    },
    find: (chain) => issuers(chain).filter((c) => isCa(c) && c.basicConstraints && !c.basicConstraints.critical).map((c) => v(c, 'has basicConstraints cA=TRUE marked non-critical')),
  },
  {
    id: 'anchor-not-ca',
    title: 'Trust anchor that is not a CA certificate',
    spec: 'RFC 5280 §4.2.1.9: conforming CAs MUST include basicConstraints in all CA certificates that contain public keys used to validate digital signatures on certificates',
    rejectedBy: ['strict'],
    source: {
      envoy: `${BSSL} crypto/x509/x509_vfy.cc check_chain_extensions() checks X509_check_ca() only for i < ctx->last_untrusted: the trust anchor is exempt`,
      ztunnel: `${WEBPKI} src/trust_anchor.rs anchor_from_trusted_cert(): "No additional checks … whether it … has a basic constraints extension"`,
      go: `${GO_LIMBO}: "Trust anchors are implicitly considered issuers regardless of basic constraints extension"`,
      strict: 'OpenSSL crypto/x509/x509_vfy.c check_chain_extensions() over the whole chain (X509_V_ERR_INVALID_CA); pyca ca_extension_policy (basicConstraints required)',
    },
    find: (chain) => {
      const top = anchorOf(chain);
      return top && top.version >= 3 && !isCa(top) ? [v(top, top.basicConstraints ? 'is a trust anchor with basicConstraints cA=FALSE' : 'is a trust anchor without basicConstraints')] : [];
    },
  },
  {
    id: 'name-constraints-not-critical',
    title: 'nameConstraints not marked critical',
    spec: 'RFC 5280 §4.2.1.10: conforming CAs MUST mark this extension as critical',
    rejectedBy: ['strict'],
    reportedBy: 'chain/invalid-name-constraints',
    source: {
      envoy: `${BSSL} crypto/x509/x509_vfy.cc check_name_constraints() applies x->nc whatever its criticality`,
      ztunnel: `${WEBPKI} src/verify_cert.rs check_signed_chain_name_constraints() ignores criticality; ${WEBPKI_LIMBO} rfc5280::nc::permitted-dns-match-noncritical`,
      go: `${GO_LIMBO}: "Go doesn't require this extension to be critical"`,
      strict: 'pyca cryptography-x509-verification ca_extension_policy (nameConstraints critical)',
    },
    find: (chain) => issuers(chain).filter((c) => c.nameConstraints && !c.nameConstraints.critical).map((c) => v(c, 'has nameConstraints marked non-critical')),
  },
  {
    id: 'name-constraints-in-leaf',
    title: 'nameConstraints in an end-entity certificate',
    spec: 'RFC 5280 §4.2.1.10: the name constraints extension … MUST be used only in a CA certificate',
    rejectedBy: ['strict'],
    reportedBy: 'chain/invalid-name-constraints',
    source: {
      envoy: `${BSSL} crypto/x509/x509_vfy.cc check_name_constraints() applies only the constraints of certificates above the one checked (j > i): a leaf's are never read`,
      ztunnel: `${WEBPKI_LIMBO} rfc5280::nc::not-allowed-in-ee-*: "webpki does not reject NameConstraints extension in EE certificates"`,
      go: `${GO_LIMBO} rfc5280::nc::not-allowed-in-ee-*: "TODO(#79742)"`,
      strict: 'pyca cryptography-x509-verification ee_extension_policy (nameConstraints not permitted)',
    },
    find: (chain) => (chain.leaf.nameConstraints && !isCa(chain.leaf) ? [v(chain.leaf, `has a nameConstraints extension (${chain.leaf.nameConstraints.critical ? 'critical' : 'non-critical'}) though it is not a CA`)] : []),
  },
  {
    id: 'name-constraints-dns-leading-period',
    title: 'DNS name constraint with a leading period',
    spec: 'RFC 5280 §4.2.1.10: a dNSName constraint is a host name (the leading-period form is for URI constraints only)',
    rejectedBy: ['strict'],
    reportedBy: 'chain/invalid-name-constraints',
    source: {
      envoy: `${BSSL} crypto/x509/v3_ncons.cc nc_dns(): "If base_cbs begins with a '.', do a simple suffix comparison" (OpenSSL's original behaviour)`,
      ztunnel: `${WEBPKI_LIMBO} rfc5280::nc::invalid-dnsname-leading-period: "webpki accepts leading period in DNS name constraints"`,
      go: `${GO_LIMBO} rfc5280::nc::invalid-dnsname-leading-period: "Certificate.Verify documents that we allow a leading period for DNS name constraints"`,
      strict: 'pyca cryptography-x509-verification ("malformed DNS name constraint")',
    },
    find: (chain) =>
      issuers(chain).flatMap((c) =>
        [...(c.nameConstraints?.permitted ?? []), ...(c.nameConstraints?.excluded ?? [])].filter((n) => n.type === 'dns' && n.value.startsWith('.')).map((n) => v(c, `has the DNS name constraint "${n.value}", with a leading period`)),
      ),
  },
  {
    id: 'name-constraints-malformed-dns-name',
    title: 'Malformed DNS name under a DNS name constraint',
    spec: 'RFC 5280 §4.2.1.10 / §6.1.3: every name must lie within the permitted subtrees; a name that is not a host name (e.g. ".example.com") cannot be shown to',
    rejectedBy: ['ztunnel', 'go', 'strict'],
    reportedBy: 'chain/name-constraints-violated',
    source: {
      envoy: `${BSSL} crypto/x509/v3_ncons.cc nc_dns(): compares the name's last labels with the constraint, with no syntax check, so ".example.com" is within "example.com"`,
      ztunnel: `${WEBPKI} src/subject_name/dns_name.rs: the SAN must be a valid DNS name to be compared (rfc5280::nc::nc-permits-invalid-dns-san is not among its limbo exceptions)`,
      go: `${GO} src/crypto/x509/constraints.go: the SAN must parse as a domain (rfc5280::nc::nc-permits-invalid-dns-san is not among x509limbo_test.go's allowed divergences)`,
      strict: 'pyca cryptography-x509-verification ("unsatisfiable DNS name constraint: malformed SAN")',
    },
    find: (chain) =>
      chain.nameConstraintViolations
        .filter((x) => x.kind === 'malformed-name' && x.name.type === 'dns' && x.constraints.some((c) => boringsslDnsWithin(x.name.value, c.value)))
        .map((x) => v(x.cert, `carries the DNS name "${x.name.value}", not a host name, under ${x.ca.name}'s permitted ${x.constraints.map((c) => `"${c.value}"`).join(', ')}`)),
  },
  {
    id: 'policy-constraints-not-critical',
    title: 'policyConstraints not marked critical',
    spec: 'RFC 5280 §4.2.1.11: conforming CAs MUST mark this extension as critical',
    rejectedBy: ['strict'],
    source: {
      envoy: `${BSSL} crypto/x509/policy.cc X509_policy_check() reads policyConstraints whatever its criticality`,
      ztunnel: `${WEBPKI} src/cert.rs remember_cert_extension(): "We don't do anything with certificate policies"; ${WEBPKI_LIMBO} rfc5280::pc::ica-noncritical-pc`,
      go: `${GO_LIMBO}: "Go doesn't require this extension to be critical"`,
      strict: 'pyca cryptography-x509-verification ca_extension_policy (policyConstraints critical)',
    },
    find: (chain) => issuers(chain).filter((c) => ext(c, '2.5.29.36')?.critical === false).map((c) => v(c, 'has policyConstraints marked non-critical')),
  },
  {
    id: 'san-criticality',
    title: 'subjectAltName criticality does not match the subject',
    spec: 'RFC 5280 §4.2.1.6: if the subject field contains an empty sequence, the subjectAltName extension MUST be critical; CA/B Forum BR 7.1.2.7.12: otherwise it MUST NOT be critical',
    rejectedBy: ['strict'],
    source: {
      envoy: BSSL_EXTS,
      ztunnel: `${WEBPKI_LIMBO} rfc5280::san::noncritical-with-empty-subject, webpki::san::san-critical-with-nonempty-subject`,
      go: `${GO_LIMBO} (both cases): "TODO(#79741)"`,
      strict: 'OpenSSL X509_V_FLAG_X509_STRICT (X509_V_ERR_EMPTY_SUBJECT_SAN_NOT_CRITICAL); pyca ee_extension_policy (SAN criticality)',
    },
    find: (chain) => {
      const leaf = chain.leaf;
      const san = ext(leaf, '2.5.29.17');
      if (!san) return [];
      if (leaf.conformance.subjectEmpty && !san.critical) return [v(leaf, 'has an empty subject and a non-critical subjectAltName')];
      if (!leaf.conformance.subjectEmpty && san.critical) return [v(leaf, 'has a subject and a critical subjectAltName')];
      return [];
    },
  },
  {
    id: 'dns-san-syntax',
    title: 'DNS name outside the preferred name syntax',
    spec: 'RFC 5280 §4.2.1.6: the name MUST be in the "preferred name syntax", as specified by Section 3.5 of RFC 1034 (letters, digits, hyphens)',
    rejectedBy: ['strict'],
    source: {
      envoy: `${BSSL} crypto/x509/v3_utl.cc x509v3_looks_like_dns_name() and equal_nocase() accept '_' (Envoy matches SANs in source/common/tls/utility.cc dnsNameMatch)`,
      ztunnel: `${WEBPKI_LIMBO} rfc5280::san::underscore-dns: "webpki accepts underscores in DNS names"`,
      go: `${GO_LIMBO} rfc5280::san::underscore-dns: underscores allowed after tightening "caused issues with real world certificates" (verify.go validHostname)`,
      strict: 'pyca cryptography-x509-verification DNSName::new (rejects the name: "invalid domain name")',
    },
    find: (chain) =>
      chain.leaf.sans
        .filter((s) => s.type === 'dns' && !preferredDnsSyntax(s.value))
        .map((s) => v(chain.leaf, `has the DNS name "${s.value}", which is not in the preferred name syntax`)),
  },
  {
    id: 'serial-negative',
    title: 'Negative serial number',
    spec: 'RFC 5280 §4.1.2.2: the serial number MUST be a positive integer',
    rejectedBy: ['go', 'strict'],
    source: {
      envoy: `${BSSL} crypto/x509/x_x509.cc X509_parse_with_algorithms() reads the serial with asn1_parse_integer(): any sign`,
      ztunnel: `${WEBPKI} src/cert.rs lenient_certificate_serial_number(): "we don't enforce these constraints"`,
      go: `${GO} src/crypto/x509/parser.go parseCertificate(): "x509: negative serial number" (since Go 1.23; GODEBUG x509negativeserial=1 restores the old behaviour)`,
      strict: 'pyca cryptography-x509-verification ("certificate serial number cannot be negative")',
    },
    find: (chain) => chain.path.filter((c) => c.conformance.serial.negative).map((c) => v(c, 'has a negative serial number')),
  },
  {
    id: 'serial-zero',
    title: 'Serial number zero',
    spec: 'RFC 5280 §4.1.2.2: the serial number MUST be a positive integer',
    rejectedBy: ['strict'],
    source: {
      envoy: `${BSSL} crypto/x509/x_x509.cc X509_parse_with_algorithms() reads the serial with asn1_parse_integer(): zero included`,
      ztunnel: `${WEBPKI} src/cert.rs lenient_certificate_serial_number(): "we don't enforce these constraints"`,
      go: `${GO_LIMBO} rfc5280::serial::zero: "RFC 5280 says certificate users SHOULD gracefully handle zero"`,
      strict: 'pyca cryptography-x509-verification ("certificate must have a serial between 1 and 20 octets")',
    },
    // Not the trust anchor: widely trusted roots have serial zero (Go's limbo notes; limbo's online::fastly.com).
    find: (chain) => belowAnchor(chain).filter((c) => c.conformance.serial.zero).map((c) => v(c, 'has serial number zero')),
  },
  {
    id: 'serial-too-long',
    title: 'Serial number longer than 20 octets',
    spec: 'RFC 5280 §4.1.2.2: conforming CAs MUST NOT use serialNumber values longer than 20 octets',
    rejectedBy: ['strict'],
    source: {
      envoy: `${BSSL} crypto/x509/x_x509.cc X509_parse_with_algorithms(): asn1_parse_integer() has no length limit`,
      ztunnel: `${WEBPKI} src/cert.rs lenient_certificate_serial_number(): "we don't enforce these constraints"`,
      go: `${GO_LIMBO} rfc5280::serial::too-long: "Causes significant breakage of real-world private PKIs"`,
      strict: 'pyca cryptography-x509-verification ("certificate must have a serial between 1 and 20 octets")',
    },
    find: (chain) => belowAnchor(chain).filter((c) => c.conformance.serial.octets > 20).map((c) => v(c, `has a ${c.conformance.serial.octets}-octet serial number`)),
  },
  {
    id: 'ca-empty-subject',
    title: 'CA certificate with an empty subject',
    spec: 'RFC 5280 §4.1.2.6: if the subject is a CA … the subject field MUST be populated with a non-empty distinguished name',
    rejectedBy: ['strict'],
    source: {
      envoy: `${BSSL} crypto/x509/x509_vfy.cc find_issuer() and x509_check_issued_with_callback() (X509_check_issued) match issuer and subject names, an empty one included`,
      ztunnel: `${WEBPKI_LIMBO} rfc5280::ca-empty-subject: "webpki does not enforce RFC 5280 requirement that CA subjects be non-empty"`,
      go: `${GO_LIMBO} rfc5280::ca-empty-subject: "TODO(#79744)"`,
      strict: 'pyca cryptography-x509-verification ("certificate must have a non-empty Issuer"); OpenSSL X509_V_FLAG_X509_STRICT',
    },
    find: (chain) => issuers(chain).filter((c) => isCa(c) && c.conformance.subjectEmpty).map((c) => v(c, 'is a CA with an empty subject')),
  },
  {
    id: 'root-aki-profile',
    title: 'Root authorityKeyIdentifier outside the CA/B Forum profile',
    spec: 'CA/B Forum BR 7.1.2.1.3: in a root, keyIdentifier MUST be present and identical to the subjectKeyIdentifier; authorityCertIssuer and authorityCertSerialNumber MUST NOT be present',
    rejectedBy: ['strict'],
    source: {
      envoy: `${BSSL} crypto/x509/v3_purp.cc X509_check_akid() only compares AKI fields that are present, to pick an issuer`,
      ztunnel: `${WEBPKI_LIMBO} webpki::aki::root-with-aki-*: "webpki does not enforce CABF …"`,
      go: `${GO_LIMBO} webpki::aki::root-with-aki-*: "Go does not enforce CABF …"`,
      strict: 'pyca cryptography-x509-verification ("authorityKeyIdentifier must contain keyIdentifier"); CA/B Forum BR 7.1.2.1.3',
    },
    find: (chain) => {
      const r = root(chain);
      const f = r?.conformance.akiFields;
      if (!r || !f) return [];
      const bad = [
        !f.keyId && 'has no keyIdentifier',
        f.issuer && 'carries authorityCertIssuer',
        f.serial && 'carries authorityCertSerialNumber',
        f.keyId && r.ski !== null && r.aki !== r.ski && 'names a keyIdentifier other than its own subjectKeyIdentifier',
      ].filter((x): x is string => !!x);
      return bad.length ? [v(r, `is a root whose authorityKeyIdentifier ${bad.join(', ')}`)] : [];
    },
  },
  {
    id: 'cn-not-in-san',
    title: 'Subject common name not copied from a SAN',
    spec: 'CA/B Forum BR 7.1.4.3: if present, commonName MUST contain exactly one entry that is one of the values of the subjectAltName, a character-for-character copy (IP addresses in RFC 3986 / RFC 5952 text)',
    // RFC 5280 puts no such rule on path validation (x509-limbo's rfc5280 namespace expects such chains to pass).
    rejectedBy: [],
    source: {
      envoy: `${BSSL} crypto/x509/v3_utl.cc do_x509_check() falls back to the CN only when there is no DNS SAN; nothing compares the CN with the SANs`,
      ztunnel: `${WEBPKI_LIMBO} webpki::cn::*: "webpki does not honor CN"`,
      go: `${GO_LIMBO} webpki::cn::*: "Go ignores legacy CN" (verify.go VerifyHostname)`,
      strict: 'pyca cryptography-x509-verification and OpenSSL do not check it: an issuance rule, not a path-validation rule',
    },
    find: (chain) => {
      const leaf = chain.leaf;
      const names = new Set(leaf.sans.filter((s) => s.type === 'dns' || s.type === 'ip').map((s) => s.value));
      if (names.size === 0) return [];
      return leaf.cn.filter((cn) => !names.has(cn)).map((cn) => v(leaf, `has the common name "${cn}", which is not a character-for-character copy of one of its DNS or IP SANs`));
    },
  },
  {
    id: 'eku-profile',
    title: 'extKeyUsage outside the CA/B Forum profile',
    spec: 'CA/B Forum BR 7.1.2.7.10 / 7.1.2.7.6: a subscriber certificate\'s extKeyUsage MUST NOT be critical nor list anyExtendedKeyUsage; 7.1.2.1.2: a root MUST NOT carry extKeyUsage',
    rejectedBy: ['strict'],
    source: {
      envoy: `${BSSL} crypto/x509/v3_purp.cc check_purpose_ssl_server() and x509v3_cache_extensions(): a missing EKU allows every purpose, anyExtendedKeyUsage is honoured, the trust anchor is not checked (x509_vfy.cc check_chain_extensions())`,
      ztunnel: `${WEBPKI} src/verify_cert.rs ExtendedKeyUsage::validate() (RequiredIfPresent: absent EKU is fine); ${WEBPKI_LIMBO} webpki::eku::*`,
      go: `${GO_LIMBO} webpki::eku::*: "Go skips certs with no EKU", "treats anyExtendedKeyUsage as overriding", "allows a root to have an EKU"`,
      strict: 'CA/B Forum BR 7.1.2.7.6, 7.1.2.7.10, 7.1.2.1.2 (pyca rejects a critical EKU)',
    },
    find: (chain) => {
      const out: ProfileViolation[] = [];
      const leaf = chain.leaf;
      if (leaf.eku?.includes('any')) out.push(v(leaf, 'lists anyExtendedKeyUsage'));
      if (ext(leaf, '2.5.29.37')?.critical) out.push(v(leaf, 'marks extKeyUsage critical'));
      const r = root(chain);
      if (r && r.eku !== null) out.push(v(r, 'is a root with an extKeyUsage extension'));
      return out;
    },
  },
  {
    id: 'eku-missing',
    title: 'Leaf without extKeyUsage',
    spec: 'CA/B Forum BR 7.1.2.7.6: a subscriber certificate MUST carry extKeyUsage (RFC 5280 §4.2.1.12 lets it be absent: any purpose)',
    // RFC 5280 allows it (x509-limbo's rfc5280::eku::ee-without-eku expects success): an issuance rule only.
    rejectedBy: [],
    source: {
      envoy: `${BSSL} crypto/x509/v3_purp.cc check_purpose(): without EXFLAG_XKUSAGE every purpose is allowed`,
      ztunnel: `${WEBPKI} src/verify_cert.rs ExtendedKeyUsage::validate(): RequiredIfPresent accepts an absent EKU`,
      go: `${GO_LIMBO} webpki::eku::ee-without-eku: "Go skips certs with no EKU when checking chain usage"`,
      strict: 'OpenSSL and pyca cryptography-x509-verification accept it, as RFC 5280 §4.2.1.12 does',
    },
    find: (chain) => (chain.leaf.eku === null && chain.leaf.version >= 3 ? [v(chain.leaf, 'has no extKeyUsage')] : []),
  },
  {
    id: 'rsa-modulus-size',
    title: 'RSA modulus not a multiple of 8 bits',
    spec: 'CA/B Forum BR 6.1.5: the RSA modulus size in bits MUST be evenly divisible by 8',
    rejectedBy: ['strict'],
    source: {
      envoy: `${BSSL} crypto/fipsmodule/rsa/rsa.cc.inc rsa_check_public_key() bounds the modulus size only`,
      ztunnel: `${WEBPKI_LIMBO} webpki::forbidden-rsa-*-not-divisible-by-8-*`,
      go: `${GO_LIMBO}: "Go doesn't enforce CABF key strength policies"`,
      strict: 'CA/B Forum BR 6.1.5',
    },
    find: (chain) =>
      chain.path
        .filter((c) => (c.publicKey.type === 'rsa' || c.publicKey.type === 'rsa-pss') && c.publicKey.bits !== null && c.publicKey.bits % 8 !== 0)
        .map((c) => v(c, `has a ${c.publicKey.bits}-bit RSA key`)),
  },
  {
    id: 'aia-malformed',
    title: 'Malformed authorityInfoAccess',
    spec: 'RFC 5280 §4.2.2.1 / CA/B Forum BR 7.1.2.7.7: AuthorityInfoAccessSyntax ::= SEQUENCE SIZE (1..MAX) OF AccessDescription',
    rejectedBy: ['go', 'strict'],
    source: {
      envoy: `${BSSL} crypto/x509/v3_purp.cc x509v3_cache_extensions() never decodes authorityInfoAccess`,
      ztunnel: `${WEBPKI} src/cert.rs remember_cert_extension() skips unknown non-critical extensions; ${WEBPKI_LIMBO} webpki::malformed-aia`,
      go: `${GO} src/crypto/x509/parser.go processExtensions(): "x509: invalid authority info access"`,
      strict: 'pyca cryptography-x509-verification (ASN.1 parsing error)',
    },
    find: (chain) => chain.path.filter((c) => c.conformance.aiaProblem !== null).map((c) => v(c, c.conformance.aiaProblem!)),
  },
  {
    id: 'leaf-is-ca',
    title: 'CA certificate used as the leaf',
    spec: 'CA/B Forum BR 7.1.2.7.8: in a subscriber certificate cA MUST be FALSE',
    rejectedBy: ['ztunnel', 'strict'],
    reportedBy: 'chain/leaf-is-ca',
    source: {
      envoy: `${BSSL} crypto/x509/x509_vfy.cc check_chain_extensions(): must_be_ca is 0 for the leaf, and check_purpose_ssl_server() accepts a CA leaf`,
      ztunnel: `${WEBPKI} src/verify_cert.rs check_basic_constraints(): (Role::EndEntity, true, _) => Err(Error::CaUsedAsEndEntity)`,
      go: `${GO_LIMBO} webpki::ee-basicconstraints-ca: "Go ignores KU"`,
      strict: 'pyca cryptography-x509-verification ("basicConstraints.cA must not be asserted in an EE certificate")',
    },
    find: (chain) => (isCa(chain.leaf) ? [v(chain.leaf, 'is a CA certificate (basicConstraints cA=TRUE) used as the leaf')] : []),
  },
  {
    id: 'sha1-signature',
    title: 'Certificate signed with SHA-1',
    spec: 'CA/B Forum BR 7.1.3.2: SHA-1 MUST NOT be used to sign certificates (RFC 5280 sets no algorithm policy)',
    rejectedBy: ['ztunnel', 'go', 'strict'],
    reportedBy: 'chain/weak-algorithm',
    source: {
      envoy: `${BSSL} crypto/x509/algorithm.cc x509_digest_nid_ok(): only MD4 and MD5 are refused in certificate signatures`,
      ztunnel: `${WEBPKI} src/ring_algs.rs / src/aws_lc_rs_algs.rs: no SHA-1 signature algorithm exists (UnsupportedSignatureAlgorithm)`,
      go: `${GO} src/crypto/x509/x509.go checkSignature(): SHA-1 signatures return InsecureAlgorithmError (since Go 1.18)`,
      strict: 'CA/B Forum BR 7.1.3.2; pyca cryptography-x509-verification permits SHA-256 and stronger only',
    },
    find: (chain) => belowAnchor(chain).filter((c) => c.signature.hash === 'sha1').map((c) => v(c, `is signed with ${c.signature.name}`)),
  },
  {
    id: 'rsa-key-under-2048',
    title: 'RSA key of 1024 to 2047 bits',
    spec: 'CA/B Forum BR 6.1.5: RSA keys MUST be at least 2048 bits',
    rejectedBy: ['ztunnel', 'strict'],
    reportedBy: 'chain/weak-algorithm',
    source: {
      envoy: `${BSSL} crypto/fipsmodule/rsa/rsa_impl.cc.inc rsa_check_public_key(): OPENSSL_RSA_MIN_MODULUS_BITS is 512`,
      ztunnel: `${WEBPKI} src/ring_algs.rs: RSA_PKCS1_2048_8192_* / RSA_PSS_2048_8192_* only (rustls verifies handshake signatures with the same algorithms)`,
      go: `${GO} src/crypto/rsa: keys under 1024 bits are refused (GODEBUG rsa1024min, Go 1.24); ${GO_LIMBO} webpki::forbidden-weak-rsa-*: "Go doesn't enforce CABF key strength policies"`,
      strict: 'CA/B Forum BR 6.1.5; OpenSSL 3 security level 1+ ("ee key too small" / "ca key too small")',
    },
    find: (chain) =>
      chain.path
        .filter((c) => (c.publicKey.type === 'rsa' || c.publicKey.type === 'rsa-pss') && c.publicKey.bits !== null && c.publicKey.bits >= 1024 && c.publicKey.bits < 2048)
        .map((c) => v(c, `has a ${c.publicKey.bits}-bit RSA key`)),
  },
  {
    id: 'anchor-unknown-critical-extension',
    title: 'Trust anchor with an unknown critical extension',
    spec: 'RFC 5280 §4.2: a certificate-using system MUST reject the certificate if it encounters a critical extension it does not recognize (§6.1 leaves trust-anchor processing to the implementation)',
    rejectedBy: ['go', 'strict'],
    reportedBy: 'chain/unknown-critical-extension',
    source: {
      envoy: `${BSSL} crypto/x509/x509_vfy.cc check_chain_extensions(): the EXFLAG_CRITICAL check runs for i < ctx->last_untrusted only, so the trust anchor's extensions are not checked`,
      ztunnel: `${WEBPKI} src/trust_anchor.rs anchor_from_trusted_cert(): a trust anchor keeps only subject, key and name constraints; ${WEBPKI_LIMBO} rfc5280::unknown-critical-extension-root`,
      go: `${GO} src/crypto/x509/verify.go (Certificate.Verify / isValid) rejects it: rfc5280::unknown-critical-extension-root is not among x509limbo_test.go's allowed divergences`,
      strict: 'OpenSSL crypto/x509/x509_vfy.c check_chain_extensions() over the whole chain (X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION); pyca',
    },
    find: (chain) => {
      const a = anchorOf(chain);
      return a && a.unknownCriticalExtensions.length ? [v(a, `is the trust anchor and marks ${a.unknownCriticalExtensions.join(', ')} critical`)] : [];
    },
  },
  {
    id: 'anchor-key-usage',
    title: 'Trust anchor whose keyUsage lacks keyCertSign',
    spec: 'RFC 5280 §4.2.1.9: if the cA boolean is asserted, the keyCertSign bit in the key usage extension MUST be asserted',
    rejectedBy: ['strict'],
    reportedBy: 'key-usage/ca-missing-cert-sign',
    source: {
      envoy: `${BSSL} crypto/x509/x509_vfy.cc check_chain_extensions(): X509_check_ca() (which reads keyUsage) runs for i < ctx->last_untrusted only, not for the trust anchor`,
      ztunnel: `${WEBPKI} src/verify_cert.rs check_signed_chain(): "TODO(XXX): Consider whether to track TrustAnchor KU"; ${WEBPKI_LIMBO} rfc5280::root-inconsistent-ca-extensions`,
      go: `${GO_LIMBO} rfc5280::root-inconsistent-ca-extensions: "Go ignores KU, only considers BC on intermediates"`,
      strict: 'OpenSSL crypto/x509/x509_vfy.c check_chain_extensions() over the whole chain (X509_V_ERR_KEYUSAGE_NO_CERTSIGN); pyca ca_extension_policy',
    },
    find: (chain) => {
      const a = anchorOf(chain);
      return a && a.keyUsage !== null && !a.keyUsage.includes('keyCertSign') ? [v(a, `is the trust anchor and its keyUsage (${a.keyUsage.join(', ') || 'empty'}) lacks keyCertSign`)] : [];
    },
  },
  {
    id: 'crl-number-missing',
    title: 'CRL without a cRLNumber',
    spec: 'RFC 5280 §5.2.3: conforming CRL issuers MUST include this extension in all CRLs',
    rejectedBy: ['ztunnel', 'strict'],
    source: {
      envoy: `${BSSL} crypto/x509/x_crl.cc crl_cb() sets no error for a missing cRLNumber`,
      ztunnel: `${WEBPKI} src/crl/types.rs BorrowedCertRevocationList::from_der(): Err(Error::MissingCrlNumber)`,
      go: `${GO} src/crypto/x509: Verify() checks no CRLs (Go's own limbo test skips has-crl cases)`,
      strict: 'RFC 5280 §5.2.3',
    },
    find: (chain, crls) => {
      const issuerKeys = new Set(chain.path.slice(1).map((c) => c.subjectKey));
      return crls.filter((c) => c.crlNumber === null && issuerKeys.has(c.issuerKey)).map((c) => ({ about: c.fingerprint, source: c.source, name: `CRL of ${c.issuer}`, detail: 'has no cRLNumber extension', ...(c.origin ? { origin: c.origin } : {}) }));
    },
  },
];

export function checkById(id: CheckId): ProfileCheck {
  const c = CHECKS.find((x) => x.id === id);
  if (!c) throw new Error(`no verifier check "${id}"`);
  return c;
}

/** How a check's finding is graded under the profile in use: error when that verifier rejects the chain. */
export function gradeFor(check: ProfileCheck, profile: VerifierId): 'error' | 'warning' | 'info' {
  if (check.rejectedBy.includes(profile)) return 'error';
  if (check.rejectedBy.length === 0) return 'info';
  // Another mesh verifier rejects it: a warning that names it. Only strict conformance: a note.
  return check.rejectedBy.some((x) => x !== 'strict') ? 'warning' : 'info';
}

/** "ztunnel (rustls-webpki) and strict …" — the labels of the given profiles, as a sentence fragment. */
export function labels(ids: readonly VerifierId[]): string {
  const l = ids.map((id) => VERIFIERS[id].label);
  return l.length <= 1 ? (l[0] ?? '') : `${l.slice(0, -1).join(', ')} and ${l[l.length - 1]}`;
}

/**
 * The sentence a rule that reports its own check (`reportedBy`) adds: who rejects, who accepts, with sources —
 * `Envoy (BoringSSL) accepts it (…); Go (crypto/x509) and strict … reject it (…).`
 */
export function verdictSentence(check: ProfileCheck, profile: VerifierId): string {
  const here = VERIFIERS[profile].label;
  const others = check.rejectedBy.filter((id) => id !== profile);
  const accepters = acceptedBy(check).filter((id) => id !== profile);
  const first = others.find((id) => id !== 'strict') ?? others[0];
  if (check.rejectedBy.includes(profile)) {
    return `${here} rejects it (${check.source[profile]})${others.length ? `; ${labels(others)} also reject it` : ''}${accepters.length ? `; ${labels(accepters)} accept it` : ''}.`;
  }
  return `${here} accepts it (${check.source[profile]})${accepters.length ? `, as ${labels(accepters)} ${accepters.length > 1 ? 'do' : 'does'}` : ''}${first ? `; ${labels(others)} reject it (${VERIFIERS[first].label}: ${check.source[first]})` : ''}.`;
}

export const acceptedBy = (check: ProfileCheck): VerifierId[] => VERIFIER_IDS.filter((id) => !check.rejectedBy.includes(id));

/** One check's objection to one certificate (or CRL) of a chain, graded under the profile in use. */
export interface VerifierNote {
  check: ProfileCheck;
  found: ProfileViolation;
  grade: 'error' | 'warning' | 'info';
}

const GRADE_ORDER = { error: 0, warning: 1, info: 2 } as const;

/**
 * The objections chain/verifier-rejects reports for a chain (the checks no other rule reports), worst grade
 * first. CA/B Forum issuance rules that no verifier enforces are left out unless the profile is strict (they are
 * audit notes, not mesh noise).
 */
export function verifierNotes(chain: ChainFact, crls: readonly CrlFact[], profile: VerifierId): VerifierNote[] {
  const out: VerifierNote[] = [];
  for (const check of CHECKS) {
    if (check.reportedBy) continue;
    if (check.rejectedBy.length === 0 && profile !== 'strict') continue;
    const grade = gradeFor(check, profile);
    for (const found of check.find(chain, crls)) out.push({ check, found, grade });
  }
  return out.sort((a, b) => GRADE_ORDER[a.grade] - GRADE_ORDER[b.grade]);
}

/** The distinct checks among notes, in order. */
const checksOf = (notes: readonly VerifierNote[]): ProfileCheck[] => [...new Set(notes.map((n) => n.check))];

/** `it` for one objection, `them` for several. */
const itThem = (checks: readonly ProfileCheck[]) => (checks.length === 1 ? 'it' : 'them');

/** A check's title inside a sentence: `certificate without …`, but `CA basicConstraints …` and `RSA key …` kept. */
const inSentence = (title: string) => (/^[A-Z][a-z]/.test(title) ? title[0]!.toLowerCase() + title.slice(1) : title);

/** `(source)` for one check, `(title: source; title: source)` for several: each check cited once. */
function cite(checks: readonly ProfileCheck[], profile: VerifierId): string {
  if (checks.length === 1) return `(${checks[0]!.source[profile]})`;
  return `(${checks.map((c) => `${inSentence(c.title)}: ${c.source[profile]}`).join('; ')})`;
}

/**
 * What each verifier makes of a chain's objections, each verifier once: the profile in use with its citations
 * (`Envoy (BoringSSL) accepts them (…)`), the others grouped by their verdict (`as ztunnel … and Go … do;
 * strict … rejects them`); and one evidence line per other verifier with its own citations.
 */
export function verdictsOf(notes: readonly VerifierNote[], profile: VerifierId): { inUse: string; others: string; evidence: Array<{ source: string; detail: string }> } {
  const checks = checksOf(notes);
  const rejects = (id: VerifierId) => checks.filter((c) => c.rejectedBy.includes(id));
  const here = VERIFIERS[profile].label;
  const mine = rejects(profile);
  const accepted = checks.filter((c) => !mine.includes(c));
  const inUse = mine.length
    ? `${here} rejects ${mine.length === checks.length ? itThem(checks) : mine.map((c) => inSentence(c.title)).join(', ')} ${cite(mine, profile)}${accepted.length ? ` and accepts ${accepted.map((c) => inSentence(c.title)).join(', ')} ${cite(accepted, profile)}` : ''}`
    : `${here} accepts ${itThem(checks)} ${cite(checks, profile)}`;
  // The other verifiers, grouped by what they reject.
  const groups = new Map<string, VerifierId[]>();
  for (const id of VERIFIER_IDS) {
    if (id === profile) continue;
    const key = rejects(id).map((c) => c.id).join(',');
    groups.set(key, [...(groups.get(key) ?? []), id]);
  }
  // Those that reject something first: "…, but strict rejects them; ztunnel and Go accept them".
  const phrases = [...groups.values()].sort((a, b) => rejects(b[0]!).length - rejects(a[0]!).length).map((ids) => {
    const theirs = rejects(ids[0]!);
    const plural = ids.length > 1;
    if (theirs.length === 0) return `${labels(ids)} accept${plural ? '' : 's'} ${itThem(checks)}`;
    if (theirs.length === checks.length) return `${labels(ids)} reject${plural ? '' : 's'} ${itThem(checks)}`;
    return `${labels(ids)} reject${plural ? '' : 's'} ${theirs.map((c) => inSentence(c.title)).join(', ')} and accept${plural ? '' : 's'} the rest`;
  });
  const evidence = VERIFIER_IDS.filter((id) => id !== profile).map((id) => {
    const no = rejects(id);
    const yes = checks.filter((c) => !no.includes(c));
    const part = (verb: string, cs: ProfileCheck[]) => (cs.length ? [`${verb} ${cite(cs, id)}`] : []);
    return { source: VERIFIERS[id].label, detail: [...part('rejects', no), ...part('accepts', yes)].join('; ') };
  });
  return { inUse, others: phrases.join('; '), evidence };
}
