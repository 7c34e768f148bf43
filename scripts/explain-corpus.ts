/**
 * Prints explain's score over the corpus of real incidents (test/explain/corpus/pages.json), one line per miss,
 * and with --write stores it as the committed score the regression test holds (test/explain/corpus/pages.score.json).
 *
 *   node scripts/run-ts.mjs scripts/explain-corpus.ts [--write] [--all]
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadCorpus, scoreCorpus } from '../test/support/explain-corpus.js';

// Run from the project root (the bundle this runs as does not sit beside the sources).
const CORPUS = resolve('test/explain/corpus/pages.json');
const SCORE = resolve('test/explain/corpus/pages.score.json');

const args = process.argv.slice(2);
const { score, outcomes } = scoreCorpus(loadCorpus(CORPUS));
for (const o of outcomes) {
  const miss = (o.expected.includes('/') && !o.rank1) || o.blamesCertificate || o.noAnswer || o.noDecide;
  if (!miss && !args.includes('--all')) continue;
  const marks = [o.rank1 ? 'rank1' : o.top3 ? 'top3' : '', o.blamesCertificate ? 'BLAMES-CERT' : '', o.noAnswer ? 'NO-ANSWER' : '', o.noDecide ? 'no-decide' : ''].filter(Boolean).join(' ');
  console.log(`${o.id}: expected ${o.expected}; got ${o.ranked.slice(0, 3).join(', ') || '(nothing)'} ${marks}`);
}
console.log(JSON.stringify(score, null, 2));
if (args.includes('--write')) writeFileSync(SCORE, JSON.stringify(score, null, 2) + '\n');
