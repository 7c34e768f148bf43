import { docsUrl } from '../engine/define-rule.js';
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
