// Regenerates docs/rules.md, docs/verifiers.md and the README rule table from the rules' meta: `npm run docs`.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { rules } from '../rules/index.js';
import { renderRulesDoc, renderRulesTable } from '../src/report/rules-doc.js';
import { renderVerifiersDoc } from '../src/report/verifiers-doc.js';

mkdirSync('docs', { recursive: true });
writeFileSync('docs/rules.md', renderRulesDoc(rules));
writeFileSync('docs/verifiers.md', renderVerifiersDoc());
const readme = readFileSync('README.md', 'utf8');
const next = readme.replace(/<!-- rules:begin -->\n[\s\S]*?<!-- rules:end -->/, `<!-- rules:begin -->\n${renderRulesTable(rules)}\n<!-- rules:end -->`);
writeFileSync('README.md', next);
console.log(`docs/rules.md and the README rule table: ${rules.length} rules; docs/verifiers.md`);
