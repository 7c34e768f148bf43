import { ruleCatalogue, ruleDocs } from '../diagnose/catalogue.js';
import type { Io } from './io.js';

export function runRules(format: string, io: Io, id?: string): number {
  if (id) {
    const doc = ruleDocs(id);
    io.stdout.write(format === 'json' ? JSON.stringify(doc.json, null, 2) + '\n' : doc.text);
    return 0;
  }
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
