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
    'one is linked to it (`causedBy`) and ranked after it.',
  ];
  for (const stage of STAGES) {
    const inStage = rules.filter((r) => r.meta.stage === stage);
    if (inStage.length === 0) continue;
    out.push('', `## ${stage}`);
    for (const r of inStage) {
      const m = r.meta;
      out.push('', `<a id="${ruleAnchor(m.id)}"></a>`, `### \`${m.id}\` — ${m.title}`, '', m.description, '');
      out.push(`- Default severity: **${m.severity}**`);
      if (m.requires.length) out.push(`- Needs: ${m.requires.map((x) => `\`${x}\``).join(', ')}`);
      if (m.citation) out.push(`- Source: ${m.citation}`);
      out.push('- Fix:');
      for (const step of m.remediation) out.push(`  - ${step.replace(/\{[A-Za-z0-9_]+\}/g, (p) => `‹${p.slice(1, -1)}›`)}`);
      out.push(`- Verify: \`${m.verify.replace(/\{[A-Za-z0-9_]+\}/g, (p) => `‹${p.slice(1, -1)}›`)}\``);
    }
  }
  return out.join('\n') + '\n';
}

/** The README's rule table (between the `rules:begin` / `rules:end` markers). */
export function renderRulesTable(rules: readonly Rule[]): string {
  const rows = rules.map((r) => `| [\`${r.meta.id}\`](docs/rules.md#${ruleAnchor(r.meta.id)}) | ${r.meta.severity} | ${r.meta.description} |`);
  return ['| rule | default severity | finds |', '|---|---|---|', ...rows].join('\n');
}
