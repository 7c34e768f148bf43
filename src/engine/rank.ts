/**
 * The ranking of DESIGN.md ("Stages and ranking"), for every face: one order, decided here. Keys, in order:
 *  1. explains the observed symptom — a specific cause before a catch-all, and a catch-all counts only when no
 *     specific finding is broken now on the side whose certificate was rejected;
 *  2. breaks traffic now (critical/error, not a forecast), then at risk (warnings, forecasts), then information;
 *     a catch-all never outranks a specific finding that is broken now on its side;
 *  3. a root cause before its consequences (`causedBy`): a cause is never ranked below its consequence;
 *  4. stage order expiry → chain → san → key-usage → transport → policy;
 *  5. the sooner deadline, then severity, then confidence (then rule order, for a stable result).
 * Pure: findings in, ranked findings out.
 */
import { SEVERITIES, STAGES, type Severity } from '../model/stage.js';
import type { Finding } from '../model/finding.js';
import type { RuleId } from '../model/rule-id.js';

/** What the ranking reads of a finding (a RawFinding has all of it; a report's Finding plus its rule's meta too). */
export interface Rankable {
  rule: RuleId;
  subject: string;
  severity: Severity;
  explainsSymptom: boolean;
  causedBy: RuleId | null;
  /** From the rule's meta: a forecast (something will break), not a failure now. */
  forecast: boolean;
  /** From the rule's meta: a catch-all ("rejected for a reason our evidence does not show"). */
  catchAll: boolean;
}

/** Critical or error, and about now (not a forecast): what breaks traffic now. */
export const brokenNow = (f: Pick<Rankable, 'severity' | 'forecast'>): boolean => (f.severity === 'critical' || f.severity === 'error') && !f.forecast;

/** 0 broken now, 1 at risk (warnings, forecasts), 2 information. */
const urgency = (f: Rankable): number => (brokenNow(f) ? 0 : f.severity === 'info' ? 2 : 1);

/**
 * Is `f` on the side a catch-all points at? A catch-all about our (local) certificate being rejected points at
 * everything but the peer's chain (ours, our CAs); one about the peer's, at everything but ours; any other
 * subject points at no side in particular.
 */
export function onSideOf(catchAll: Pick<Rankable, 'subject'>, f: Pick<Rankable, 'subject'>): boolean {
  if (catchAll.subject === 'local') return f.subject !== 'peer';
  if (catchAll.subject === 'peer') return f.subject !== 'local';
  return true;
}

/** A catch-all outweighed: a specific finding is broken now on the side whose certificate was rejected. */
export function outweighed<T extends Rankable>(f: T, all: readonly T[]): boolean {
  return f.catchAll && all.some((g) => !g.catchAll && brokenNow(g) && onSideOf(f, g));
}

/**
 * The findings that `f` is a consequence of: those of its `causedBy` rule about the same subject, or, when there
 * is none about it, every finding of that rule.
 */
export function causesOf<T extends Pick<Rankable, 'rule' | 'subject' | 'causedBy'>>(f: T, all: readonly T[]): T[] {
  if (f.causedBy === null) return [];
  const ofRule = all.filter((g) => g !== f && g.rule === f.causedBy);
  const same = ofRule.filter((g) => g.subject === f.subject);
  return same.length ? same : ofRule;
}

/** Lower is better: [symptom key, urgency key], as the finding stands on its own. */
function ownKeys<T extends Rankable>(f: T, all: readonly T[]): [number, number] {
  const out = outweighed(f, all);
  // Key 1: a specific explaining finding (0), a catch-all that still explains it (1), the rest (2).
  const symptom = f.explainsSymptom && !out ? (f.catchAll ? 1 : 0) : 2;
  // Key 2: an outweighed catch-all goes after every specific finding that is broken now (0.5).
  const now = urgency(f);
  return [symptom, now === 0 && out ? 0.5 : now];
}

const lexLess = (a: readonly number[], b: readonly number[]) => a[0]! < b[0]! || (a[0] === b[0] && a[1]! < b[1]!);

/**
 * The keys the sort uses: a cause takes the best keys of its consequences (transitively), so a cause is never
 * ranked below what it causes; and the depth of each finding in its `causedBy` chain (0 for a root cause).
 */
function effectiveKeys<T extends Rankable>(all: readonly T[]): Map<T, { keys: [number, number]; depth: number }> {
  const out = new Map(all.map((f) => [f, { keys: ownKeys(f, all), depth: 0 }]));
  const parents = new Map(all.map((f) => [f, causesOf(f, all)]));
  // Depth: the longest causedBy chain above a finding (bounded: a cycle cannot make it grow past the count).
  for (let round = 0; round < all.length; round++) {
    let changed = false;
    for (const f of all) {
      for (const p of parents.get(f)!) {
        const d = Math.min(all.length, out.get(p)!.depth + 1);
        if (d > out.get(f)!.depth) {
          out.get(f)!.depth = d;
          changed = true;
        }
        // Promote the cause to its consequence's keys when those are better.
        if (lexLess(out.get(f)!.keys, out.get(p)!.keys)) {
          out.get(p)!.keys = [...out.get(f)!.keys];
          changed = true;
        }
      }
    }
    if (!changed) break;
  }
  return out;
}

const stageIndex = (s: Finding['stage']) => STAGES.indexOf(s);
const severityIndex = (s: Severity) => SEVERITIES.indexOf(s);

/** What rankFindings needs beyond Rankable. */
export interface RankInput extends Rankable {
  stage: Finding['stage'];
  confidence: number;
  /** When a forecast failure happens (ms); null for findings about now. */
  deadline: number | null;
  /** Position of the rule in the rule list (stable tie-break). */
  order: number;
}

/** Sorts findings by DESIGN.md's keys (see the top of this file); returns a new array. */
export function rankOrder<T extends RankInput>(raw: readonly T[]): T[] {
  const eff = effectiveKeys(raw);
  return [...raw].sort((a, b) => {
    const ea = eff.get(a)!;
    const eb = eff.get(b)!;
    return (
      ea.keys[0] - eb.keys[0] ||
      ea.keys[1] - eb.keys[1] ||
      ea.depth - eb.depth ||
      stageIndex(a.stage) - stageIndex(b.stage) ||
      // Two forecasts: the one that breaks sooner first (an intermediate in 9 days before a root in 10).
      (a.deadline !== null && b.deadline !== null ? a.deadline - b.deadline : 0) ||
      severityIndex(a.severity) - severityIndex(b.severity) ||
      b.confidence - a.confidence ||
      a.order - b.order
    );
  });
}

/** Ranks findings (DESIGN.md's keys): numbered from 1, the ranking's own fields dropped. */
export function rankFindings(raw: ReadonlyArray<Omit<Finding, 'rank'> & RankInput & { about: string | null }>): Finding[] {
  return rankOrder(raw).map(({ about: _about, order: _order, forecast: _forecast, catchAll: _catchAll, deadline: _deadline, ...f }, i) => ({ rank: i + 1, ...f }));
}

/** One way a ranked list breaks the ranking's promises (a test holds every report to none). */
export interface RankingViolation {
  above: { rank: number; rule: RuleId; subject: string };
  below: { rank: number; rule: RuleId; subject: string };
  why: 'info-above-error' | 'catch-all-above-specific' | 'consequence-above-cause';
}

/**
 * Checks a ranked list (best first) against the promises a user reads it by: no INFO above an error unless it
 * explains the observed symptom; no catch-all above a specific finding that is broken now on the side it points
 * at; no consequence above its cause. Empty when the list keeps them.
 */
export function rankingViolations(ranked: readonly Rankable[]): RankingViolation[] {
  const out: RankingViolation[] = [];
  const at = (f: Rankable, i: number) => ({ rank: i + 1, rule: f.rule, subject: f.subject });
  ranked.forEach((a, i) => {
    const causes = new Set(causesOf(a, ranked));
    ranked.forEach((b, j) => {
      if (j <= i) return;
      if (a.severity === 'info' && (b.severity === 'error' || b.severity === 'critical') && !a.explainsSymptom) out.push({ above: at(a, i), below: at(b, j), why: 'info-above-error' });
      if (a.catchAll && !b.catchAll && brokenNow(b) && onSideOf(a, b)) out.push({ above: at(a, i), below: at(b, j), why: 'catch-all-above-specific' });
      if (causes.has(b)) out.push({ above: at(a, i), below: at(b, j), why: 'consequence-above-cause' });
    });
  });
  return out;
}
