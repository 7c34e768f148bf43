/**
 * Istio validates inbound peers by SAN prefix spiffe://<trust-domain>/ for its trust domain and
 * meshConfig.trustDomainAliases (pilot/pkg/security/model/authentication.go). A renamed trust domain without
 * an alias breaks every cross-domain handshake (Envoy fail_verify_san).
 */
import { defineRule } from '../../src/engine/define-rule.js';
import { describe, whose, fileOf, x509Of, expectedIds } from '../../src/engine/rule-helpers.js';
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
        data: { whose: whose(chain), cert: describe(chain.leaf), actual: ids[0]!.trustDomain!, uri: ids[0]!.uri, expectedTd: expected.id.trustDomain, expected: chain.expectedId, file: fileOf(chain.leaf), x509: x509Of(chain.leaf) },
        evidence: [
          { source: chain.leaf.source, detail: `SPIFFE ID ${ids.map((s) => s.uri).join(', ')}` },
          { source: 'expected identity', detail: chain.expectedId },
        ],
      });
    }
  },
});
