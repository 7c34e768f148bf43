/**
 * Which CRL a verifier uses for each certificate on a path, and what it says: pure (facts in, facts out), so the
 * chain rules can share it. Follows OpenSSL's choice (x509_vfy.c get_crl_sk / check_crl), which BoringSSL
 * (Envoy) shares: a CRL applies to a certificate when it names the certificate's issuer; among those, one
 * signed by the issuer's key, processable and current is used, the newest first. When every candidate is
 * unusable (bad signature, unhandled critical extension, issuer without cRLSign), verification fails.
 */
import type { CrlFact, RevokedEntry } from './crl.js';
import type { CertFact } from './types.js';

export interface RevocationCheck {
  /** Position of `cert` on the path (0 = the leaf). */
  index: number;
  cert: CertFact;
  /** The next certificate on the path: the CA whose CRLs apply. */
  issuer: CertFact;
  /** CRLs that name this certificate's issuer and cover certificates of its kind. */
  candidates: CrlFact[];
  /** Candidates a verifier refuses to use, with why. */
  unusable: Array<{ crl: CrlFact; reasons: string[] }>;
  /** The CRL a verifier uses; null when no candidate is usable (or none could be checked). */
  crl: CrlFact | null;
  /** Where `now` falls in the used CRL's validity. */
  time: 'current' | 'expired' | 'not-yet-valid' | null;
  /** The entry listing this certificate in the used CRL. */
  revoked: RevokedEntry | null;
}

/** Why a verifier refuses this CRL for certificates issued by `issuer`; empty when it is usable. Null: cannot tell (signature not checkable). */
export function unusableReasons(crl: CrlFact, issuer: CertFact): string[] | null {
  const reasons: string[] = [];
  const signer = crl.signers.find((s) => s.cert === issuer.fingerprint);
  if (!signer || signer.signatureValid === null) return null;
  if (signer.signatureValid === false) reasons.push(`its signature does not verify with the key of "${issuer.name}" (CRL signature failure)`);
  if (crl.unknownCriticalExtensions.length) reasons.push(`it has critical extension(s) ${crl.unknownCriticalExtensions.join(', ')} that verifiers do not process (unhandled critical CRL extension)`);
  if (issuer.keyUsage !== null && !issuer.keyUsage.includes('cRLSign')) reasons.push(`its issuer "${issuer.name}" has a keyUsage without cRLSign (key usage does not include CRL signing)`);
  for (const d of crl.defects) reasons.push(d);
  return reasons;
}

const inScope = (crl: CrlFact, cert: CertFact) => {
  if (crl.delta || crl.scope.onlyAttributeCerts) return false;
  const isCa = cert.basicConstraints?.ca === true;
  return !(crl.scope.onlyUserCerts && isCa) && !(crl.scope.onlyCaCerts && !isCa);
};

export function timeOf(crl: CrlFact, now: number): 'current' | 'expired' | 'not-yet-valid' {
  if (now < crl.thisUpdate) return 'not-yet-valid';
  if (crl.nextUpdate !== null && now > crl.nextUpdate) return 'expired';
  return 'current';
}

/** The revocation picture of every certificate on `path` that at least one CRL applies to. */
export function revocationChecks(path: CertFact[], crls: CrlFact[], now: number): RevocationCheck[] {
  const out: RevocationCheck[] = [];
  if (crls.length === 0) return out;
  for (let i = 0; i + 1 < path.length; i++) {
    const cert = path[i]!;
    const issuer = path[i + 1]!;
    const candidates = crls.filter((c) => c.issuerKey === cert.issuerKey && inScope(c, cert));
    if (candidates.length === 0) continue;
    const unusable: RevocationCheck['unusable'] = [];
    const usable: CrlFact[] = [];
    for (const crl of candidates) {
      const reasons = unusableReasons(crl, issuer);
      if (reasons === null) continue;
      if (reasons.length) unusable.push({ crl, reasons });
      else usable.push(crl);
    }
    // Current before out-of-date, then the newest (OpenSSL: best score, then the later thisUpdate).
    const rank = (c: CrlFact) => (timeOf(c, now) === 'current' ? 1 : 0);
    usable.sort((a, b) => rank(b) - rank(a) || b.thisUpdate - a.thisUpdate);
    const crl = usable[0] ?? null;
    const entry = crl ? crl.revoked.find((r) => r.serial === cert.serial && r.reason !== 'removeFromCRL') ?? null : null;
    out.push({ index: i, cert, issuer, candidates, unusable, crl, time: crl ? timeOf(crl, now) : null, revoked: entry });
  }
  return out;
}
