/**
 * "The CA that expires is rarely the one you're watching": an intermediate CA close to notAfter will break every
 * leaf under it at once. Thresholds in days (defaults: warn 30 d, error 7 d; --thresholds intermediate.warnDays /
 * intermediate.criticalDays).
 */
import { defineRule } from '../../src/engine/define-rule.js';
import { checkCaExpiring } from '../_kit/index.js';

export default defineRule({
  meta: {
    id: 'expiry/intermediate-expiring',
    stage: 'expiry',
    severity: 'warning',
    title: 'Intermediate CA certificate about to expire',
    description: 'An intermediate CA certificate expires within the configured number of days.',
    requires: ['chain'],
    confidence: 0.9,
    messages: {
      expiring:
        'Intermediate CA {cert} expires at {notAfter}, in {left} (threshold {threshold} days). When it does, every certificate under it fails verification at once, however recently the leaves rotated.',
      expiringShortLived:
        'Intermediate CA {cert} expires at {notAfter}, in {left}: only {leftPct}% of its {lifetime} lifetime is left (threshold {thresholdPct}%; a CA this short-lived is judged like a leaf, by the fraction of its life). It should have been rotated by now; when it expires, every certificate under it fails verification at once.',
    },
    forecast: true,
    remediation: [
      '{renew}',
      'Check every level, not just the leaf; each CA level\'s subject, issuer and time left: mtls-doctor diagnose --ca cert-chain.pem',
    ],
    verify: '{x509} -noout -subject -enddate',
  },
  check(ctx) {
    checkCaExpiring(ctx, 'intermediate');
  },
});
