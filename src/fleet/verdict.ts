/**
 * The verdict of a fleet scan — the one rule behind `scan`'s exit code (src/diagnose/scan.ts `scanExitCode`) and
 * the chat answer (src/report/slack-scan.ts): failing on an expired, critical or not-yet-valid certificate at any
 * level, a rotation-order violation or pods cut off; at-risk on a warning or drift; unknown when nothing was read.
 */
import type { Verdict } from '../model/stage.js';
import type { ExpiryStatus, ScanReport } from './types.js';

const BAD: readonly ExpiryStatus[] = ['expired', 'critical', 'not-yet-valid'];

export function fleetVerdict(r: ScanReport): Verdict {
  if (r.summary.ok === 0) return 'unknown';
  if (r.certificates.some((c) => BAD.includes(c.status)) || r.rotation.violations.length > 0 || r.trustGaps.length > 0) return 'failing';
  if (r.certificates.some((c) => c.status === 'warning') || r.summary.driftPods > 0) return 'at-risk';
  return 'healthy';
}
