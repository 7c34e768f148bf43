import { usageError } from '../errors.js';

/**
 * Expiry thresholds. A workload leaf is judged by the fraction of its lifetime (Istio leaves live ~24 h and
 * rotate at half-life, SECRET_GRACE_PERIOD_RATIO=0.5); intermediates and roots by days.
 */
export interface Thresholds {
  leaf: {
    /** Warn when less than this fraction of the lifetime remains. */
    warnFraction: number;
    /** Error when less than this fraction remains. */
    criticalFraction: number;
    /** The agent re-signs at this fraction of the lifetime (Istio: 0.5). */
    rotationFraction: number;
    /** How far past the rotation point (fraction of lifetime) before rotation counts as stalled. */
    rotationSlackFraction: number;
  };
  intermediate: { warnDays: number; criticalDays: number };
  root: { warnDays: number; criticalDays: number };
  /** A not-yet-valid certificate that starts within this many minutes points at clock skew. */
  clockSkewMinutes: number;
}

export const DEFAULT_THRESHOLDS: Thresholds = {
  leaf: { warnFraction: 0.25, criticalFraction: 0.1, rotationFraction: 0.5, rotationSlackFraction: 0.1 },
  intermediate: { warnDays: 30, criticalDays: 7 },
  root: { warnDays: 90, criticalDays: 30 },
  clockSkewMinutes: 60,
};

/** Any subset of the thresholds, at any depth (as in a --thresholds file). */
export type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

/** Merges a partial thresholds object (from `--thresholds FILE` or flags) over the defaults, validating it. */
export function resolveThresholds(partial: DeepPartial<Thresholds> | undefined, label = 'thresholds'): Thresholds {
  const t: Thresholds = structuredClone(DEFAULT_THRESHOLDS);
  if (!partial) return t;
  if (typeof partial !== 'object' || Array.isArray(partial)) throw usageError(`Cannot use ${label}: expected a JSON object`);
  const known = new Set(Object.keys(t));
  for (const [k, v] of Object.entries(partial)) {
    if (!known.has(k)) throw usageError(`Cannot use ${label}: unknown key "${k}" (valid: ${[...known].join(', ')})`);
    if (k === 'clockSkewMinutes') {
      t.clockSkewMinutes = num(v, `${label}.${k}`, 0, 100_000);
      continue;
    }
    if (typeof v !== 'object' || v === null) throw usageError(`Cannot use ${label}: "${k}" must be an object`);
    const target = t[k as 'leaf' | 'intermediate' | 'root'] as unknown as Record<string, number>;
    for (const [kk, vv] of Object.entries(v)) {
      if (!(kk in target)) throw usageError(`Cannot use ${label}: unknown key "${k}.${kk}" (valid: ${Object.keys(target).join(', ')})`);
      target[kk] = num(vv, `${label}.${k}.${kk}`, 0, kk.endsWith('Fraction') ? 1 : 100_000);
    }
  }
  if (t.leaf.criticalFraction > t.leaf.warnFraction) throw usageError(`Cannot use ${label}: leaf.criticalFraction must not exceed leaf.warnFraction`);
  for (const lvl of ['intermediate', 'root'] as const) {
    if (t[lvl].criticalDays > t[lvl].warnDays) throw usageError(`Cannot use ${label}: ${lvl}.criticalDays must not exceed ${lvl}.warnDays`);
  }
  return t;
}

function num(v: unknown, name: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    throw usageError(`Cannot use ${name}: expected a number from ${min} to ${max}, got ${JSON.stringify(v)}`);
  }
  return v;
}
