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
  for (const cert of f.bundles.ca?.certs ?? []) {
    if (!out.has(cert.fingerprint)) out.set(cert.fingerprint, { cert, level: cert.selfIssued ? 'root' : 'intermediate', chain: null });
  }
  return [...out.values()];
}

/**
 * The check shared by expiry/intermediate-expiring and expiry/root-expiring: every CA certificate of `level`
 * with fewer days left than the level's thresholds (warn → warning, critical → error).
 */
export function checkCaExpiring(ctx: RuleContext<'expiring'>, level: CaLevel): void {
  const t = ctx.facts.thresholds[level];
  for (const { cert, level: l, chain } of caCertificates(ctx.facts)) {
    if (l !== level || ctx.now > cert.notAfter || ctx.now < cert.notBefore) continue;
    const leftDays = days(cert.notAfter - ctx.now);
    if (leftDays >= t.warnDays) continue;
    const critical = leftDays < t.criticalDays;
    ctx.report({
      messageId: 'expiring',
      subject: chain?.subject ?? 'ca',
      about: cert.fingerprint,
      severity: critical ? 'error' : 'warning',
      data: { cert: describe(cert), notAfter: iso(cert.notAfter), left: duration(cert.notAfter - ctx.now), threshold: critical ? t.criticalDays : t.warnDays, x509: x509Of(cert) },
      evidence: [validityEvidence(cert, ctx.now)],
    });
  }
}

