/**
 * The chain of last resort: when Envoy's admin API answers `/certs` but not the secrets (older or locked-down
 * proxies) and no credential file was found, the leaf `/certs` lists is all we know of the certificate Envoy
 * serves. It carries the serial, the SANs and the validity — enough for the expiry and identity checks — but
 * no issuer, key, signature, key usage or extensions: the chain and key-usage stages cannot judge it.
 *
 * Pure: proxy evidence in, a one-certificate chain out (no verifier: the rules that need one are not run).
 */
import type { ProxyEvidence, ServedCert } from '../evidence/proxy.js';
import type { ChainFact } from '../x509/chain.js';
import { isSpiffeUri, parseSpiffeId } from '../x509/spiffe.js';
import type { CertFact, San } from '../x509/types.js';

import { CERTS_LACK } from '../evidence/proxy.js';
export { CERTS_LACK };

/** The source name of a certificate known only from `/certs`: what it shows, hence what it lacks. */
export const CERTS_SOURCE = 'envoy admin /certs (serial, SANs and validity only)';

function sanOf(v: string): San {
  if (/^[a-z][a-z0-9+.-]*:/i.test(v)) return { type: 'uri', value: v };
  if (/^[0-9.]+$|:/.test(v)) return { type: 'ip', value: v };
  return { type: 'dns', value: v };
}

/** A CertFact for a leaf known only from `/certs`; null when its validity is not given. */
export function servedCertFact(s: ServedCert): CertFact | null {
  const notAfter = s.expirationTime ? Date.parse(s.expirationTime) : NaN;
  const notBefore = s.validFrom ? Date.parse(s.validFrom) : NaN;
  if (!Number.isFinite(notAfter) || !Number.isFinite(notBefore)) return null;
  const sans = s.sans.map(sanOf);
  const spiffe = sans
    .filter((x) => x.type === 'uri' && isSpiffeUri(x.value))
    .map((x) => {
      const p = parseSpiffeId(x.value);
      return p.ok
        ? { uri: x.value, ok: true, trustDomain: p.id.trustDomain, ...(p.id.namespace ? { namespace: p.id.namespace, serviceAccount: p.id.serviceAccount } : {}) }
        : { uri: x.value, ok: false, problem: p.problem };
    });
  return {
    // Not a hash of DER (we have none): unique for this serial, and never equal to a real fingerprint.
    fingerprint: `certs:${s.serial}`,
    source: CERTS_SOURCE,
    origin: { kind: 'envoy-certs' },
    name: s.sans[0] ?? `serial ${s.serial}`,
    subject: '',
    issuer: '',
    subjectKey: '',
    issuerKey: `certs-issuer:${s.serial}`,
    serial: s.serial,
    version: 3,
    notBefore,
    notAfter,
    selfIssued: false,
    selfSigned: null,
    sans,
    spiffe,
    keyUsage: null,
    eku: null,
    basicConstraints: null,
    ski: null,
    aki: null,
    publicKey: { type: 'unknown', bits: null, curve: null },
    spkiSha256: '',
    signature: { oid: '', name: 'unknown', hash: null },
    extensions: [],
    unknownCriticalExtensions: [],
    nameConstraints: null,
    parseWarnings: [CERTS_LACK],
    cn: [],
    subjectEmails: [],
    subjectRdns: [],
    defects: [],
    // /certs gives no encoding details: nothing here for the verifier profiles to judge.
    conformance: { serial: { octets: Math.max(1, Math.ceil(s.serial.length / 2)), negative: false, zero: /^0*$/.test(s.serial) }, akiFields: null, aiaProblem: null, subjectEmpty: false },
  };
}

/**
 * The served leaf as our chain, when nothing better exists: the one that expires first when `/certs` lists
 * several (the worst case a peer can meet). Null when `/certs` lists no leaf with dates.
 */
export function servedOnlyChain(proxy: ProxyEvidence | undefined, usage: ChainFact['usage'], expectedId: string | null): ChainFact | null {
  const leaves = (proxy?.served ?? []).filter((s) => s.kind === 'leaf').map(servedCertFact).filter((c): c is CertFact => c !== null);
  const leaf = leaves.sort((a, b) => a.notAfter - b.notAfter)[0];
  if (!leaf) return null;
  return {
    subject: 'local',
    usage,
    expectedId,
    presented: [leaf],
    leaf,
    path: [leaf],
    links: [],
    end: 'missing-issuer',
    verifier: null,
    anchoredIn: {},
    fromOutside: [],
    unusedPresented: [],
    duplicates: [],
    outOfOrder: false,
    steps: 0,
    budgetExhausted: false,
    depthLimited: false,
    nameConstraintViolations: [],
  };
}
