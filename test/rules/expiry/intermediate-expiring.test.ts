import rule from '../../../rules/expiry/intermediate-expiring.js';
import { testRule } from '../../support/rule-tester.js';
import { DAY, YEAR, evidenceFor, intermediate, leaf, root, t } from '../../support/pki.js';

const chainWith = (interNotAfter: number, thresholds?: object) => async () => {
  const r = await root();
  const i = await intermediate(r, 'Cluster CA', { notBefore: t(-YEAR), notAfter: t(interNotAfter) });
  return evidenceFor({ chain: [await leaf(i), i], trust: [r], thresholds: thresholds as never });
};

testRule(rule, {
  valid: [
    { name: 'intermediate with 31 days left', evidence: chainWith(31 * DAY) },
    { name: 'already-expired intermediate is intermediate-expired, not expiring', evidence: chainWith(-DAY) },
  ],
  invalid: [
    { name: 'intermediate-expiring: 20 days left warns', evidence: chainWith(20 * DAY), errors: [{ messageId: 'expiring', severity: 'warning', explanation: /in 20d \(threshold 30 days\)/ }] },
    { name: 'intermediate-expiring-critical: 3 days left is an error', evidence: chainWith(3 * DAY), errors: [{ messageId: 'expiring', severity: 'error', explanation: /threshold 7 days/ }] },
    { name: 'custom threshold: warn at 60 days', evidence: chainWith(45 * DAY, { intermediate: { warnDays: 60 } }), errors: [{ messageId: 'expiring', severity: 'warning' }] },
  ],
});
