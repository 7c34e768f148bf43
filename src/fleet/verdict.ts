/**
 * The verdict of a fleet scan — the one rule behind `scan`'s exit code (src/diagnose/scan.ts `scanExitCode`) and
 * the chat answer (src/report/slack-scan.ts). The classes' and connections' findings are judged by the engine's
 * own verdict (src/engine/run.ts `verdictOf`), so the fleet is never better than one of its connections: failing
 * on a broken connection, an expired, critical or not-yet-valid certificate at any level, a rotation-order
 * violation or pods cut off; at-risk on a warning, a forecast, drift, a trust source a restart would break (a
 * rotation blocker) or a connection that could not be judged both ways; unknown when nothing was read.
 */
import { verdictOf } from '../engine/run.js';
import type { Verdict } from '../model/stage.js';
import type { ExpiryStatus, ScanReport } from './types.js';

const BAD: readonly ExpiryStatus[] = ['expired', 'critical', 'not-yet-valid'];

export function fleetVerdict(r: ScanReport): Verdict {
  if (r.summary.ok === 0) return 'unknown';
  const connections = r.connections ?? [];
  const findings = [...(r.classes ?? []).flatMap((c) => c.findings), ...connections.flatMap((c) => c.findings)];
  const judged = verdictOf(findings, 1);
  if (judged === 'failing' || connections.some((c) => c.verdict === 'failing') || r.certificates.some((c) => BAD.includes(c.status)) || r.rotation.violations.length > 0 || r.trustGaps.length > 0) return 'failing';
  if (judged === 'at-risk' || connections.some((c) => c.verdict !== 'healthy') || r.certificates.some((c) => c.status === 'warning') || r.summary.driftPods > 0 || (r.rotation.blockers?.length ?? 0) > 0) return 'at-risk';
  return 'healthy';
}
