/**
 * Scores `explain` over the corpus of real incidents in test/explain/corpus/pages.json (pasted machine-generated
 * lines, the cause the source established, that cause's rule id or null with a category). Shared by the
 * regression test (test/explain/corpus.test.ts) and `node scripts/run-ts.mjs scripts/explain-corpus.ts`.
 *
 * - rank1 / top3: among the cases whose cause has a rule, how often that rule is the first / among the first
 *   three candidates;
 * - blamesCertificate: among the cases whose cause is not a certificate (no rule, or a transport/policy rule),
 *   how often a certificate-stage candidate (expiry, chain, san, key-usage) is ranked first;
 * - noAnswer: cases with no candidate at all;
 * - noDecide: cases whose report carries no deciding command (`decide` empty or absent);
 * - unregisteredRules: cases whose cause's rule is not registered (yet).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { explainText } from '../../src/explain/explain.js';
import { CERT_STAGES, type Stage } from '../../src/model/stage.js';
import { rules } from '../../rules/index.js';

export interface CorpusCase {
  id: string;
  source: string;
  text: string;
  cause: string;
  rule: string | null;
  category?: string;
}

export interface CaseOutcome {
  id: string;
  expected: string;
  ranked: string[];
  rank1: boolean;
  top3: boolean;
  nonCertificate: boolean;
  blamesCertificate: boolean;
  noAnswer: boolean;
  noDecide: boolean;
}

export interface CorpusScore {
  cases: number;
  withRule: number;
  rank1: number;
  top3: number;
  rank1Rate: number;
  top3Rate: number;
  nonCertificate: number;
  blamesCertificate: number;
  noAnswer: number;
  noDecide: number;
  /** Corpus rule ids that no registered rule carries yet (a miss by construction). */
  unregisteredRules: number;
}

export const CORPUS_PATH = fileURLToPath(new URL('../explain/corpus/pages.json', import.meta.url));
export const SCORE_PATH = fileURLToPath(new URL('../explain/corpus/pages.score.json', import.meta.url));

export function loadCorpus(path = CORPUS_PATH): CorpusCase[] {
  return (JSON.parse(readFileSync(path, 'utf8')) as { cases: CorpusCase[] }).cases;
}

const stageOfRule = new Map<string, Stage>(rules.map((r): [string, Stage] => [r.meta.id, r.meta.stage]));
const certStages = new Set<Stage>(CERT_STAGES);
/** A rule id's stage from its prefix, so that a corpus rule not registered yet still classifies. */
const stageOf = (id: string): Stage | undefined => stageOfRule.get(id) ?? (id.split('/')[0] as Stage);

export function scoreCase(c: CorpusCase, at = '2026-12-01T00:00:00Z'): CaseOutcome {
  const report = explainText(c.text, { at }) as ReturnType<typeof explainText> & { decide?: unknown[] };
  const ranked: string[] = report.findings.map((f) => f.rule);
  const nonCertificate = c.rule === null || !certStages.has(stageOf(c.rule)!);
  const firstStage = report.findings[0]?.stage;
  return {
    id: c.id,
    expected: c.rule ?? `(no rule: ${c.category ?? 'other'})`,
    ranked,
    rank1: c.rule !== null && ranked[0] === c.rule,
    top3: c.rule !== null && ranked.slice(0, 3).includes(c.rule),
    nonCertificate,
    blamesCertificate: nonCertificate && firstStage !== undefined && certStages.has(firstStage),
    noAnswer: ranked.length === 0,
    noDecide: !Array.isArray(report.decide) || report.decide.length === 0,
  };
}

export function scoreCorpus(cases: CorpusCase[] = loadCorpus()): { score: CorpusScore; outcomes: CaseOutcome[] } {
  const outcomes = cases.map((c) => scoreCase(c));
  const withRule = cases.filter((c) => c.rule !== null).length;
  const count = (p: (o: CaseOutcome) => boolean) => outcomes.filter(p).length;
  const rank1 = count((o) => o.rank1);
  const top3 = count((o) => o.top3);
  const rate = (n: number) => (withRule === 0 ? 0 : Math.round((n / withRule) * 1000) / 1000);
  return {
    score: {
      cases: cases.length,
      withRule,
      rank1,
      top3,
      rank1Rate: rate(rank1),
      top3Rate: rate(top3),
      nonCertificate: count((o) => o.nonCertificate),
      blamesCertificate: count((o) => o.blamesCertificate),
      noAnswer: count((o) => o.noAnswer),
      noDecide: count((o) => o.noDecide),
      unregisteredRules: cases.filter((c) => c.rule !== null && !stageOfRule.has(c.rule)).length,
    },
    outcomes,
  };
}
