/**
 * RFC 5280 §4.2.1.10: "Conforming CAs MUST mark this extension as critical", "MUST NOT issue certificates where
 * name constraints is an empty sequence", a dNSName constraint is a domain name (no wildcard, no leading period:
 * that form is for URIs), an iPAddress constraint is an address and a prefix mask, and minimum/maximum are 0 and
 * absent. A CA whose constraints cannot be read as intended is rejected by strict verifiers (rustls/webpki,
 * Go for unparseable constraints); one that also constrains a leaf is a profile error.
 */
import { defineRule } from '../../src/engine/define-rule.js';
import { describe, x509Of } from '../_kit/index.js';
import { constraintProblems } from '../../src/x509/name-constraints.js';
import { checkById, gradeFor, verdictSentence, type CheckId } from '../_kit/verifier-checks.js';

export default defineRule({
  meta: {
    id: 'chain/invalid-name-constraints',
    stage: 'chain',
    severity: 'error',
    title: 'Malformed name constraints',
    description: "A certificate's nameConstraints extension is malformed or cannot mean what it says.",
    requires: ['chain'],
    confidence: 0.8,
    citation: 'RFC 5280 §4.2.1.10',
    explains: [
      { symptom: 'verify:bad-encoding', weight: 0.3, why: 'Malformed nameConstraints on a CA are refused by webpki.' },
      { symptom: 'verify:name-constraints', weight: 0.4, why: 'Or the constraints themselves are malformed and cannot mean what was intended.' },
    ],
    hint: {
      confirm: 'a CA\'s nameConstraints is empty, non-critical, or holds a wildcard/leading-dot DNS name',
      next: 'openssl x509 -in ca-cert.pem -noout -ext nameConstraints',
      fix: 'Re-issue the CA with well-formed, critical name constraints.',
    },
    messages: {
      malformed: '{cert} has a nameConstraints extension that is malformed: {problem}. Strict verifiers (rustls/webpki, Go) reject the chain, and lenient ones may not enforce what was meant.',
      notCritical: '{cert} has a nameConstraints extension that is not marked critical. RFC 5280 requires it critical; verifiers that do not understand name constraints would silently ignore them. {verdict}',
      onLeaf: '{cert} is an end-entity certificate with a nameConstraints extension; name constraints belong in CA certificates only and have no effect here. {verdict}',
      leadingPeriod: '{cert} has the DNS name constraint(s) {names} with a leading period, a form RFC 5280 keeps for URI constraints. Verifiers differ: {verdict}',
    },
    remediation: ['Re-issue {cert_short} with a critical nameConstraints extension that lists well-formed subtrees (DNS: "example.com"; IP: address/prefix; URI for SPIFFE: the trust domain, e.g. "cluster.local")'],
    verify: '{x509} -noout -ext nameConstraints',
  },
  check(ctx) {
    for (const chain of ctx.facts.chains) {
      chain.path.forEach((cert, i) => {
        const nc = cert.nameConstraints;
        const defects = cert.defects.filter((d) => d.code === 'malformed-name-constraints');
        if (!nc && defects.length === 0) return;
        const base = { cert: describe(cert), cert_short: `"${cert.name}"`, x509: x509Of(cert) };
        const problems = [...defects.map((d) => d.detail), ...(nc ? [...nc.permitted, ...nc.excluded].map(constraintProblems).filter((p): p is string => p !== null) : [])];
        if (problems.length) {
          ctx.report({ messageId: 'malformed', subject: chain.subject, about: `${cert.fingerprint}:malformed`, data: { ...base, problem: problems.join('; ') }, evidence: [{ source: cert.source, detail: problems.join('; ') }] });
        }
        // Verifier differences (src/x509/verifiers.ts): graded by the profile in use.
        const graded = (id: CheckId) => {
          const check = checkById(id);
          return { severity: gradeFor(check, ctx.facts.verifier), verdict: verdictSentence(check, ctx.facts.verifier) };
        };
        const dotted = nc ? [...nc.permitted, ...nc.excluded].filter((n) => n.type === 'dns' && n.value.startsWith('.')).map((n) => `"${n.value}"`) : [];
        if (i > 0 && dotted.length) {
          const g = graded('name-constraints-dns-leading-period');
          ctx.report({ messageId: 'leadingPeriod', severity: g.severity, subject: chain.subject, about: `${cert.fingerprint}:leading-period`, data: { ...base, names: dotted.join(', '), verdict: g.verdict }, evidence: [{ source: cert.source, detail: `DNS name constraints ${dotted.join(', ')}` }] });
        }
        if (nc && !nc.critical && i > 0) {
          const g = graded('name-constraints-not-critical');
          ctx.report({ messageId: 'notCritical', severity: g.severity, subject: chain.subject, about: `${cert.fingerprint}:critical`, data: { ...base, verdict: g.verdict }, evidence: [{ source: cert.source, detail: 'nameConstraints: not critical' }] });
        }
        if (nc && i === 0 && !cert.basicConstraints?.ca) {
          const g = graded('name-constraints-in-leaf');
          ctx.report({ messageId: 'onLeaf', severity: g.severity, subject: chain.subject, about: `${cert.fingerprint}:leaf`, data: { ...base, verdict: g.verdict }, evidence: [{ source: cert.source, detail: 'nameConstraints on an end-entity certificate' }] });
        }
      });
    }
  },
});
