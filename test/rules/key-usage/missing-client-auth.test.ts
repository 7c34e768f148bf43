import rule from '../../../rules/key-usage/missing-client-auth.js';
import { testRule } from '../../support/rule-tester.js';
import { evidenceFor, mesh } from '../../support/pki.js';
import type { Role } from '../../../src/evidence/types.js';

const leafWith = (eku: string[] | undefined, role: Role) => async () => {
  const m = await mesh({ leaf: { eku } });
  return evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root], role });
};

testRule(rule, {
  valid: [
    { name: 'eku-server-and-client-role-both', evidence: leafWith(['serverAuth', 'clientAuth'], 'both') },
    { name: 'eku-client-and-server-order-swapped', evidence: leafWith(['clientAuth', 'serverAuth'], 'client') },
    { name: 'eku-absent-role-both', evidence: leafWith(undefined, 'both') },
    { name: 'eku-any-extended-key-usage-role-both', evidence: leafWith(['any'], 'both') },
    { name: 'eku-client-only-role-client', evidence: leafWith(['clientAuth'], 'client') },
    // Used only as a TLS server, the certificate needs no clientAuth.
    { name: 'eku-server-only-role-server', evidence: leafWith(['serverAuth'], 'server') },
  ],
  invalid: [
    {
      name: 'eku-server-only-role-both',
      evidence: leafWith(['serverAuth'], 'both'),
      errors: [{ messageId: 'missing', severity: 'critical', subject: 'local', explanation: /^Our leaf .* is used as a TLS client \(a mesh workload is client and server\), but its extended key usage is serverAuth, without clientAuth/ }],
    },
    {
      name: 'eku-server-only-role-client',
      evidence: leafWith(['serverAuth'], 'client'),
      errors: [{ messageId: 'missing', explanation: /is used as a TLS client, but its extended key usage is serverAuth,/ }],
    },
    {
      name: 'eku-code-signing-only-role-client',
      evidence: leafWith(['1.3.6.1.5.5.7.3.3'], 'client'),
      errors: [{ messageId: 'missing', explanation: /extended key usage is codeSigning, without clientAuth/ }],
    },
    {
      name: 'eku-unknown-oid-only-role-both',
      evidence: leafWith(['1.3.6.1.4.1.99999.1'], 'both'),
      errors: [{ messageId: 'missing', explanation: /extended key usage is 1\.3\.6\.1\.4\.1\.99999\.1, without clientAuth/ }],
    },
  ],
});
