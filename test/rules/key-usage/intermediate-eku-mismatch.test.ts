import rule from '../../../rules/key-usage/intermediate-eku-mismatch.js';
import { testRule } from '../../support/rule-tester.js';
import { evidenceFor, mesh } from '../../support/pki.js';

const chainWith = (eku: string[] | undefined, role?: 'client' | 'server' | 'both') => async () => {
  const m = await mesh({ inter: eku ? { eku } : {} });
  return evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root], role });
};

testRule(rule, {
  valid: [
    { name: 'intermediate without EKU', evidence: chainWith(undefined) },
    { name: 'intermediate with serverAuth and clientAuth, mesh role', evidence: chainWith(['serverAuth', 'clientAuth']) },
    { name: 'intermediate with anyExtendedKeyUsage', evidence: chainWith(['any']) },
    { name: 'server-only intermediate used as server', evidence: chainWith(['serverAuth'], 'server') },
  ],
  invalid: [
    { name: 'intermediate-eku-email-only: server chain', evidence: chainWith(['1.3.6.1.5.5.7.3.4'], 'server'), errors: [{ messageId: 'mismatch', severity: 'critical', explanation: /emailProtection, without serverAuth/ }] },
    { name: 'intermediate-eku-server-only in a mesh (client side breaks)', evidence: chainWith(['serverAuth']), errors: [{ messageId: 'mismatch', explanation: /without clientAuth/ }] },
  ],
});
