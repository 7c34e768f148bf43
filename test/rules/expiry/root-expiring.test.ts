import rule from '../../../rules/expiry/root-expiring.js';
import { testRule } from '../../support/rule-tester.js';
import { DAY, YEAR, evidenceFor, intermediate, leaf, root, t } from '../../support/pki.js';

/** A healthy chain under a fresh root, plus an old root in the --ca material expiring at `rootNotAfter`. */
const caRootExpiring = (rootNotAfter: number) => async () => {
  const r = await root('Mesh Root CA', { notBefore: t(-10 * YEAR), notAfter: t(rootNotAfter) });
  const fresh = await root('Fresh Root');
  const i = await intermediate(fresh);
  return evidenceFor({ chain: [await leaf(i), i], trust: [fresh], ca: [r] });
};

testRule(rule, {
  valid: [
    { name: 'root with 100 days left', evidence: async () => { const r = await root('Mesh Root CA', { notAfter: t(100 * DAY) }); const i = await intermediate(r, 'I', { notAfter: t(50 * DAY) }); return evidenceFor({ chain: [await leaf(i), i], trust: [r] }); } },
    { name: 'intermediate with 10 days left is not a root', evidence: async () => { const r = await root(); const i = await intermediate(r, 'I', { notAfter: t(10 * DAY) }); return evidenceFor({ chain: [await leaf(i), i], trust: [r] }); } },
  ],
  invalid: [
    {
      name: 'root-expiring: 60 days left on the root the chain ends at',
      evidence: async () => { const r = await root('Mesh Root CA', { notAfter: t(60 * DAY) }); const i = await intermediate(r, 'I', { notAfter: t(30 * DAY) }); return evidenceFor({ chain: [await leaf(i), i], trust: [r] }); },
      errors: [{ messageId: 'expiring', severity: 'warning', explanation: /Mesh Root CA.*in 60d \(threshold 90 days\)/ }],
    },
    {
      name: 'root-expiring-critical: 12 days left',
      evidence: async () => { const r = await root('Mesh Root CA', { notAfter: t(12 * DAY) }); const i = await intermediate(r, 'I', { notAfter: t(11 * DAY) }); return evidenceFor({ chain: [await leaf(i), i], trust: [r] }); },
      errors: [{ messageId: 'expiring', severity: 'error', explanation: /threshold 30 days/ }],
    },
    { name: 'root in --ca material expiring in 40 days', evidence: caRootExpiring(40 * DAY), errors: [{ messageId: 'expiring', subject: 'ca' }] },
  ],
});
