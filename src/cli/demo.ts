import { diagnose, exitCode } from '../diagnose/index.js';
import { startExample } from '../demo/example.js';
import { loadRenderer, renderReport } from '../report/render.js';
import { colorEnabled } from '../report/style.js';
import { outputWidth, wrapText } from '../report/wrap.js';
import type { Io } from './io.js';

/**
 * `mtls-doctor demo`: the 3 AM outage, for real. A local node:tls peer (the `ledger` service) starts on
 * 127.0.0.1 with an ephemeral port, serving a chain whose intermediate CA expired at 02:47; the demo then
 * diagnoses it with the request the `payments` workload would send (its own chain and key, a probe with the
 * mesh ALPN), through the same `diagnose()` as every other face. Everything is generated in memory; the
 * certificates (never the key) are written to the demo's directory (one per user, replaced on each run:
 * src/demo/example.ts demoDir) so that the verify commands the report prints name files that exist; no network
 * beyond loopback.
 */

export async function runDemo(format: string, io: Io, start: typeof startExample = startExample): Promise<number> {
  const now = (io.now ?? Date.now)();
  const example = await start(now);
  try {
    const { request, dir } = example;
    const width = outputWidth(io.stdout, io.env);
    if (format === 'text') {
      const preamble = [
        `Built-in example: workload payments (namespace checkout) calls ledger, which is listening on 127.0.0.1:${example.port}.`,
        'Both leaves were rotated 3 hours ago and look fine, yet every mTLS handshake resets.',
        'Probing ledger as payments would (its cert-chain.pem and key, mesh ALPN), then diagnosing.',
        `Its certificates are in ${dir}/ (replaced on each run; the key stays in memory), so the verify commands below run as printed:`,
      ];
      io.stdout.write(`${preamble.map((p) => wrapText(p, width, '')).join('\n')}\n\n`);
    }
    const report = await diagnose(request, { now: () => now, env: io.env });
    await loadRenderer(format);
    io.stdout.write(renderReport(report, format, { color: format === 'text' && colorEnabled(io.stdout, io.env), width }));
    // The demo shows a failure on purpose; it succeeds when it ran.
    return exitCode(report, 'error') === 1 ? 0 : 1;
  } finally {
    await example.close();
  }
}
