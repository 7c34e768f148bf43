import rule from '../../../rules/chain/bad-signature.js';
import { testRule } from '../../support/rule-tester.js';
import { DAY, YEAR, evidenceFor, intermediate, leaf, mesh, root, t } from '../../support/pki.js';

testRule(rule, {
  valid: [
    { name: 'healthy-chain-every-signature-verifies', evidence: async () => { const m = await mesh(); return evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root] }); } },
    {
      name: 'root-reissued-same-key-new-dates',
      evidence: async () => {
        const m = await mesh();
        const reissued = await root('Mesh Root CA', { keys: m.root.keys, notBefore: t(-DAY), notAfter: t(20 * YEAR) });
        return evidenceFor({ chain: [m.leaf, m.inter], trust: [reissued] });
      },
    },
    {
      name: 'chain-holds-old-and-rekeyed-intermediate-picks-the-signer',
      evidence: async () => {
        const r = await root();
        const oldInter = await intermediate(r);
        const newInter = await intermediate(r); // same name, new key
        const l = await leaf(oldInter, { noAki: true });
        return evidenceFor({ chain: [l, newInter, oldInter], trust: [r] });
      },
    },
    {
      // With an authority key id the re-created root is not taken as the issuer at all: the chain stops and
      // chain/unknown-authority reports it (see its test), not a failing signature.
      name: 'root-recreated-same-name-with-aki-left-to-unknown-authority',
      evidence: async () => {
        const m = await mesh();
        const recreated = await root('Mesh Root CA');
        return evidenceFor({ chain: [m.leaf, m.inter], trust: [recreated] });
      },
    },
  ],
  invalid: [
    {
      name: 'root-recreated-same-name-intermediate-without-aki',
      evidence: async () => {
        const oldRoot = await root('Mesh Root CA');
        const inter = await intermediate(oldRoot, 'Mesh Intermediate CA', { noAki: true });
        const l = await leaf(inter);
        const recreated = await root('Mesh Root CA'); // a reinstall generated a new root under the same name
        return evidenceFor({ chain: [l, inter], trust: [recreated] });
      },
      errors: [{ messageId: 'bad', severity: 'critical', subject: 'local', explanation: /^"Mesh Intermediate CA" .* names "Mesh Root CA" .* as its issuer/ }],
    },
    {
      name: 'intermediate-rekeyed-same-name-leaf-from-old-key',
      evidence: async () => {
        const r = await root();
        const oldInter = await intermediate(r);
        const l = await leaf(oldInter, { noAki: true });
        const newInter = await intermediate(r);
        return evidenceFor({ chain: [l, newInter], trust: [r] });
      },
      errors: [{ messageId: 'bad', explanation: /^"spiffe:\/\/cluster\.local\/ns\/demo\/sa\/web" .* names "Mesh Intermediate CA"/ }],
    },
  ],
});
