/**
 * `serve --scan-interval`: the fleet exporter. Scans the configured namespaces (config `scan`, default every
 * namespace) as the exporter identity, one scan at a time (the next starts an interval after the last ended, so a
 * slow fleet never stacks scans), and keeps the last good scan's gauges for /metrics — the same names and labels
 * as `mtls-doctor scan -o prometheus` (src/report/prometheus.ts), so the alert pack of `mtls-doctor alerts`
 * works on one deployment that is also the chat server. A failed scan keeps the previous gauges; its own
 * counters (scans by outcome, the time of the last good one) say how fresh they are.
 */
import { renderPrometheus } from '../report/prometheus.js';
import type { Impersonation } from './authz.js';
import type { ScanContext, ServeDeps, ServeScanRequest } from './deps.js';
import { publicMessage } from './errors.js';
import type { Logger } from './log.js';
import type { ServeMetrics } from './metrics.js';

export interface ExporterOptions {
  intervalMs: number;
  request: ServeScanRequest;
  impersonate: Impersonation | null;
  scan: ServeDeps['scan'];
  logger: Logger;
  metrics: Pick<ServeMetrics, 'scans' | 'scanLastSuccess'>;
  now: () => number;
}

export class FleetExporter {
  private text = '';
  private timer: NodeJS.Timeout | null = null;
  private current: Promise<void> | null = null;
  private readonly ac = new AbortController();
  private stopped = false;

  constructor(private readonly o: ExporterOptions) {}

  /** The last good scan as Prometheus text ('' before the first one). */
  get gauges(): string {
    return this.text;
  }

  /** Starts the first scan now; the next ones follow `intervalMs` after each ends. */
  start(): void {
    if (this.stopped || this.current || this.timer) return;
    this.current = this.runOnce().finally(() => {
      this.current = null;
      if (!this.stopped) this.timer = setTimeout(() => ((this.timer = null), this.start()), this.o.intervalMs).unref();
    });
  }

  /** Stops scanning: a scan in progress is abandoned (its pods are not read further). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.ac.abort();
    await this.current;
  }

  /** One scan; never throws (a failure is counted and logged, and the previous gauges stay). */
  async runOnce(): Promise<void> {
    const t0 = this.o.now();
    try {
      const ctx: ScanContext = { signal: this.ac.signal, impersonate: this.o.impersonate };
      const report = await this.o.scan(this.o.request, ctx);
      this.text = renderPrometheus(report);
      this.o.metrics.scans.inc({ outcome: 'ok' });
      this.o.metrics.scanLastSuccess.set(Math.floor(this.o.now() / 1000));
      this.o.logger.log('info', 'fleet scan', { pods: report.summary.pods, ok: report.summary.ok, failed: report.summary.failed, driftPods: report.summary.driftPods, rotationPhase: report.rotation.phase, violations: report.rotation.violations.length, ms: this.o.now() - t0 });
    } catch (e) {
      if (this.stopped) return;
      this.o.metrics.scans.inc({ outcome: 'failed' });
      // The operator's log has the cause (redacted on the way out); chat never sees it.
      const error = publicMessage(e);
      const detail = String((e as Error)?.message ?? e).split('\n')[0];
      this.o.logger.log('warn', 'fleet scan failed', { error, ...(detail !== error ? { detail } : {}), ms: this.o.now() - t0 });
    }
  }
}

/** Parses --scan-interval: seconds, or a number with s, m or h (30s, 5m, 1h); from 10 s to 24 h. */
export function parseScanInterval(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(s|m|h)?\s*$/i.exec(text);
  const seconds = m ? Number(m[1]) * ({ s: 1, m: 60, h: 3600 } as const)[(m[2]?.toLowerCase() ?? 's') as 's' | 'm' | 'h'] : NaN;
  if (!(seconds >= 10 && seconds <= 86_400)) return NaN;
  return seconds;
}
