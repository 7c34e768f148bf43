/**
 * `rotation drill --new-ca FILE` (src/cli/fleet.ts declares it): the five steps and two wrong orders simulated
 * (src/diagnose/drill.ts); text, JSON or the markdown runbook. Loaded only when the drill runs.
 */
import { usageError } from '../errors.js';
import { rotationDrill, drillExitCode } from '../diagnose/drill.js';
import type { ScanRequest } from '../diagnose/scan.js';
import { renderDrillMarkdown, renderDrillText } from '../report/drill.js';
import { colorEnabled } from '../report/style.js';
import { outputWidth } from '../report/wrap.js';
import type { Io } from './io.js';

export async function runDrill(args: { newCa?: string; caType?: string; output: string; saveEvidence?: string }, io: Io, setCode: (c: number) => void, request: ScanRequest, onProgress?: (done: number, total: number) => void): Promise<void> {
  if (args.newCa === undefined || args.newCa === '') throw usageError('rotation drill needs --new-ca FILE: the new CA\'s certificates (its root and/or the intermediate that will issue), PEM');
  if (args.saveEvidence) throw usageError('Cannot use --save-evidence with rotation drill: save the scan with `mtls-doctor scan --save-evidence FILE`, then drill it with --evidence FILE');
  const report = await rotationDrill({ ...request, newCa: { path: args.newCa }, ...(args.caType ? { caType: args.caType } : {}) }, onProgress ? { onProgress } : {});
  io.stdout.write(args.output === 'json' ? JSON.stringify(report, null, 2) + '\n' : args.output === 'markdown' ? renderDrillMarkdown(report) : renderDrillText(report, { color: colorEnabled(io.stdout, io.env), width: outputWidth(io.stdout, io.env) }));
  setCode(drillExitCode(report));
}
