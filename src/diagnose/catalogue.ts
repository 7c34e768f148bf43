import { docsCommand, docsUrl } from '../model/docs.js';
import { usageError } from '../errors.js';
import { renderRuleSection } from '../report/rules-doc.js';
import { rules } from '../../rules/index.js';

/** Every rule's meta as plain data (what `rules -o json` prints). */
export function ruleCatalogue() {
  return rules.map((r) => ({
    id: r.meta.id,
    stage: r.meta.stage,
    severity: r.meta.severity,
    title: r.meta.title,
    description: r.meta.description,
    requires: [...r.meta.requires],
    citation: r.meta.citation ?? null,
    docs: docsUrl(r.meta.id),
  }));
}

/** Edit distance, for "did you mean" on a mistyped rule id or flag. */
export function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
  }
  return d[a.length]![b.length]!;
}

/**
 * `mtls-doctor rules ID`: one rule's docs, offline (the same section as docs/rules.md), as text and as data.
 * An unknown id is a usage error naming the nearest real one.
 */
export function ruleDocs(id: string): { text: string; json: Record<string, unknown> } {
  const rule = rules.find((r) => r.meta.id === id) ?? rules.filter((r) => r.meta.id.endsWith(`/${id}`)).find((_, __, all) => all.length === 1);
  if (!rule) {
    const near = [...rules].map((r) => r.meta.id).sort((a, b) => editDistance(id, a) - editDistance(id, b))[0]!;
    throw usageError(`Cannot show rule "${id}": no such rule; did you mean "${near}"? (mtls-doctor rules lists them all)`);
  }
  const m = rule.meta;
  const entry = ruleCatalogue().find((r) => r.id === m.id)!;
  return {
    json: { ...entry, remediation: [...m.remediation], verify: m.verify, messages: { ...m.messages } },
    text: [...renderRuleSection(rule), '', `(${docsUrl(m.id)} in the package; ${docsCommand(m.id)} prints this offline)`].join('\n') + '\n',
  };
}
