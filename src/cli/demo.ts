import { evaluate } from '../engine/evaluate.js';
import { evidenceFromInputs } from '../evidence/from-inputs.js';
import { brokenMeshExample } from '../demo/example.js';
import { renderReport } from '../report/render.js';
import { colorEnabled } from '../report/style.js';
import { rules } from '../../rules/index.js';
import { exitCodeForReport } from './diagnose.js';
import type { Io } from './main.js';

/** `mtls-doctor demo`: the 3 AM example, generated in memory and diagnosed end to end. */
export async function runDemo(format: string, io: Io): Promise<number> {
  const now = Date.now();
  const ex = await brokenMeshExample(now);
  if (format === 'text') {
    io.stdout.write(
      'Built-in example: workload payments in namespace checkout; its leaf was rotated 3 hours ago and looks fine,\n' +
        'yet every mTLS handshake resets. Diagnosing its cert-chain.pem against root-cert.pem:\n\n',
    );
  }
  const evidence = evidenceFromInputs({ chain: ex.chain, trust: ex.trust, expectId: ex.expectId, target: { kind: 'example', name: 'payments.checkout (built-in example)' }, now: () => now });
  const report = evaluate(evidence, rules);
  io.stdout.write(renderReport(report, format, { color: format === 'text' && colorEnabled(io.stdout, io.env) }));
  // The demo shows a failure on purpose; it succeeds when it ran.
  return exitCodeForReport(report, 'error') === 1 ? 0 : 1;
}
