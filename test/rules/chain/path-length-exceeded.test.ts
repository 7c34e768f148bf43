import rule from '../../../rules/chain/path-length-exceeded.js';
import { testRule } from '../../support/rule-tester.js';
import { YEAR, evidenceFor, intermediate, leaf, mesh, root, t } from '../../support/pki.js';
import { issue } from '../../../src/x509/issue.js';

testRule(rule, {
  valid: [
    { name: 'no-path-length-constraints', evidence: async () => { const m = await mesh(); return evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root] }); } },
    { name: 'intermediate-pathlen-0-issuing-leaf', evidence: async () => { const m = await mesh({ inter: { pathLen: 0 } }); return evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root] }); } },
    { name: 'root-pathlen-1-with-one-intermediate', evidence: async () => { const m = await mesh({ root: { pathLen: 1 } }); return evidenceFor({ chain: [m.leaf, m.inter, m.root], trust: [m.root] }); } },
    {
      name: 'root-pathlen-0-issuing-leaf-directly',
      evidence: async () => { const r = await root('Mesh Root CA', { pathLen: 0 }); const l = await leaf(r); return evidenceFor({ chain: [l], trust: [r] }); },
    },
    {
      // RFC 5280 §4.2.1.9 counts non-self-issued intermediates only: a root key roll-over certificate
      // (same name, new key, signed by the old key) does not use up pathlen:0.
      name: 'root-pathlen-0-with-self-issued-rollover-certificate',
      evidence: async () => {
        const r = await root('Mesh Root CA', { pathLen: 0 });
        const rollover = await issue({ subject: r.subject, notBefore: t(-30 * 24 * 3600_000), notAfter: t(5 * YEAR), ca: true, pathLen: 0, issuer: r });
        const l = await leaf(rollover);
        return evidenceFor({ chain: [l, rollover], trust: [r] });
      },
    },
  ],
  invalid: [
    {
      name: 'root-pathlen-0-with-intermediate',
      evidence: async () => { const m = await mesh({ root: { pathLen: 0 } }); return evidenceFor({ chain: [m.leaf, m.inter], trust: [m.root] }); },
      errors: [{ messageId: 'exceeded', severity: 'critical', subject: 'local', explanation: /^"Mesh Root CA" .* at most 0 intermediate CA\(s\) below it \(pathLenConstraint=0\), but the chain has 1 \("Mesh Intermediate CA"\)/ }],
    },
    {
      name: 'intermediate-pathlen-0-with-sub-ca',
      evidence: async () => {
        const r = await root();
        const i = await intermediate(r, 'Mesh Intermediate CA', { pathLen: 0 });
        const sub = await intermediate(i, 'Istio Workload CA');
        const l = await leaf(sub);
        return evidenceFor({ chain: [l, sub, i], trust: [r] });
      },
      errors: [{ messageId: 'exceeded', explanation: /^"Mesh Intermediate CA" .* but the chain has 1 \("Istio Workload CA"\)/ }],
    },
    {
      name: 'root-pathlen-1-with-two-intermediates',
      evidence: async () => {
        const r = await root('Mesh Root CA', { pathLen: 1 });
        const i = await intermediate(r);
        const sub = await intermediate(i, 'Istio Workload CA');
        const l = await leaf(sub);
        return evidenceFor({ chain: [l, sub, i], trust: [r] });
      },
      errors: [{ messageId: 'exceeded', explanation: /^"Mesh Root CA" .* but the chain has 2 \("Istio Workload CA", "Mesh Intermediate CA"\)/ }],
    },
    {
      name: 'root-and-intermediate-pathlen-0-with-sub-ca',
      evidence: async () => {
        const r = await root('Mesh Root CA', { pathLen: 0 });
        const i = await intermediate(r, 'Mesh Intermediate CA', { pathLen: 0 });
        const sub = await intermediate(i, 'Istio Workload CA');
        const l = await leaf(sub);
        return evidenceFor({ chain: [l, sub, i], trust: [r] });
      },
      errors: [
        { messageId: 'exceeded', explanation: /^"Mesh Intermediate CA" .*\(pathLenConstraint=0\)/ },
        { messageId: 'exceeded', explanation: /^"Mesh Root CA" .* but the chain has 2/ },
      ],
    },
  ],
});
