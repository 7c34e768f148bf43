import rule from '../../../rules/chain/malformed-certificate.js';
import { testRule } from '../../support/rule-tester.js';
import { evidenceFor, mesh } from '../../support/pki.js';
import { brokenSan, rawExtension } from '../../x509/ext.js';

testRule(rule, {
  valid: [{ name: 'healthy mesh chain', evidence: async () => { const m = await mesh(); return evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root] }); } }],
  invalid: [
    {
      name: 'malformed-san: subjectAltName that is not valid DER',
      evidence: async () => { const m = await mesh({ leaf: { uris: [], extensions: [brokenSan()] } }); return evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root] }); },
      errors: [{ messageId: 'malformed', severity: 'error', explanation: /2\.5\.29\.17 cannot be decoded/ }],
    },
    {
      name: 'duplicate-extension: certificatePolicies twice on the intermediate',
      evidence: async () => {
        const p = Uint8Array.from([0x30, 0]);
        const m = await mesh({ inter: { extensions: [rawExtension('2.5.29.32', false, p), rawExtension('2.5.29.32', false, p)] } });
        return evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root] });
      },
      errors: [{ messageId: 'malformed', explanation: /appears more than once/ }],
    },
  ],
});
