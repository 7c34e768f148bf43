import { docsCommand, docsUrl } from '../model/docs.js';
import { usageError } from '../errors.js';
import { renderRuleSection } from '../report/rules-doc.js';
import { rules } from '../../rules/index.js';
import { editDistance } from './edit-distance.js';

export { editDistance };

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
