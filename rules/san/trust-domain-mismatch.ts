/**
 * Istio validates inbound peers by SAN prefix spiffe://<trust-domain>/ for its trust domain and
 * meshConfig.trustDomainAliases (pilot/pkg/security/model/authentication.go). A renamed trust domain without
 * an alias breaks every cross-domain handshake (Envoy fail_verify_san).
 */
import { defineRule } from '../../src/engine/define-rule.js';
import { describe, expectedIds, whose, x509Of } from '../_kit/index.js';
import { parseSpiffeId } from '../../src/x509/spiffe.js';

export default defineRule({
  meta: {
    id: 'san/trust-domain-mismatch',
    stage: 'san',
    severity: 'critical',
    title: 'Trust domain mismatch',
    description: "The leaf's SPIFFE ID is in a different trust domain than the expected identity.",
    requires: ['chain'],
    confidence: 0.9,
    citation: 'Istio meshConfig.trustDomain / trustDomainAliases',
    explains: [
      { symptom: 'verify:san', weight: 0.65, why: 'The SPIFFE ID has another trust domain (trustDomain changed, federation without trustDomainAliases: istio#41666, #53666).' },
      { symptom: 'verify:san-trust-domain', weight: 0.9, why: 'The SPIFFE IDs in the text name two trust domains: the verifier only accepts its own (trustDomainAliases missing).' },
      { symptom: 'verify:failed', weight: 0.35, why: 'A peer from another trust domain without an alias.', context: 'mesh' },
      { symptom: 'alert:46', weight: 0.65, why: 'Federated or renamed trust domains without aliases (istio#30769, #41666).' },
      { symptom: 'envoy:fail_verify_san', weight: 0.7, why: 'A SPIFFE ID from another trust domain fails the SAN matcher.' },
    ],
    hint: {
      confirm: 'the peer\'s SPIFFE ID trust domain differs from the verifier\'s trust domain and aliases',
      next: 'kubectl -n istio-system get configmap istio -o jsonpath=\'{.data.mesh}\' | grep -iA3 trustDomain',
      fix: 'Add the other trust domain to meshConfig.trustDomainAliases (or align trustDomain across clusters).',
    },
    messages: {
      mismatch: '{whose} leaf {cert} is in trust domain "{actual}" ({uri}), but "{expectedTd}" is expected ({expected}). The verifier\'s SAN matcher rejects it (Envoy fail_verify_san; "SAN matcher" in debug logs). Typical after renaming meshConfig.trustDomain without listing the old name in trustDomainAliases, or across clusters with different trust domains.',
    },
    remediation: [
      'Add the other trust domain to meshConfig.trustDomainAliases on the verifying mesh (istioctl install --set meshConfig.trustDomainAliases[0]={actual}), or re-issue with the expected trust domain',
      'Check the trust domain in use: kubectl get cm istio -n istio-system -o jsonpath="{.data.mesh}" | grep -i trustDomain',
    ],
    verify: '{x509} -noout -ext subjectAltName',
  },
  check(ctx) {
    for (const chain of ctx.facts.chains) {
      if (!chain.expectedId) continue;
      // With several expected identities, the leaf's trust domain is fine when any of them shares it.
      const all = expectedIds(ctx.facts, chain).map(parseSpiffeId);
      const ids = chain.leaf.spiffe.filter((s) => s.ok);
      if (ids.length === 0 || all.some((e) => !e.ok || ids.some((s) => s.trustDomain === e.id.trustDomain))) continue;
      const expected = all[0] as Extract<(typeof all)[number], { ok: true }>;
      ctx.report({
        messageId: 'mismatch',
        subject: chain.subject,
        about: chain.leaf.fingerprint,
        data: { whose: whose(chain), cert: describe(chain.leaf), actual: ids[0]!.trustDomain!, uri: ids[0]!.uri, expectedTd: expected.id.trustDomain, expected: chain.expectedId, x509: x509Of(chain.leaf) },
        evidence: [
          { source: chain.leaf.source, detail: `SPIFFE ID ${ids.map((s) => s.uri).join(', ')}` },
          { source: 'expected identity', detail: chain.expectedId },
        ],
      });
    }
  },
});
