/**
 * Istio accepts a peer identity only from its own trust domain and the mesh config's `trustDomainAliases`: the
 * inbound SAN matcher is built from them ("trustDomainAliases … Any service with the identity
 * td1/ns/foo/sa/a-service-account, td2/ns/foo/sa/a-service-account, or td3/ns/foo/sa/a-service-account will be
 * treated the same in the Istio mesh", MeshConfig reference). After a trust domain is renamed, workloads keep
 * their old-domain certificates until they rotate; without the old domain as an alias their calls are rejected
 * (RBAC "access denied" or a SAN mismatch in the handshake).
 */
import { defineRule } from '../../src/engine/define-rule.js';

export default defineRule({
  meta: {
    id: 'policy/trust-domain-alias-missing',
    stage: 'policy',
    severity: 'error',
    title: 'A workload identity is in a trust domain the mesh does not accept',
    description: "A workload's SPIFFE ID is in a trust domain that is neither the mesh config's trustDomain nor one of its trustDomainAliases (typically after a trust-domain rename).",
    requires: ['cluster'],
    confidence: 0.85,
    citation: 'Istio MeshConfig trustDomainAliases: identities in the aliases "will be treated the same in the Istio mesh"',
    messages: {
      outside:
        '{who} presents {id}, in trust domain "{found}", but the mesh trust domain is "{trustDomain}" and trustDomainAliases are {aliases}: other workloads will not accept this identity (SAN mismatch, or RBAC "access denied"), though the certificate itself is valid.',
    },
    explains: [
      { symptom: 'verify:san-trust-domain', weight: 0.9, why: "The peer's SPIFFE ID is in a trust domain that is neither the mesh's nor an alias (a trust-domain rename without trustDomainAliases)." },
      { symptom: 'envoy:fail_verify_san', weight: 0.7, why: "Envoy's SAN matcher is built from the trust domain and its aliases: an identity outside them fails the SAN check." },
      { symptom: 'verify:san', weight: 0.4, why: 'The peer identity does not match because its trust domain changed.' },
    ],
    hint: {
      confirm: "a workload's SPIFFE ID trust domain is not meshConfig.trustDomain and not in trustDomainAliases",
      next: "kubectl -n istio-system get configmap istio -o jsonpath='{.data.mesh}'",
      fix: 'Add the old trust domain to meshConfig.trustDomainAliases until every workload is re-issued in the new one.',
    },
    remediation: [
      'Add "{found}" to meshConfig.trustDomainAliases (ConfigMap {source}, key mesh) while workloads move to "{trustDomain}"',
      'Then restart the workloads still holding "{found}" certificates so they are re-issued in "{trustDomain}"',
    ],
    verify: "kubectl -n {cmNamespace} get configmap {cmName} -o jsonpath='{.data.mesh}' | grep -A3 trustDomain",
  },
  applies: (ctx) => !!ctx.facts.cluster?.mesh && ctx.facts.cluster.identities.length > 0,
  check(ctx) {
    const c = ctx.facts.cluster!;
    const mesh = c.mesh!;
    const accepted = new Set([mesh.trustDomain, ...mesh.aliases]);
    const seen = new Set<string>();
    for (const i of c.identities) {
      if (accepted.has(i.trustDomain) || seen.has(`${i.who}|${i.trustDomain}`)) continue;
      seen.add(`${i.who}|${i.trustDomain}`);
      ctx.report({
        messageId: 'outside',
        subject: i.who,
        about: `td:${i.who}:${i.trustDomain}`,
        data: { who: i.who, id: i.id, found: i.trustDomain, trustDomain: mesh.trustDomain, aliases: mesh.aliases.length ? mesh.aliases.map((a) => `"${a}"`).join(', ') : 'none', source: `${mesh.namespace}/${mesh.name}`, cmNamespace: mesh.namespace, cmName: mesh.name },
        evidence: [
          { source: i.who, detail: `SPIFFE ID ${i.id}` },
          { source: mesh.source, detail: `trustDomain ${mesh.trustDomain}; trustDomainAliases ${mesh.aliases.length ? mesh.aliases.join(', ') : '(none)'}` },
        ],
      });
    }
  },
});
