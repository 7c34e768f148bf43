/**
 * RFC 6125 §6.4.4 / RFC 9525: identity is checked against subjectAltName, not the CN. Istio and Envoy match
 * peers by their SPIFFE URI SAN (`match_subject_alt_names` / `match_typed_subject_alt_names`).
 */
import { defineRule } from '../../src/engine/define-rule.js';
import { describe, whose, x509Of } from '../_kit/index.js';
import { isEmailIdentity } from '../../src/x509/email.js';

export default defineRule({
  meta: {
    id: 'san/missing',
    stage: 'san',
    severity: 'error',
    title: 'Certificate has no subject alternative name',
    description: 'The leaf carries no URI, DNS or IP SAN (nor the email SAN an expected email identity needs), so no identity can be matched (Envoy fail_verify_san).',
    requires: ['chain'],
    confidence: 0.9,
    citation: 'RFC 9525 §6.1; Envoy CertificateValidationContext.match_typed_subject_alt_names',
    explains: [
      { symptom: 'verify:san', weight: 0.3, why: 'The certificate carries no SAN at all.' },
      { symptom: 'verify:no-san', weight: 0.9, why: 'No SAN (or none of the needed type: no IP SAN, Common Name only).' },
      { symptom: 'alert:46', weight: 0.3, why: 'Our certificate has no SAN.' },
    ],
    hint: {
      confirm: 'openssl shows no (or no matching type of) Subject Alternative Name',
      next: 'openssl x509 -in cert-chain.pem -noout -ext subjectAltName',
      fix: 'Re-issue with the SPIFFE URI SAN (and DNS/IP SANs where clients check them).',
    },
    messages: {
      missing: '{whose} leaf {cert} has no subject alternative name{cn}. A mesh identifies workloads by the SPIFFE URI SAN (spiffe://<trust-domain>/ns/<ns>/sa/<sa>): Envoy\'s SAN matcher rejects it (fail_verify_san), and Go/rustls peers reject it outright.',
    },
    remediation: ['Re-issue the certificate with a URI SAN spiffe://TRUST_DOMAIN/ns/NAMESPACE/sa/SERVICE_ACCOUNT (cert-manager: spec.uris; istio-csr sets it for you)'],
    verify: '{x509} -noout -ext subjectAltName',
  },
  check(ctx) {
    for (const chain of ctx.facts.chains) {
      const leaf = chain.leaf;
      if (leaf.sans.some((s) => s.type === 'uri' || s.type === 'dns' || s.type === 'ip')) continue;
      // A client identified by an email address (expected identity `local@domain`): its email SAN is its identity.
      if (chain.expectedId && isEmailIdentity(chain.expectedId) && leaf.sans.some((s) => s.type === 'email')) continue;
      ctx.report({
        messageId: 'missing',
        subject: chain.subject,
        about: leaf.fingerprint,
        data: { whose: whose(chain), cert: describe(leaf), cn: leaf.name && leaf.subject.includes('CN=') ? ` (only the CN "${leaf.name}", which verifiers ignore)` : '', x509: x509Of(leaf) },
        evidence: [{ source: leaf.source, detail: `subjectAltName: ${leaf.sans.length ? leaf.sans.map((s) => `${s.type}:${s.value}`).join(', ') : 'absent'}` }],
      });
    }
  },
});
