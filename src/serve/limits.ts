/**
 * The three bounds on work a caller can cause: a per-caller rate (sliding one-minute window), a bounded queue in
 * front of a fixed number of workers (full: E_BUSY, 429), and a deadline per diagnosis (E_DEADLINE, 504).
 */
import { ServeError } from './errors.js';

/** At most `perMinute` requests per caller in any 60 s; bounded memory (callers idle for a minute are dropped). */
export class RateLimiter {
  private readonly hits = new Map<string, number[]>();
  constructor(
    private readonly perMinute: number,
    private readonly maxCallers = 50_000,
  ) {}

  /** Throws E_RATE_LIMITED when `caller` is over its rate; otherwise counts this request. */
  take(caller: string, nowMs: number): void {
    const from = nowMs - 60_000;
    const list = (this.hits.get(caller) ?? []).filter((t) => t > from);
    if (list.length >= this.perMinute) {
      this.hits.set(caller, list);
      throw new ServeError('E_RATE_LIMITED', `Too many requests from this caller: at most ${this.perMinute} a minute (limits.perCallerPerMinute)`, { retryAfter: Math.max(1, Math.ceil((list[0]! - from) / 1000)) });
    }
    list.push(nowMs);
    this.hits.delete(caller);
    this.hits.set(caller, list);
    if (this.hits.size > this.maxCallers) {
      for (const [k, v] of this.hits) {
        if (this.hits.size <= this.maxCallers) break;
        if (v.every((t) => t <= from) || this.hits.size > this.maxCallers * 2) this.hits.delete(k);
        else break; // Map order is insertion order: the rest are newer.
      }
    }
  }
}

export interface JobContext {
  /** Aborted at the deadline: cooperative work stops there. */
  signal: AbortSignal;
}

interface Pending<T> {
  run: (ctx: JobContext) => Promise<T>;
  resolve: (v: T) => void;
  reject: (e: unknown) => void;
}

/**
 * `concurrency` workers and at most `capacity` waiting jobs. A job that runs past the deadline is answered with
 * E_DEADLINE at once and its signal is aborted; its worker slot is freed then too, so a backend that hangs cannot
 * take the server down with it (`abandoned` counts such jobs still running).
 */
export class WorkQueue {
  private readonly waiting: Pending<unknown>[] = [];
  private running = 0;
  abandoned = 0;
  constructor(
    private readonly o: { concurrency: number; capacity: number; deadlineMs: number },
    private readonly timers: { setTimeout: typeof setTimeout; clearTimeout: typeof clearTimeout } = { setTimeout, clearTimeout },
  ) {}

  get depth(): number {
    return this.waiting.length;
  }
  get active(): number {
    return this.running;
  }
  /** True when a new job would be refused. */
  get full(): boolean {
    return this.running >= this.o.concurrency && this.waiting.length >= this.o.capacity;
  }

  /** Throws E_BUSY when a new job would be refused: lets a caller shed load before doing any work for it. */
  assertRoom(): void {
    if (this.full) throw new ServeError('E_BUSY', `Busy: ${this.running} diagnoses running and ${this.waiting.length} waiting (limits.queue); try again in a minute`, { retryAfter: 10 });
  }

  /** Queues a job, or throws E_BUSY at once when the queue is full (nothing runs). */
  submit<T>(run: (ctx: JobContext) => Promise<T>): Promise<T> {
    this.assertRoom();
    return new Promise<T>((resolve, reject) => {
      this.waiting.push({ run, resolve, reject } as Pending<unknown>);
      this.pump();
    });
  }

  private pump(): void {
    while (this.running < this.o.concurrency && this.waiting.length) {
      const job = this.waiting.shift()!;
      this.running++;
      this.start(job);
    }
  }

  private start(job: Pending<unknown>): void {
    const ac = new AbortController();
    let settled = false;
    const finish = () => {
      if (settled) return false;
      settled = true;
      this.timers.clearTimeout(timer);
      this.running--;
      this.pump();
      return true;
    };
    const timer = this.timers.setTimeout(() => {
      if (!finish()) return;
      this.abandoned++;
      ac.abort();
      job.reject(new ServeError('E_DEADLINE', `The diagnosis ran past the ${Math.round(this.o.deadlineMs / 1000)} s deadline (limits.deadlineSeconds) and was stopped`));
    }, this.o.deadlineMs);
    let p: Promise<unknown>;
    try {
      p = Promise.resolve(job.run({ signal: ac.signal }));
    } catch (e) {
      p = Promise.reject(e);
    }
    p.then(
      (v) => {
        if (finish()) job.resolve(v);
        else this.abandoned--;
      },
      (e) => {
        if (finish()) job.reject(e);
        else this.abandoned--;
      },
    );
  }
}
