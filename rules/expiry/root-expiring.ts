/**
 * "The CA that expires is rarely the one you're watching": a root CA close to notAfter will break every
 * leaf under it at once. Thresholds in days (defaults: warn 90 d, error 30 d; --thresholds root.warnDays /
 * root.criticalDays).
 */
import { defineRule } from '../../src/engine/define-rule.js';
import { checkCaExpiring } from '../_kit/index.js';

export default defineRule({
  meta: {
    id: 'expiry/root-expiring',
    stage: 'expiry',
    severity: 'warning',
    title: 'Root CA certificate about to expire',
    description: 'A root CA certificate expires within the configured number of days.',
    requires: ['chain'],
    confidence: 0.9,
    messages: {
      expiring:
        'Root CA {cert} expires at {notAfter}, in {left} (threshold {threshold} days). When it does, every certificate under it fails verification at once, however recently the leaves rotated.',
      expiringShortLived:
        'Root CA {cert} expires at {notAfter}, in {left}: only {leftPct}% of its {lifetime} lifetime is left (threshold {thresholdPct}%; a CA this short-lived is judged like a leaf, by the fraction of its life). It should have been rotated by now; when it expires, every certificate under it fails verification at once.',
    },
    forecast: true,
    remediation: [
      '{renew}',
      'Check every level, not just the leaf; each CA level\'s subject, issuer and time left: mtls-doctor diagnose --ca cert-chain.pem',
    ],
    verify: '{x509} -noout -subject -enddate',
  },
  check(ctx) {
    checkCaExpiring(ctx, 'root');
  },
});
