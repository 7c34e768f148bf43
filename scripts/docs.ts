// `npm run docs` builds the CLI, then this regenerates docs/rules.md and docs/verifiers.md from the code, the
// generated tables, and every sample output in README.md and docs/*.md by running the built CLI
// (scripts/docs-samples.ts). test/docs/pages.test.ts fails when any of it is stale.
import { existsSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { rules } from '../rules/index.js';
import { renderRulesDoc } from '../src/report/rules-doc.js';
import { renderVerifiersDoc } from '../src/report/verifiers-doc.js';
import { BIN, fillGenerated, fillSamples, runSamples } from './docs-samples.js';

if (!existsSync(BIN)) {
  console.error(`npm run docs: ${BIN} is missing; run npm run build first (the samples are what the built CLI prints)`);
  process.exit(2);
}
mkdirSync('docs', { recursive: true });
writeFileSync('docs/rules.md', renderRulesDoc(rules));
writeFileSync('docs/verifiers.md', renderVerifiersDoc());
const pages = ['README.md', ...readdirSync('docs').filter((f) => f.endsWith('.md')).map((f) => join('docs', f))];
const runs = await runSamples();
let changed = 0;
for (const page of pages) {
  const before = readFileSync(page, 'utf8');
  const after = fillSamples(fillGenerated(before), runs);
  if (after !== before) {
    writeFileSync(page, after);
    changed++;
    console.log(`updated ${page}`);
  }
}
console.log(`docs/rules.md (${rules.length} rules), docs/verifiers.md; ${runs.size} samples run, ${changed} page(s) changed`);
