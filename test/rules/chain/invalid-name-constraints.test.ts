import rule from '../../../rules/chain/invalid-name-constraints.js';
import { testRule } from '../../support/rule-tester.js';
import { evidenceFor, intermediate, leaf, root } from '../../support/pki.js';
import { nameConstraints, type Subtree } from '../../x509/ext.js';

async function withNc(nc: { permitted?: Subtree[]; excluded?: Subtree[]; critical?: boolean }, onLeaf = false) {
  const r = await root();
  const i = await intermediate(r, 'Mesh Intermediate CA', onLeaf ? {} : { extensions: [nameConstraints(nc)] });
  const l = await leaf(i, onLeaf ? { extensions: [nameConstraints(nc)] } : {});
  return evidenceFor({ chain: [l, i], trust: [r] });
}

testRule(rule, {
  valid: [
    { name: 'critical URI trust-domain constraint', evidence: () => withNc({ permitted: [{ uri: 'cluster.local' }] }) },
    { name: 'URI constraint with a leading period (allowed for URIs)', evidence: () => withNc({ permitted: [{ uri: '.cluster.local' }] }) },
  ],
  invalid: [
    { name: 'dns-wildcard-constraint: "*.example.com" is not a DNS subtree', evidence: () => withNc({ permitted: [{ dns: '*.example.com' }] }), errors: [{ messageId: 'malformed', severity: 'error', explanation: /not a domain name/ }] },
    // Envoy (BoringSSL nc_dns suffix-matches it), Go and rustls-webpki accept a leading period: a note under the default profile.
    { name: 'dns-leading-period-constraint', evidence: () => withNc({ excluded: [{ dns: '.example.com' }] }), errors: [{ messageId: 'leadingPeriod', severity: 'info', explanation: /"\.example\.com" with a leading period.*Envoy \(BoringSSL\) accepts it \(google\/boringssl crypto\/x509\/v3_ncons\.cc nc_dns\(\)/ }] },
    {
      name: 'dns-leading-period-constraint judged strict: an error',
      evidence: async () => { const ev = await withNc({ excluded: [{ dns: '.example.com' }] }); return { ...ev, options: { ...ev.options, verifier: 'strict' as const } }; },
      errors: [{ messageId: 'leadingPeriod', severity: 'error', explanation: /strict \(RFC 5280 \+ CA\/B Forum\) rejects it/ }],
    },
    { name: 'nc-not-critical', evidence: () => withNc({ permitted: [{ uri: 'cluster.local' }], critical: false }), errors: [{ messageId: 'notCritical', severity: 'info', explanation: /Envoy \(BoringSSL\) accepts it/ }] },
    { name: 'nc-on-leaf', evidence: () => withNc({ permitted: [{ uri: 'cluster.local' }] }, true), errors: [{ messageId: 'onLeaf', severity: 'info' }] },
  ],
});
