import rule from '../../../rules/expiry/outlives-issuer.js';
import { testRule } from '../../support/rule-tester.js';
import { DAY, HOUR, YEAR, evidenceFor, intermediate, leaf, root, t } from '../../support/pki.js';

testRule(rule, {
  valid: [
    { name: 'leaf inside its issuer\'s validity', evidence: async () => { const r = await root(); const i = await intermediate(r); return evidenceFor({ chain: [await leaf(i), i], trust: [r] }); } },
    {
      name: 'issuer already expired (that is intermediate-expired, not this)',
      evidence: async () => { const r = await root(); const i = await intermediate(r, 'I', { notAfter: t(-HOUR) }); return evidenceFor({ chain: [await leaf(i), i], trust: [r] }); },
    },
  ],
  invalid: [
    {
      name: 'leaf-outlives-intermediate: 24h leaf, intermediate ends in 5h',
      evidence: async () => { const r = await root(); const i = await intermediate(r, 'Short CA', { notAfter: t(5 * HOUR) }); return evidenceFor({ chain: [await leaf(i), i], trust: [r] }); },
      errors: [{ messageId: 'outlives', severity: 'warning', explanation: /"Short CA".*2026-11-29T08:00:00Z, 17h earlier/ }],
    },
    {
      name: 'intermediate-outlives-root',
      evidence: async () => {
        const r = await root('Old Root', { notAfter: t(100 * DAY) });
        const i = await intermediate(r, 'Long CA', { notAfter: t(2 * YEAR) });
        return evidenceFor({ chain: [await leaf(i), i], trust: [r] });
      },
      errors: [{ messageId: 'outlives', explanation: /"Long CA".*"Old Root"/ }],
    },
  ],
});
