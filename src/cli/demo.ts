import { createServer, type Server } from 'node:tls';
import { evaluate } from '../engine/evaluate.js';
import { evidenceFromInputs } from '../evidence/from-inputs.js';
import { brokenMesh, LEDGER_ID as LEDGER, PAYMENTS_ID as PAYMENTS } from '../demo/example.js';
import { probeIntoEvidence } from '../probe/collect.js';
import { renderReport } from '../report/render.js';
import { colorEnabled } from '../report/style.js';
import { outputWidth } from '../report/wrap.js';
import { rules } from '../../rules/index.js';
import { exitCodeForReport } from './diagnose.js';
import type { Io } from './main.js';


/**
 * `mtls-doctor demo`: the 3 AM outage, for real. A local node:tls peer (the `ledger` service) starts on
 * 127.0.0.1 with an ephemeral port, serving a chain whose intermediate CA expired at 02:47; the demo then
 * probes it exactly as the `payments` workload would (its own chain and key, the mesh ALPN) and prints the
 * diagnosis, symptom first. Everything is generated in memory; no key touches the disk; no network beyond
 * loopback.
 */
export async function runDemo(format: string, io: Io): Promise<number> {
  const now = Date.now();
  const { root, inter, payments, ledger } = await brokenMesh(now);

  // The peer: a mesh server that demands a client certificate from the same mesh CA.
  const server: Server = createServer(
    { cert: ledger.pem + inter.pem, key: await ledger.keyPem(), ca: [root.pem], requestCert: true, rejectUnauthorized: true, ALPNProtocols: ['istio-peer-exchange', 'istio'] },
    (s) => {
      s.on('error', () => undefined);
      s.end();
    },
  );
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  try {
    if (format === 'text') {
      io.stdout.write(
        `Built-in example: workload payments (namespace checkout) calls ledger, which is listening on 127.0.0.1:${port}.\n` +
          'Both leaves were rotated 3 hours ago and look fine, yet every mTLS handshake resets.\n' +
          `Probing ledger as payments would (its cert-chain.pem and key, mesh ALPN), then diagnosing:\n\n`,
      );
    }
    const base = evidenceFromInputs({
      chain: { name: 'cert-chain.pem', data: payments.pem + inter.pem + root.pem },
      trust: [{ name: 'root-cert.pem', data: root.pem }],
      key: { name: 'key.pem', data: await payments.keyPem() },
      expectId: PAYMENTS,
      peerId: LEDGER,
      target: { kind: 'example', name: 'payments.checkout → ledger.checkout (built-in example)' },
      now: () => now,
    });
    const evidence = await probeIntoEvidence(base, { peer: { host: '127.0.0.1', port, text: `127.0.0.1:${port}` }, key: await payments.keyPem(), sni: 'outbound_.8080_._.ledger.checkout.svc.cluster.local' });
    const report = evaluate(evidence, rules);
    io.stdout.write(renderReport(report, format, { color: format === 'text' && colorEnabled(io.stdout, io.env), width: outputWidth(io.stdout, io.env) }));
    // The demo shows a failure on purpose; it succeeds when it ran.
    return exitCodeForReport(report, 'error') === 1 ? 0 : 1;
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
