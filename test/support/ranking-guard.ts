/**
 * A vitest setup file (vitest.config.ts `setupFiles`): every ranked list the engine produces during the test
 * run — through diagnose(), the CLI run in process (the scenarios, the lab, the faces helpers), the rule
 * tester, serve and scan — is held to the ranking's promises (src/engine/rank.ts `rankingViolations`): no INFO
 * above an error unless it explains the observed symptom, no catch-all above a specific finding that is broken
 * now on its side, no consequence above its cause. The engine's one ranking function is wrapped; a broken
 * promise fails the test that produced the report (or, for a report built in a beforeAll, the next test).
 *
 * Not covered: the CLI started as a child process (dist/cli.cjs), which those same inputs also reach in process,
 * and `explain`, whose candidates are hypotheses ordered by likelihood, not ranked findings.
 */
import { afterAll, afterEach, expect, vi } from 'vitest';
import type { RawFinding } from '../../src/engine/run.js';
import type { Finding } from '../../src/model/finding.js';
import type { RankingViolation } from '../../src/engine/rank.js';

export interface RankingGuard {
  /** Ranked lists checked in this test file so far. */
  checked: number;
  /** Broken promises not yet reported, with the test that produced them. */
  pending: Array<{ test: string; violations: RankingViolation[]; ranking: string[] }>;
}

const guard = vi.hoisted(() => {
  const g = { checked: 0, pending: [] };
  (globalThis as Record<symbol, unknown>)[Symbol.for('mtls-doctor.ranking-guard')] = g;
  return g as RankingGuard;
});

vi.mock('../../src/engine/rank.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/engine/rank.js')>();
  return {
    ...real,
    rankFindings(raw: RawFinding[]): Finding[] {
      const ranked = real.rankFindings(raw);
      // forecast and catchAll are rule meta, the same for every finding of a rule.
      const meta = new Map(raw.map((r) => [r.rule, { forecast: r.forecast, catchAll: r.catchAll }]));
      const violations = real.rankingViolations(ranked.map((f) => ({ ...f, ...meta.get(f.rule)! })));
      guard.checked++;
      if (violations.length) {
        guard.pending.push({
          test: expect.getState().currentTestName ?? '(outside a test)',
          violations,
          ranking: ranked.map((f) => `${f.rank}. ${f.severity} ${f.rule} (${f.subject})${f.explainsSymptom ? ' explains the symptom' : ''}${f.causedBy ? ` caused by ${f.causedBy}` : ''}`),
        });
      }
      return ranked;
    },
  };
});

function report(): void {
  const pending = guard.pending.splice(0);
  if (pending.length === 0) return;
  const text = pending
    .map((p) => `${p.test}:\n${p.violations.map((v) => `  ${v.why}: #${v.above.rank} ${v.above.rule} (${v.above.subject}) above #${v.below.rank} ${v.below.rule} (${v.below.subject})`).join('\n')}\n  ranking:\n${p.ranking.map((r) => `    ${r}`).join('\n')}`)
    .join('\n');
  throw new Error(`The ranking broke its promises (DESIGN.md "Stages and ranking"; src/engine/rank.ts):\n${text}`);
}

afterEach(report);
afterAll(report);
