import rule from '../../../rules/chain/ca-material-not-ca.js';
import { testRule } from '../../support/rule-tester.js';
import { evidenceFor, intermediate, leaf, root } from '../../support/pki.js';

testRule(rule, {
  valid: [
    {
      name: 'ca-material-all-cas',
      evidence: async () => {
        const r = await root();
        const i = await intermediate(r);
        return evidenceFor({ chain: [await leaf(i), i], trust: [r], ca: [i, r] });
      },
    },
  ],
  invalid: [
    {
      name: 'leaf-given-as-ca',
      evidence: async () => {
        const r = await root();
        const l = await leaf(r);
        return evidenceFor({ chain: [l], trust: [r], ca: [l, r] });
      },
      errors: [{ messageId: 'notCa', severity: 'warning', subject: 'ca', explanation: /was given as CA material \(--ca\), but it is not a CA certificate \(basicConstraints CA:FALSE\)/ }],
    },
  ],
});
