/**
 * RFC 5280 §4.2.1.9: "If the cA boolean is not asserted, then the keyCertSign bit in the key usage extension MUST
 * NOT be asserted" (OpenSSL rejects such a certificate). A workload leaf that is itself a CA (cA=TRUE) is
 * accepted by OpenSSL/BoringSSL but refused by rustls/webpki ("CaUsedAsEndEntity", Linkerd) and is a sign the
 * wrong certificate is mounted.
 */
import { defineRule } from '../../src/engine/define-rule.js';
import { describe, whose, x509Of } from '../_kit/index.js';
import { VERIFIERS } from '../../src/x509/verifiers.js';
import { acceptedBy, checkById, gradeFor, labels } from '../_kit/verifier-checks.js';

export default defineRule({
  meta: {
    id: 'chain/leaf-is-ca',
    stage: 'chain',
    severity: 'warning',
    title: 'Leaf certificate has CA flags',
    description: 'The leaf is a CA certificate, or asserts keyCertSign without being a CA.',
    requires: ['chain'],
    confidence: 0.8,
    citation: 'RFC 5280 §4.2.1.9',
    explains: [
      { symptom: 'verify:leaf-is-ca', weight: 0.9, why: 'rustls/webpki refuse a CA certificate used as the end entity (CaUsedAsEndEntity): the wrong certificate is mounted.' },
    ],
    hint: {
      confirm: 'the presented leaf has basicConstraints CA:TRUE (or keyUsage keyCertSign)',
      next: 'openssl x509 -in cert-chain.pem -noout -ext basicConstraints,keyUsage',
      fix: 'Mount the workload certificate, not the CA certificate; issue leaves with CA:FALSE.',
    },
    messages: {
      caLeaf: '{whose} leaf {cert} is a CA certificate (basicConstraints cA=TRUE). {verdict} Usually the CA certificate was mounted where the workload certificate belongs.',
      certSignWithoutCa: '{whose} leaf {cert} asserts keyUsage keyCertSign without basicConstraints cA=TRUE, which RFC 5280 forbids; OpenSSL rejects it ("invalid CA certificate" / unsupported purpose).',
    },
    remediation: ['Issue workload certificates with basicConstraints CA:FALSE and keyUsage digitalSignature, keyEncipherment (cert-manager: isCA: false)'],
    verify: '{x509} -noout -ext basicConstraints,keyUsage',
  },
  check(ctx) {
    for (const chain of ctx.facts.chains) {
      const leaf = chain.leaf;
      const base = { whose: whose(chain), cert: describe(leaf), x509: x509Of(leaf) };
      if (leaf.basicConstraints?.ca) {
        // Verifiers differ here (src/x509/verifiers.ts): graded by the profile in use.
        const check = checkById('leaf-is-ca');
        const grade = gradeFor(check, ctx.facts.verifier);
        const rejects = grade === 'error';
        const here = ctx.facts.verifier;
        const others = check.rejectedBy.filter((id) => id !== here);
        const rustls = '"invalid peer certificate: CaUsedAsEndEntity"';
        const verdict = rejects
          ? `${VERIFIERS[here].label} rejects it (${here === 'ztunnel' ? `${rustls}; ` : ''}${check.source[here]})${others.length ? `; ${labels(others)} also reject it${others.includes('ztunnel') ? ` (${rustls})` : ''}` : ''}; ${labels(acceptedBy(check))} accept it.`
          : `${VERIFIERS[here].label} accepts it (${check.source[here]}); ${labels(check.rejectedBy)} reject it (${rustls}, ${check.source.ztunnel}).`;
        ctx.report({ messageId: 'caLeaf', severity: grade, subject: chain.subject, about: `${leaf.fingerprint}:ca`, data: { ...base, verdict }, evidence: [{ source: leaf.source, detail: 'basicConstraints: CA:TRUE' }] });
      } else if (leaf.keyUsage?.includes('keyCertSign')) {
        ctx.report({ messageId: 'certSignWithoutCa', severity: 'error', subject: chain.subject, about: `${leaf.fingerprint}:ku`, data: base, evidence: [{ source: leaf.source, detail: `keyUsage: ${leaf.keyUsage.join(', ')}; basicConstraints: ${leaf.basicConstraints ? 'CA:FALSE' : 'absent'}` }] });
      }
    }
  },
});
