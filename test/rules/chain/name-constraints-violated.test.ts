import rule from '../../../rules/chain/name-constraints-violated.js';
import { testRule } from '../../support/rule-tester.js';
import { evidenceFor, intermediate, leaf, root, spiffe, WEB_ID } from '../../support/pki.js';
import { nameConstraints, type Subtree } from '../../x509/ext.js';

/** A mesh whose intermediate carries the given name constraints, and a leaf with the given names. */
async function constrained(nc: { permitted?: Subtree[]; excluded?: Subtree[] }, names: { uris?: string[]; dns?: string[]; ips?: string[] }) {
  const r = await root();
  const i = await intermediate(r, 'Mesh Intermediate CA', { extensions: [nameConstraints(nc)] });
  const l = await leaf(i, { uris: [], ...names });
  return evidenceFor({ chain: [l, i], trust: [r] });
}

testRule(rule, {
  valid: [
    { name: 'SPIFFE ID inside the intermediate\'s trust-domain constraint', evidence: () => constrained({ permitted: [{ uri: 'cluster.local' }] }, { uris: [WEB_ID] }) },
    { name: 'DNS name under a permitted subtree', evidence: () => constrained({ permitted: [{ dns: 'svc.cluster.local' }] }, { uris: [WEB_ID], dns: ['web.demo.svc.cluster.local'] }) },
    { name: 'IP outside an excluded range', evidence: () => constrained({ excluded: [{ ip: '192.168.0.0/16' }] }, { uris: [WEB_ID], ips: ['10.0.0.7'] }) },
  ],
  invalid: [
    {
      name: 'spiffe-other-trust-domain: leaf from another trust domain under a constrained intermediate',
      evidence: () => constrained({ permitted: [{ uri: 'cluster.local' }] }, { uris: [spiffe('demo', 'web', 'east.local')] }),
      errors: [{ messageId: 'notPermitted', severity: 'critical', explanation: /spiffe:\/\/east\.local\/ns\/demo\/sa\/web.*permits only "cluster\.local"/ }],
    },
    {
      name: 'dns-excluded: leaf DNS name in an excluded subtree',
      evidence: () => constrained({ excluded: [{ dns: 'internal.example' }] }, { uris: [WEB_ID], dns: ['db.internal.example'] }),
      errors: [{ messageId: 'excluded', explanation: /"db\.internal\.example", which .* excludes/ }],
    },
    {
      name: 'ip-not-permitted: leaf IP outside the permitted range',
      evidence: () => constrained({ permitted: [{ ip: '10.0.0.0/8' }] }, { uris: [], ips: ['172.16.0.1'] }),
      errors: [{ messageId: 'notPermitted', explanation: /172\.16\.0\.1/ }],
    },
    {
      name: 'wildcard-may-hit-excluded: *.example.com under an excluded bar.example.com',
      evidence: () => constrained({ excluded: [{ dns: 'bar.example.com' }] }, { uris: [], dns: ['*.example.com'] }),
      errors: [{ messageId: 'excluded' }],
    },
  ],
});
