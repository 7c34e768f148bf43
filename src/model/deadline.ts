/**
 * One deadline for a whole diagnosis (issue 22): every source — the Envoy admin endpoints, the pilot-agent, the
 * Kubernetes API, port-forward and exec streams, the peer probe — waits at most min(its own cap, the time left),
 * so that sources that hang cannot add their caps up. A source cut short records `timedOut` and what was not
 * judged without it (src/model/source-timeout.ts); the verdict is then never `healthy`.
 *
 * Time here is the machine's clock (Date.now), never the injected evaluation clock: `--at` or a test's pinned
 * `now` must not stop a deadline from running.
 */
export interface Deadline {
  /** Epoch ms at which every source must have stopped. */
  readonly at: number;
  /** The whole budget the deadline was set from (ms), for messages. */
  readonly budgetMs: number;
}

export function deadlineIn(budgetMs: number, from: number = Date.now()): Deadline {
  return { at: from + budgetMs, budgetMs };
}

/** A source's own budget from now, or the diagnosis's deadline `d` when that comes first (ties keep its own). */
export function within(budgetMs: number, d: Deadline | undefined, from: number = Date.now()): Deadline {
  const own = deadlineIn(budgetMs, from);
  return d && d.at < own.at ? d : own;
}

/** Milliseconds left before the deadline (negative once it passed); Infinity without a deadline. */
export function msLeft(d: Deadline | undefined): number {
  return d === undefined ? Infinity : d.at - Date.now();
}

/** A source's wait: its own cap, or what is left of the diagnosis when that is less (at least 1 ms). */
export function capMs(ownCapMs: number, d: Deadline | undefined): number {
  return Math.max(1, Math.min(ownCapMs, msLeft(d)));
}

/** The deadline has passed: nothing more should be started. */
export function expired(d: Deadline | undefined): boolean {
  return msLeft(d) <= 0;
}

/** Whole seconds of a budget, as messages say it ("the 8 s deadline of the diagnosis"). */
export function budgetText(d: Deadline): string {
  return `${Math.round(d.budgetMs / 100) / 10} s`;
}

/** Marks a source record as cut short by its cap or the deadline, with what was not judged because of it. */
export function timedOut<T extends { name: string; timedOut?: true; notJudged?: string }>(r: T, notJudged: string): T {
  return { ...r, timedOut: true, notJudged };
}
