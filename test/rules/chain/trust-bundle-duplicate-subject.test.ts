import rule from '../../../rules/chain/trust-bundle-duplicate-subject.js';
import { testRule } from '../../support/rule-tester.js';
import { DAY, evidenceFor, mesh, root, t, YEAR } from '../../support/pki.js';
import { issue } from '../../../src/x509/issue.js';

const SUBJECT = 'O=cluster.local, CN=Mesh Root CA';

testRule(rule, {
  valid: [
    { name: 'one root', evidence: async () => { const m = await mesh(); return evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root] }); } },
    {
      name: 'two roots with different subjects (a clean rotation)',
      evidence: async () => {
        const m = await mesh();
        const next = await root('Mesh Root CA 2027');
        return evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root, next] });
      },
    },
    {
      name: 'the same root twice (identical bytes) is a plain duplicate, not two CAs',
      evidence: async () => { const m = await mesh(); return evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root, m.root] }); },
    },
  ],
  invalid: [
    {
      name: 'expired-twin: an expired and a renewed root with one subject and one key (envoy#38302)',
      evidence: async () => {
        const m = await mesh();
        const old = await issue({ subject: SUBJECT, notBefore: t(-10 * YEAR), notAfter: t(-2 * DAY), ca: true, keys: m.root.keys });
        return evidenceFor({ chain: [m.leaf, m.inter], trust: [old, m.root] });
      },
      errors: [{ messageId: 'expiredTwin', severity: 'error', subject: 'local', explanation: /1 expired, 1 still valid/ }],
    },
    {
      name: 'different-keys: mid-rotation bundle, two roots of one subject with different keys',
      evidence: async () => {
        const m = await mesh();
        const next = await root('Mesh Root CA', { notBefore: t(-DAY), notAfter: t(10 * YEAR) });
        return evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root, next] });
      },
      errors: [{ messageId: 'differentKeys', severity: 'warning', explanation: /2 different keys/ }],
    },
    {
      name: 'reissued: same key, later notAfter, both valid',
      evidence: async () => {
        const m = await mesh();
        const longer = await issue({ subject: SUBJECT, notBefore: t(-YEAR), notAfter: t(20 * YEAR), ca: true, keys: m.root.keys });
        return evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root, longer] });
      },
      errors: [{ messageId: 'reissued', severity: 'info' }],
    },
    {
      name: 'duplicate subject in the peer trust bundle is the peer side',
      evidence: async () => {
        const m = await mesh();
        const old = await issue({ subject: SUBJECT, notBefore: t(-10 * YEAR), notAfter: t(-2 * DAY), ca: true });
        return evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root], peerTrust: [old, m.root] });
      },
      errors: [{ messageId: 'expiredTwin', subject: 'peer' }],
    },
  ],
});
