/**
 * Istio's agent re-signs a workload certificate at SECRET_GRACE_PERIOD_RATIO (0.5, ±0.01 jitter) of its
 * lifetime (security/pkg/nodeagent/cache/secretcache.go). A short-lived leaf older than that plus slack
 * means rotation has stalled, hours before it expires.
 */
import { defineRule } from '../../src/engine/define-rule.js';
import { describe, duration, iso, validityEvidence, whose, x509Of } from '../_kit/index.js';

/** Only short-lived workload certificates rotate this way; a 1-year certificate renewed by hand does not. */
export const ROTATING_LIFETIME_MAX_MS = 30 * 24 * 3600_000;

export default defineRule({
  meta: {
    id: 'expiry/rotation-stalled',
    stage: 'expiry',
    severity: 'warning',
    title: 'Certificate rotation stalled',
    description: 'A short-lived workload leaf is older than its rotation point (half its lifetime plus slack) but not yet expired.',
    requires: ['chain'],
    confidence: 0.8,
    citation: 'Istio secretcache.go: rotate at SECRET_GRACE_PERIOD_RATIO (0.5) of the lifetime',
    messages: {
      stalled:
        '{whose} workload certificate {cert} is {agePct}% through its {lifetime} lifetime; it should have been re-signed at about {rotatePct}% ({rotateAt}). It still works, but expires at {notAfter} ({left} from now) unless rotation resumes.',
    },
    remediation: [
      'Check the agent: kubectl logs POD -c istio-proxy | grep -iE "cert|csr|sds" (CSR errors, istiod unreachable, token expired)',
      'Check that Envoy got the new certificate: istioctl proxy-config secret POD -n NS (the default secret\'s VALID FROM should be recent)',
      'Restarting the pod forces a new certificate if the agent is wedged',
    ],
    // kubectl and openssl first (no istioctl needed); istioctl's table says the same.
    verify: "{x509} -noout -startdate -enddate  # notBefore must be recent; with istioctl: istioctl proxy-config secret POD -n NS (the default secret's VALID FROM)",
    forecast: true,
  },
  applies(ctx) {
    return ctx.facts.chains.some((c) => c.leaf.notAfter - c.leaf.notBefore <= ROTATING_LIFETIME_MAX_MS);
  },
  check(ctx) {
    const t = ctx.facts.thresholds.leaf;
    for (const chain of ctx.facts.chains) {
      const leaf = chain.leaf;
      const life = leaf.notAfter - leaf.notBefore;
      if (life <= 0 || life > ROTATING_LIFETIME_MAX_MS || ctx.now > leaf.notAfter || ctx.now < leaf.notBefore) continue;
      const age = (ctx.now - leaf.notBefore) / life;
      if (age <= t.rotationFraction + t.rotationSlackFraction) continue;
      ctx.report({
        messageId: 'stalled',
        subject: chain.subject,
        about: leaf.fingerprint,
        data: {
          whose: whose(chain),
          cert: describe(leaf),
          agePct: Math.round(age * 100),
          lifetime: duration(life),
          rotatePct: Math.round(t.rotationFraction * 100),
          rotateAt: iso(leaf.notBefore + life * t.rotationFraction),
          notAfter: iso(leaf.notAfter),
          left: duration(leaf.notAfter - ctx.now),
          x509: x509Of(leaf, 'kubectl'),
        },
        evidence: [validityEvidence(leaf, ctx.now)],
      });
    }
  },
});
