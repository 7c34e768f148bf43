import rule from '../../../rules/chain/unknown-critical-extension.js';
import { testRule } from '../../support/rule-tester.js';
import { evidenceFor, intermediate, leaf, mesh, root } from '../../support/pki.js';
import { rawExtension } from '../../x509/ext.js';

testRule(rule, {
  valid: [
    { name: 'healthy mesh chain', evidence: async () => { const m = await mesh(); return evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root] }); } },
    { name: 'unknown extension that is not critical', evidence: async () => { const m = await mesh({ leaf: { extensions: [rawExtension('1.3.6.1.4.1.99999.1', false)] } }); return evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root] }); } },
  ],
  invalid: [
    {
      name: 'leaf-unknown-critical: private OID marked critical on the leaf',
      evidence: async () => { const m = await mesh({ leaf: { extensions: [rawExtension('1.3.6.1.4.1.99999.1', true)] } }); return evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root] }); },
      errors: [{ messageId: 'unknown', severity: 'critical', explanation: /1\.3\.6\.1\.4\.1\.99999\.1/ }],
    },
    {
      name: 'intermediate-critical-aia: authorityInfoAccess marked critical, which BoringSSL does not process',
      evidence: async () => {
        const r = await root();
        const i = await intermediate(r, 'Mesh Intermediate CA', { extensions: [rawExtension('1.3.6.1.5.5.7.1.1', true, Uint8Array.from([0x30, 0]))] });
        return evidenceFor({ chain: [await leaf(i), i], trust: [r] });
      },
      errors: [{ messageId: 'unknown', explanation: /Mesh Intermediate CA.*1\.3\.6\.1\.5\.5\.7\.1\.1/ }],
    },
  ],
});
