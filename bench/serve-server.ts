/**
 * The server side of `npm run bench:serve`: the real `serve` (createServe, real config, real Slack and webhook
 * handling, the real library diagnose()) whose diagnoses first call a slow fake backend standing in for the
 * cluster API. Usage (from bench/serve.ts): run-ts bench/serve-server.ts CONFIG BACKEND_URL PEM_DIR LOG_FILE
 */
import { createWriteStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { Agent, request } from 'undici';
import { diagnose, MtlsDoctorError, scan } from '../src/index.js';
import { parseOnly } from '../src/cli/main.js';
import { loadConfig } from '../src/serve/config.js';
import { defaultServeDeps } from '../src/serve/deps.js';
import { createServe } from '../src/serve/server.js';

const [configFile, backend, pemDir, logFile] = process.argv.slice(2) as [string, string, string, string];
const chain = readFileSync(join(pemDir, 'chain.pem'), 'utf8');
const trust = readFileSync(join(pemDir, 'root.pem'), 'utf8');
const at = readFileSync(join(pemDir, 'at'), 'utf8').trim();
const log = createWriteStream(logFile);
const toBackend = new Agent({ connections: 64, connectTimeout: 2000 });
const b64 = (pem: string) => Buffer.from(pem).toString('base64');
const SECRET = 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret';
const secretsDump = JSON.stringify({
  configs: [
    { name: 'default', secret: { '@type': SECRET, name: 'default', tls_certificate: { certificate_chain: { inline_bytes: b64(chain) }, private_key: { inline_bytes: b64('[redacted]') } } } },
    { name: 'ROOTCA', secret: { '@type': SECRET, name: 'ROOTCA', validation_context: { trusted_ca: { inline_bytes: b64(trust) } } } },
  ],
});

/** The slow fake cluster: 100-800 ms per call; when it is killed, this throws and the caller is told (like a collector, an unreachable backend is "no evidence", not a crash). */
async function slowCluster(signal: AbortSignal): Promise<void> {
  const res = await request(backend, { dispatcher: toBackend, signal, headersTimeout: 5000, bodyTimeout: 5000 }).catch((e: NodeJS.ErrnoException) => {
    throw new MtlsDoctorError('E_NO_EVIDENCE', `Cannot reach the cluster API: ${e.code ?? e.message}`);
  });
  await res.body.dump();
  if (res.statusCode !== 200) throw new Error(`backend answered ${res.statusCode}`);
}

const serve = createServe(
  loadConfig(configFile),
  defaultServeDeps({
    parseArgv: parseOnly,
    cluster: true,
    log: (line) => void log.write(line),
    // Every chat --peer resolves to one in-cluster Service address.
    resolve: async () => [{ address: '10.96.0.10', family: 4 }],
    diagnose: async (_request, { signal }) => {
      await slowCluster(signal);
      return diagnose({ chain, trust, at });
    },
    // /mtls scan and rotation status: the real scan() over the namespaces asked for, each pod's secrets dump
    // (Envoy's dynamic_active_secrets format) served after the slow fake cluster answered.
    scan: async (req, { signal }) => {
      await slowCluster(signal);
      const names = req.namespaces ?? ['bookinfo'];
      const source = {
        listPods: async () => names.flatMap((namespace) => [0, 1, 2].map((i) => ({ namespace, name: `reviews-${i}`, workload: 'reviews', sidecar: true }))),
        secretsDump: async () => secretsDump,
      };
      return (await scan({ ...req, at }, { source, signal })).report;
    },
  }),
);
if (process.env.BENCH_SERVE_TRACE) {
  const trace = createWriteStream(process.env.BENCH_SERVE_TRACE);
  serve.server.prependListener('connection', (sock) => trace.write(`conn ${sock.remotePort} ${Date.now()}\n`));
  serve.server.prependListener('request', (req, res) => {
    const id = req.headers['x-bench-id'];
    const arrived = Date.now();
    res.on('finish', () => trace.write(`${id} ${arrived} ${Date.now()} port=${req.socket.remotePort} keep=${res.shouldKeepAlive}\n`));
  });
}
// Where the memory is (bench/serve.ts prints the peaks): process.memoryUsage() every 100 ms, written as JSON lines.
if (process.env.BENCH_SERVE_MEM) {
  const mem = createWriteStream(process.env.BENCH_SERVE_MEM);
  setInterval(() => {
    const m = process.memoryUsage();
    mem.write(JSON.stringify({ t: Date.now(), rss: m.rss, heapTotal: m.heapTotal, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers }) + '\n');
  }, 100).unref();
}
// BENCH_SERVE_SNAPSHOT=DIR: heap snapshots (live objects only: taking one collects garbage first) the first time
// heapUsed passes 100, 140 and 180 MB.
if (process.env.BENCH_SERVE_SNAPSHOT) {
  const marks = [100, 140, 180];
  const timer = setInterval(() => {
    const used = process.memoryUsage().heapUsed / 1048576;
    if (used < marks[0]!) return;
    const mark = marks.shift()!;
    const file = writeHeapSnapshot(join(process.env.BENCH_SERVE_SNAPSHOT!, `serve-${mark}.heapsnapshot`));
    process.stderr.write(`heap snapshot at heapUsed ${used.toFixed(0)} MB (after GC ${(process.memoryUsage().heapUsed / 1048576).toFixed(0)} MB): ${file}\n`);
    if (!marks.length) clearInterval(timer);
  }, 200);
  timer.unref();
}
await serve.listen('127.0.0.1', 0);
process.stdout.write(JSON.stringify({ url: serve.url() }) + '\n');
process.on('SIGTERM', () => {
  serve.close().then(() => log.end(() => process.exit(0)));
});
