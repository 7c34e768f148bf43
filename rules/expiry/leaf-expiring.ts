/**
 * A workload leaf close to notAfter. Judged by the fraction of its lifetime left (a 24 h Istio leaf and a
 * 90-day cert-manager leaf alike); thresholds come from `--thresholds` (leaf.warnFraction, criticalFraction).
 */
import { defineRule } from '../../src/engine/define-rule.js';
import { describe, duration, iso, validityEvidence, whose, x509Of } from '../_kit/index.js';

export default defineRule({
  meta: {
    id: 'expiry/leaf-expiring',
    stage: 'expiry',
    severity: 'warning',
    title: 'Workload certificate about to expire',
    description: 'The leaf certificate has less than the configured fraction of its lifetime left.',
    requires: ['chain'],
    reads: ['expiry/rotation-stalled'],
    confidence: 0.9,
    messages: {
      expiring:
        '{whose} workload certificate {cert} expires at {notAfter}, in {left}: only {leftPct}% of its {lifetime} lifetime is left (threshold {thresholdPct}%). Handshakes fail from then on unless it is rotated.',
    },
    remediation: [
      'Find out why it has not been renewed: kubectl logs POD -c istio-proxy | grep -iE "cert|csr|sds"',
      'Restart the workload to get a fresh certificate if the agent is stuck: kubectl rollout restart deployment/NAME -n NS',
    ],
    verify: '{x509} -noout -enddate',
    forecast: true,
  },
  check(ctx) {
    const t = ctx.facts.thresholds.leaf;
    for (const chain of ctx.facts.chains) {
      const leaf = chain.leaf;
      const life = leaf.notAfter - leaf.notBefore;
      if (life <= 0 || ctx.now > leaf.notAfter || ctx.now < leaf.notBefore) continue;
      const left = (leaf.notAfter - ctx.now) / life;
      if (left >= t.warnFraction) continue;
      const critical = left < t.criticalFraction;
      ctx.report({
        messageId: 'expiring',
        subject: chain.subject,
        about: leaf.fingerprint,
        deadline: leaf.notAfter,
        severity: critical ? 'error' : 'warning',
        causedBy: ctx.earlier('expiry/rotation-stalled', leaf.fingerprint) ? 'expiry/rotation-stalled' : null,
        data: {
          whose: whose(chain),
          cert: describe(leaf),
          notAfter: iso(leaf.notAfter),
          left: duration(leaf.notAfter - ctx.now),
          leftPct: Math.round(left * 100),
          lifetime: duration(life),
          thresholdPct: Math.round((critical ? t.criticalFraction : t.warnFraction) * 100), x509: x509Of(leaf),
        },
        evidence: [validityEvidence(leaf, ctx.now)],
      });
    }
  },
});
