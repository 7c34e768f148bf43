/**
 * The ranking's promises checked on a JSON report as the CLI prints it (src/engine/rank.ts rankingViolations),
 * the rule meta it needs (forecast, catchAll) read from the registered rules. test/support/ranking-guard.ts checks
 * every ranking made in a test's own process; runCli (test/support/cli.ts) brings the CLI run as a child process
 * under the same check through this.
 */
import { rankingViolations, type RankingViolation } from '../../src/engine/rank.js';
import { rules } from '../../rules/index.js';
import type { RuleId } from '../../src/model/rule-id.js';
import type { Severity } from '../../src/model/stage.js';

const META = new Map(rules.map((r) => [r.meta.id, { forecast: r.meta.forecast === true, catchAll: r.meta.catchAll === true }]));

interface ReportLike {
  schemaVersion?: unknown;
  target?: { kind?: string };
  findings?: Array<{ rule: RuleId; subject: string; severity: Severity; explainsSymptom: boolean; causedBy: RuleId | null; hypothesis?: true }>;
}

/** Violations in a diagnose report; none for anything else (explain's candidates are hypotheses, ordered by likelihood). */
export function reportRankingViolations(report: unknown): RankingViolation[] {
  const r = report as ReportLike;
  if (r === null || typeof r !== 'object' || r.schemaVersion !== 1 || !Array.isArray(r.findings) || r.target?.kind === 'pasted' || r.findings.some((f) => f.hypothesis)) return [];
  return rankingViolations(r.findings.map((f) => ({ ...f, ...(META.get(f.rule) ?? { forecast: false, catchAll: false }) })));
}

/** The guard of test/support/ranking-guard.ts, when the setup file is loaded. */
export function rankingGuard(): { checked: number; pending: Array<{ test: string; violations: RankingViolation[]; ranking: string[] }> } | undefined {
  return (globalThis as Record<symbol, unknown>)[Symbol.for('mtls-doctor.ranking-guard')] as ReturnType<typeof rankingGuard>;
}

/** Checks the JSON reports in a CLI's standard output (one document, or one per line) and hands violations to the guard. */
export function checkCliOutput(stdout: string, test: string): void {
  const guard = rankingGuard();
  if (!guard) return;
  const docs: unknown[] = [];
  const whole = tryJson(stdout);
  if (whole !== undefined) docs.push(whole);
  else for (const line of stdout.split('\n')) if (line.startsWith('{')) docs.push(tryJson(line));
  for (const d of docs) {
    const r = d as ReportLike;
    const violations = reportRankingViolations(d);
    if (r && typeof r === 'object' && r.schemaVersion === 1 && Array.isArray(r.findings)) guard.checked++;
    if (violations.length) guard.pending.push({ test, violations, ranking: (r.findings ?? []).map((f, i) => `${i + 1}. ${f.severity} ${f.rule} (${f.subject})`) });
  }
}

function tryJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}
