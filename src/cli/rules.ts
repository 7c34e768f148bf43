import { docsCommand, docsUrl } from '../engine/define-rule.js';
import { usageError } from '../errors.js';
import { renderRuleSection } from '../report/rules-doc.js';
import { rules } from '../../rules/index.js';
import { ruleCatalogue } from '../diagnose/catalogue.js';
import type { Io } from './main.js';

/** Edit distance, for "did you mean" on a mistyped rule id. */
export function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
  }
  return d[a.length]![b.length]!;
}

/** `mtls-doctor rules ID`: one rule's docs, offline (the same section as docs/rules.md). */
function runOneRule(id: string, format: string, io: Io): number {
  const rule = rules.find((r) => r.meta.id === id) ?? rules.filter((r) => r.meta.id.endsWith(`/${id}`)).find((_, __, all) => all.length === 1);
  if (!rule) {
    const near = [...rules].map((r) => r.meta.id).sort((a, b) => editDistance(id, a) - editDistance(id, b))[0]!;
    throw usageError(`Cannot show rule "${id}": no such rule; did you mean "${near}"? (mtls-doctor rules lists them all)`);
  }
  const m = rule.meta;
  if (format === 'json') {
    const entry = ruleCatalogue().find((r) => r.id === m.id)!;
    io.stdout.write(JSON.stringify({ ...entry, remediation: [...m.remediation], verify: m.verify, messages: { ...m.messages } }, null, 2) + '\n');
  } else io.stdout.write([...renderRuleSection(rule), '', `(${docsUrl(m.id)} in the package; ${docsCommand(m.id)} prints this offline)`].join('\n') + '\n');
  return 0;
}

export function runRules(format: string, io: Io, id?: string): number {
  if (id) return runOneRule(id, format, io);
  const cat = ruleCatalogue();
  if (format === 'json') io.stdout.write(JSON.stringify(cat, null, 2) + '\n');
  else if (format === 'markdown') {
    const lines = ['| rule | stage | severity | finds |', '|---|---|---|---|', ...cat.map((r) => `| \`${r.id}\` | ${r.stage} | ${r.severity} | ${r.description} |`)];
    io.stdout.write(lines.join('\n') + '\n');
  } else {
    const w = Math.max(...cat.map((r) => r.id.length));
    for (const r of cat) io.stdout.write(`${r.id.padEnd(w)}  ${r.severity.padEnd(8)}  ${r.description}\n`);
  }
  return 0;
}
