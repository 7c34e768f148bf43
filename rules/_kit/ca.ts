/** The CA certificates worth watching, and the expiry check the intermediate and root rules share. Pure. */
import type { Facts } from '../../src/facts/types.js';
import type { RuleContext } from '../../src/engine/define-rule.js';
import type { ChainFact } from '../../src/x509/chain.js';
import type { CertFact } from '../../src/x509/types.js';
import { days, describe, duration, iso, validityEvidence } from './format.js';
import { x509Of } from './commands.js';

export type CaLevel = 'intermediate' | 'root';

/** A CA certificate worth watching: on a chain's path above the leaf, or among the mesh CA's certificates. */
export interface CaCert {
  cert: CertFact;
  level: CaLevel;
  /** The chain it sits on, if any. */
  chain: ChainFact | null;
}

/** Every distinct CA certificate on a chain's path or in `--ca`, with its level. */
export function caCertificates(f: Facts): CaCert[] {
  const out = new Map<string, CaCert>();
  for (const chain of f.chains) {
    chain.path.slice(1).forEach((cert) => {
      if (!out.has(cert.fingerprint)) out.set(cert.fingerprint, { cert, level: cert.selfIssued ? 'root' : 'intermediate', chain });
    });
  }
  // Certificates given as CA material that are not CAs (a leaf in --ca) are flagged by chain/ca-material-not-ca,
  // not judged as CAs.
  for (const cert of (f.bundles.ca?.certs ?? []).filter(isCaCertificate)) {
    if (!out.has(cert.fingerprint)) out.set(cert.fingerprint, { cert, level: cert.selfIssued ? 'root' : 'intermediate', chain: null });
  }
  return [...out.values()];
}

/** A CA certificate: basicConstraints cA=TRUE, or a v1/v2 self-signed root (which predates the extension). */
export function isCaCertificate(c: CertFact): boolean {
  return c.basicConstraints ? c.basicConstraints.ca : c.version < 3 && c.selfIssued;
}

/**
 * The check shared by expiry/intermediate-expiring and expiry/root-expiring: every CA certificate of `level`
 * with fewer days left than the level's thresholds (warn → warning, critical → error).
 */
export function checkCaExpiring(ctx: RuleContext<'expiring' | 'expiringShortLived'>, level: CaLevel): void {
  const t = ctx.facts.thresholds[level];
  const f = ctx.facts.thresholds.leaf;
  for (const { cert, level: l, chain } of caCertificates(ctx.facts)) {
    if (l !== level || ctx.now > cert.notAfter || ctx.now < cert.notBefore) continue;
    const life = cert.notAfter - cert.notBefore;
    const base = { cert: describe(cert), notAfter: iso(cert.notAfter), left: duration(cert.notAfter - ctx.now), x509: x509Of(cert), renew: renewAdvice(caKind(cert), level) };
    const common = { subject: chain?.subject ?? 'ca', about: cert.fingerprint, deadline: cert.notAfter, evidence: [validityEvidence(cert, ctx.now)] };
    if (isShortLivedCa(cert, t.warnDays)) {
      // A CA that lives less than the warning window (SPIRE's default 24 h) would always be "expiring" in days:
      // judge it as leaves are, by the fraction of its own lifetime left.
      const left = (cert.notAfter - ctx.now) / life;
      if (left >= f.warnFraction) continue;
      const critical = left < f.criticalFraction;
      ctx.report({
        ...common,
        messageId: 'expiringShortLived',
        severity: critical ? 'error' : 'warning',
        data: { ...base, lifetime: duration(life), leftPct: Math.round(left * 100), thresholdPct: Math.round((critical ? f.criticalFraction : f.warnFraction) * 100) },
      });
      continue;
    }
    const leftDays = days(cert.notAfter - ctx.now);
    if (leftDays >= t.warnDays) continue;
    const critical = leftDays < t.criticalDays;
    ctx.report({ ...common, messageId: 'expiring', severity: critical ? 'error' : 'warning', data: { ...base, threshold: critical ? t.criticalDays : t.warnDays } });
  }
}

const DAY = 86_400_000;

/** A CA whose whole lifetime is shorter than its level's warning window (in days): judged by fraction, not days. */
export function isShortLivedCa(cert: CertFact, warnDays: number): boolean {
  const life = cert.notAfter - cert.notBefore;
  return life > 0 && life <= warnDays * DAY;
}

/** Which CA issued the mesh's certificates, as far as its certificate tells: the fix differs for each. */
export type CaKind = 'spire' | 'cert-manager' | 'istiod' | 'plugin';

/**
 * SPIRE's server CA carries the trust domain as a URI SAN (`spiffe://TD`, no path) and, by default, the subject
 * C=US, O=SPIFFE; cert-manager istio-csr's CA is its Certificate `istio-ca` (O=cert-manager in the docs);
 * istiod's self-signed CA is `O=<trust domain>` with no CN; anything else is a plug-in CA (cacerts).
 */
export function caKind(cert: CertFact): CaKind {
  if (cert.sans.some((s) => s.type === 'uri' && /^spiffe:\/\/[^/]+\/?$/i.test(s.value)) || /(^|, )O=SPIFFE(,|$)/.test(cert.subject)) return 'spire';
  if (/cert-manager/i.test(cert.subject) || cert.cn.includes('istio-ca')) return 'cert-manager';
  if (cert.cn.length === 0 && /^O=[^,]+$/.test(cert.subject)) return 'istiod';
  return 'plugin';
}

/** The first fix step for a CA close to expiry, fitting the CA that issued it. */
export function renewAdvice(kind: CaKind, level: CaLevel): string {
  switch (kind) {
    case 'spire':
      return 'SPIRE rotates its own CA (ca_ttl, default 24 h; the next one is prepared at half its life): check that spire-server is up and can reach its UpstreamAuthority: kubectl logs -n spire statefulset/spire-server | grep -iE "rotat|x509 ca|upstream"';
    case 'cert-manager':
      return 'cert-manager renews this CA (the Certificate istio-csr uses, renewBefore): check that it is Ready and renewing: kubectl get certificate -A | grep -i istio-ca; then restart istio-csr if it still serves the old CA';
    case 'istiod':
      return level === 'root'
        ? "This is istiod's self-signed root (Secret istio-ca-secret in istio-system): plan the rotation now, new root into every trust bundle first (Istio's self-signed root rotation, or move to a plug-in CA)"
        : "Re-issue istiod's CA (Secret istio-ca-secret in istio-system) and restart istiod: kubectl rollout restart deployment/istiod -n istio-system";
    default:
      return level === 'root'
        ? 'Plan the root rotation now: new root into every trust bundle first, then issue from it, then retire the old one (never issue from a root before every peer trusts it)'
        : 'Re-issue the intermediate from the root now and roll it out (cacerts Secret, then restart istiod), while the old one is still valid';
  }
}

