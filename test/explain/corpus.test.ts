/**
 * `explain` over our own corpus of real incidents (public Q&A pages, blog posts, troubleshooting docs; never
 * GitHub issue threads, where the held-out set comes from). The committed score (corpus/pages.score.json) is
 * the floor: any regression fails. Refresh it after an improvement with
 * `node scripts/run-ts.mjs scripts/explain-corpus.ts --write`.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadCorpus, SCORE_PATH, scoreCorpus, type CorpusScore } from '../support/explain-corpus.js';
import { RULE_IDS } from '../../src/model/rule-id.js';

const cases = loadCorpus();
const committed = JSON.parse(readFileSync(SCORE_PATH, 'utf8')) as CorpusScore;

describe('explain corpus of real incidents', () => {
  it('is well formed: unique ids, a public source that is not a GitHub issue thread, a verbatim paste, a cause', () => {
    expect(cases.length).toBeGreaterThanOrEqual(committed.cases);
    expect(new Set(cases.map((c) => c.id)).size).toBe(cases.length);
    for (const c of cases) {
      expect(c.source, c.id).toMatch(/^https?:\/\//);
      expect(c.source, c.id).not.toMatch(/github\.com\/[^/]+\/[^/]+\/(issues|pull|discussions)\//);
      expect(c.text.trim().length, c.id).toBeGreaterThan(10);
      expect(c.cause.length, c.id).toBeGreaterThan(20);
      if (c.rule === null) expect(c.category, `${c.id}: a cause without a rule names its category`).toBeTruthy();
      else expect(c.rule, c.id).toMatch(/^(expiry|chain|san|key-usage|transport|policy)\/[a-z0-9-]+$/);
    }
  });

  it('names only registered rules', () => {
    const unknown = cases.filter((c) => c.rule !== null && !(RULE_IDS as readonly string[]).includes(c.rule)).map((c) => `${c.id}: ${c.rule}`);
    // Rules the corpus needs before they exist are allowed only while the committed score says so.
    expect(unknown.length, unknown.join('\n')).toBeLessThanOrEqual(committed.unregisteredRules);
  });

  it('scores no worse than the committed score', () => {
    const { score, outcomes } = scoreCorpus(cases);
    const misses = outcomes.filter((o) => o.expected.includes('/') && !o.top3).map((o) => `${o.id}: expected ${o.expected}, got ${o.ranked.slice(0, 3).join(', ') || 'nothing'}`);
    expect(score.rank1, misses.join('\n')).toBeGreaterThanOrEqual(committed.rank1);
    expect(score.top3, misses.join('\n')).toBeGreaterThanOrEqual(committed.top3);
    expect(score.rank1Rate).toBeGreaterThanOrEqual(committed.rank1Rate);
    expect(score.top3Rate).toBeGreaterThanOrEqual(committed.top3Rate);
    expect(score.blamesCertificate, outcomes.filter((o) => o.blamesCertificate).map((o) => o.id).join(', ')).toBeLessThanOrEqual(committed.blamesCertificate);
    expect(score.noAnswer).toBeLessThanOrEqual(committed.noAnswer);
    expect(score.noDecide).toBeLessThanOrEqual(committed.noDecide);
  });
});
