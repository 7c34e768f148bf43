/**
 * "The CA that expires is rarely the one you're watching": a intermediate CA close to notAfter will break every
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
    description: 'A intermediate CA certificate expires within the configured number of days.',
    requires: ['chain'],
    confidence: 0.9,
    messages: {
      expiring:
        'Intermediate CA {cert} expires at {notAfter}, in {left} (threshold {threshold} days). When it does, every certificate under it fails verification at once, however recently the leaves rotated.',
    },
    remediation: [
      'Re-issue the intermediate from the root now and roll it out (cacerts Secret, then restart istiod), while the old one is still valid',
      'Check every level, not just the leaf: mtls-doctor diagnose --ca cert-chain.pem shows each CA\'s remaining validity',
    ],
    verify: '{x509} -noout -subject -enddate',
  },
  check(ctx) {
    checkCaExpiring(ctx, 'intermediate');
  },
});
