/**
 * RFC 5280 §4.2.1.9: pathLenConstraint "gives the maximum number of non-self-issued intermediate
 * certificates that may follow this certificate in a valid certification path". OpenSSL:
 * "path length constraint exceeded".
 */
import { defineRule } from '../../src/engine/define-rule.js';
import { describe, x509Of } from '../_kit/index.js';

export default defineRule({
  meta: {
    id: 'chain/path-length-exceeded',
    stage: 'chain',
    severity: 'critical',
    title: 'Path length constraint exceeded',
    description: 'More intermediate CAs sit below a CA than its pathLenConstraint allows.',
    requires: ['chain'],
    confidence: 0.95,
    citation: 'RFC 5280 §4.2.1.9',
    explains: [
      { symptom: 'verify:path-length', weight: 0.9, why: 'An intermediate was added below a CA whose pathLenConstraint forbids it (e.g. a Vault or PCA intermediate with pathlen 0 issuing istiod\'s CA).' },
      { symptom: 'verify:chain-too-long', weight: 0.3, why: 'Or a CA\'s own pathLenConstraint forbids the chain.' },
      { symptom: 'alert:48', weight: 0.2, why: 'A chain longer than a CA allows fails path building, which some verifiers report as an unknown CA.' },
    ],
    hint: {
      confirm: 'a CA\'s pathLenConstraint is smaller than the number of intermediates below it',
      next: 'openssl x509 -in ca-cert.pem -noout -ext basicConstraints',
      fix: 'Re-issue the upper CA with a larger pathlen, or shorten the chain.',
    },
    messages: {
      exceeded: '{ca} allows at most {max} intermediate CA(s) below it (pathLenConstraint={max}), but the chain has {count} ({names}). Verifiers reject it with "path length constraint exceeded". Common when an Istio intermediate is created under a root or intermediate issued with pathlen:0.',
    },
    remediation: [
      'Re-issue {ca_short} with a larger pathLenConstraint (or none), or issue the workload CA directly under it',
    ],
    verify: '{x509} -noout -ext basicConstraints',
  },
  check(ctx) {
    for (const chain of ctx.facts.chains) {
      const p = chain.path;
      for (let i = 1; i < p.length; i++) {
        const max = p[i]!.basicConstraints?.pathLen;
        if (max === null || max === undefined || !p[i]!.basicConstraints?.ca) continue;
        const below = p.slice(1, i).filter((c) => !c.selfIssued);
        if (below.length <= max) continue;
        ctx.report({
          messageId: 'exceeded',
          subject: chain.subject,
          about: p[i]!.fingerprint,
          data: { ca: describe(p[i]!), ca_short: `"${p[i]!.name}"`, max, count: below.length, names: below.map((c) => `"${c.name}"`).join(', '), x509: x509Of(p[i]!) },
          evidence: [{ source: p[i]!.source, detail: `basicConstraints CA:TRUE, pathlen:${max}` }, ...below.map((c) => ({ source: c.source, detail: `intermediate CA "${c.subject}"` }))],
        });
      }
    }
  },
});
