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
    },
    remediation: [
      'Plan the root rotation now: new root into every trust bundle first, then issue from it, then retire the old one (never issue from a root before every peer trusts it)',
      'Check every level, not just the leaf: mtls-doctor diagnose --ca cert-chain.pem shows each CA\'s remaining validity',
    ],
    verify: '{x509} -noout -subject -enddate',
  },
  check(ctx) {
    checkCaExpiring(ctx, 'root');
  },
});
