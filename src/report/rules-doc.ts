import type { Rule } from '../engine/define-rule.js';
import { STAGES } from './types.js';

/** Anchor of a rule in docs/rules.md: `expiry/leaf-expired` → `expiry-leaf-expired`. */
export const ruleAnchor = (id: string) => id.replace('/', '-');

/** docs/rules.md, generated from every rule's meta (`npm run docs`). */
export function renderRulesDoc(rules: readonly Rule[]): string {
  const out = [
    '# mtls-doctor rules',
    '',
    '<!-- Generated from each rule\'s meta by `npm run docs`; do not edit by hand. -->',
    '',
    'Rules run in stage order: expiry → chain → san → key-usage → transport → policy. A finding caused by an earlier',
    'one is linked to it (`causedBy`) and ranked after it. Findings are ranked: what explains the observed symptom',
    'first (a specific cause before a catch-all); then what breaks traffic now, then what is at risk, then notes;',
    'a cause before its consequences; then stage order; then the sooner deadline and the higher confidence. A',
    'catch-all never ranks above a specific finding that is broken now on the side whose certificate was rejected.',
  ];
  for (const stage of STAGES) {
    const inStage = rules.filter((r) => r.meta.stage === stage);
    if (inStage.length === 0) continue;
    out.push('', `## ${stage}`);
    for (const r of inStage) out.push('', `<a id="${ruleAnchor(r.meta.id)}"></a>`, ...renderRuleSection(r));
  }
  return out.join('\n') + '\n';
}

/**
 * What a template placeholder stands for in the docs, where no finding fills it: a command a reader can adapt
 * (`{x509}` is "read this certificate"), never a bare ‹x509›.
 */
const DOC_PLACEHOLDERS: Record<string, string> = {
  x509: 'openssl x509 -in CERT.pem',
  file: 'CHAIN.pem',
  crlFile: 'CRL.pem',
  peer: 'HOST:PORT',
  max: 'N',
  alpnArg: 'PROTOCOLS',
  verify: 'openssl verify -CAfile ROOT.pem -untrusted CHAIN.pem CHAIN.pem (for a peer: openssl s_client -connect HOST:PORT -CAfile ROOT.pem -showcerts)',
  first: 'If the probe offered no certificate of its own: nothing to fix when the peer is meant to be STRICT; handshake as the workload to test its certificate (mtls-doctor diagnose --peer HOST:PORT --chain CERT-CHAIN.pem --key KEY.pem --trust ROOT-CERT.pem). Otherwise, if the caller is a mesh workload: check it has a sidecar and that its DestinationRule uses tls.mode ISTIO_MUTUAL (istioctl x describe pod CLIENT -n NAMESPACE)',
  second: 'If the caller is outside the mesh on purpose: allow plaintext or TLS on that port only (PeerAuthentication portLevelMtls mode PERMISSIVE) or route it through an ingress gateway',
  renew: 'Renew the CA the way its issuer does (mtls-doctor names which: SPIRE rotates its own CA, cert-manager renews istio-csr\'s, istiod its self-signed one; a plug-in CA means re-issuing cacerts and restarting istiod)',
};

function docText(template: string): string {
  return template.replace(/\{([A-Za-z0-9_]+)\}/g, (_, name: string) => DOC_PLACEHOLDERS[name] ?? name.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase());
}

/** One rule's section of docs/rules.md (also what `mtls-doctor rules ID` prints). */
export function renderRuleSection(r: Rule): string[] {
  const m = r.meta;
  const out = [`### \`${m.id}\` — ${m.title}`, '', m.description, ''];
  out.push(`- Default severity: **${m.severity}**${m.forecast ? ' (a forecast: the verdict is at-risk, the exit code follows --fail-on)' : ''}`);
  if (m.catchAll) out.push('- A catch-all: ranked below any specific finding that is broken now on the side it names');
  if (m.requires.length) out.push(`- Needs: ${m.requires.map((x) => `\`${x}\``).join(', ')}`);
  if (m.citation) out.push(`- Source: ${m.citation}`);
  out.push('- Fix:');
  for (const step of m.remediation) out.push(`  - ${docText(step)}`);
  out.push(`- Verify: \`${docText(m.verify)}\``);
  return out;
}

/** The rule table (docs/diagnose.md, `<!-- generated:rules -->`, links relative to the repository root). */
export function renderRulesTable(rules: readonly Rule[]): string {
  const rows = rules.map((r) => `| [\`${r.meta.id}\`](docs/rules.md#${ruleAnchor(r.meta.id)}) | ${r.meta.severity} | ${r.meta.description} |`);
  return ['| rule | default severity | finds |', '|---|---|---|', ...rows].join('\n');
}
