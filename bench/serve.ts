/**
 * `npm run bench:serve`: load and faults against `serve` on loopback. 200 concurrent clients for 30 s mixing
 * valid Slack commands (diagnose, explain), wrongly signed, unsigned, stale and oversize requests, and webhook
 * calls (valid, bad token, oversize); every diagnosis first calls a slow fake backend (100-800 ms), which is
 * killed half-way through. Reports throughput, the Slack acknowledgement latency (p50/p99), the server's peak
 * RSS (VmHWM of the server process itself: run-ts imports the server in-process) and where its memory is (the
 * server samples process.memoryUsage()), and checks that every request got an HTTP answer, every accepted
 * command exactly one answer on its response_url and that the server never crashed. The server runs with the
 * Deployment's V8 heap flags (deploy/serve.yaml NODE_OPTIONS), as in production.
 * Env: BENCH_SERVE_SECONDS (30), BENCH_SERVE_CLIENTS (200); diagnostics: BENCH_SERVE_ONLY=kind,… (a subset of the
 * mix), BENCH_SERVE_TIMELINE=1 (latency by second), BENCH_SERVE_TRACE=FILE (server-side arrival times of requests
 * slower than 3 s), BENCH_SERVE_PROF=DIR (a CPU profile of the server), BENCH_SERVE_DEPLOY_FLAGS=0 (Node's default
 * heap instead of the Deployment's), BENCH_SERVE_NODE_ARGS (more node flags for the server),
 * BENCH_SERVE_SNAPSHOT=DIR (heap snapshots of the server).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Client } from 'undici';
import { parseAllDocuments } from 'yaml';
import { issue } from '../src/x509/issue.js';
import { slackSignature } from '../src/serve/slack-signature.js';

const SECONDS = Number(process.env.BENCH_SERVE_SECONDS ?? 30);
const CLIENTS = Number(process.env.BENCH_SERVE_CLIENTS ?? 200);
const root = process.cwd();
const dir = mkdtempSync(join(tmpdir(), 'mtls-bench-serve-'));
const SECRET = randomUUID() + randomUUID();
const TOKEN = randomUUID() + randomUUID();
const children: ChildProcess[] = [];
const cleanup = () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
};
process.on('exit', cleanup);

const percentile = (xs: number[], p: number) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};

/** Starts a child and resolves with the first JSON line it prints ({url}). */
function startChild(args: string[], name: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    // The first line that is {url} (node flags such as --trace-gc may print before it).
    rl.on('line', (line) => {
      if (/^\{"url":/.test(line)) resolve({ child, url: JSON.parse(line).url });
      else if (process.env.BENCH_SERVE_NODE_ARGS) process.stderr.write(`[${name}] ${line}\n`);
    });
    child.once('exit', (code) => reject(new Error(`${name} exited ${code} before it listened`)));
  });
}

// --- fixtures: a real mesh chain, the config, the secrets
const day = 86_400_000;
const at = Date.parse('2026-11-29T03:00:00Z');
const r = await issue({ subject: 'O=cluster.local, CN=Root', notBefore: new Date(at - 365 * day), notAfter: new Date(at + 3000 * day), ca: true });
const i = await issue({ subject: 'O=cluster.local, CN=Intermediate', issuer: r, notBefore: new Date(at - 30 * day), notAfter: new Date(at - 3600_000), ca: true });
const l = await issue({ subject: 'O=cluster.local', issuer: i, notBefore: new Date(at - 3600_000), notAfter: new Date(at + day), uris: ['spiffe://cluster.local/ns/bookinfo/sa/reviews'], eku: ['serverAuth', 'clientAuth'] });
writeFileSync(join(dir, 'chain.pem'), l.pem + i.pem);
writeFileSync(join(dir, 'root.pem'), r.pem);
writeFileSync(join(dir, 'at'), new Date(at).toISOString());
writeFileSync(join(dir, 'slack'), SECRET);
writeFileSync(join(dir, 'token'), TOKEN);

// --- the response_url stand-in: records every post by path
const posts = new Map<string, Array<'summary' | 'full' | 'error' | 'other'>>();
const stand = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    const kind = body.blocks?.[0]?.type === 'header' ? 'summary' : body.blocks?.[0]?.type === 'markdown' ? 'full' : /^:warning:/.test(body.text ?? '') ? 'error' : 'other';
    const list = posts.get(req.url!) ?? [];
    list.push(kind);
    posts.set(req.url!, list);
    res.end('ok');
  });
});
await new Promise<void>((res) => stand.listen(0, '127.0.0.1', res));
const standUrl = `http://127.0.0.1:${(stand.address() as AddressInfo).port}/`;

writeFileSync(
  join(dir, 'serve.json'),
  JSON.stringify({
    slack: { signingSecretFile: join(dir, 'slack'), responseUrlPrefix: standUrl, channels: { C1: ['bookinfo'] } },
    tokens: [{ name: 'bench', tokenFile: join(dir, 'token'), namespaces: ['bookinfo'] }],
    limits: { bodyBytes: 256 * 1024, perCallerPerMinute: 1_000_000, queue: 64, concurrency: 8, deadlineSeconds: 10, syncWaitSeconds: 5 },
    cluster: { peerCidrs: ['10.96.0.0/12'] },
  }),
);

// --- the slow fake backend (its own process, so that it can be killed) and the server
const backendSrc = `require('http').createServer((q,s)=>setTimeout(()=>s.end('{}'),100+Math.random()*700)).listen(0,'127.0.0.1',function(){console.log(JSON.stringify({url:'http://127.0.0.1:'+this.address().port+'/'}))})`;
const backend = await startChild(['-e', backendSrc], 'fake backend');
const logFile = join(dir, 'serve.log');
// The server samples its own process.memoryUsage() (bench/serve-server.ts): where its RSS goes.
const memFile = join(dir, 'mem.jsonl');
process.env.BENCH_SERVE_MEM = memFile;
const prof = process.env.BENCH_SERVE_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_SERVE_PROF}`] : [];
// The server runs with the Deployment's V8 heap flags (deploy/serve.yaml, NODE_OPTIONS of the serve container),
// as in production; BENCH_SERVE_DEPLOY_FLAGS=0 runs it with Node's defaults instead (the heap sized from this
// machine's RAM). BENCH_SERVE_NODE_ARGS: more node flags (diagnostics: --trace-gc; later flags win).
const deployment = parseAllDocuments(readFileSync(join(root, 'deploy', 'serve.yaml'), 'utf8')).map((d) => d.toJS()).find((d) => d?.kind === 'Deployment');
const deployFlags: string[] = String(deployment?.spec.template.spec.containers[0].env?.find((e: { name: string }) => e.name === 'NODE_OPTIONS')?.value ?? '').split(/\s+/).filter(Boolean);
const nodeArgs = [...(process.env.BENCH_SERVE_DEPLOY_FLAGS === '0' ? [] : deployFlags), ...(process.env.BENCH_SERVE_NODE_ARGS?.split(/\s+/).filter(Boolean) ?? [])];
const server = await startChild([...nodeArgs, ...prof, join(root, 'scripts', 'run-ts.mjs'), join(root, 'bench', 'serve-server.ts'), join(dir, 'serve.json'), backend.url, dir, logFile], 'serve');
let serverExit: number | null | string = null;
let serverExitDuringRun: number | null | string = null;
server.child.on('exit', (code, sig) => (serverExit = code ?? sig));

// --- the load
// One connection per client, as 200 independent callers have: a shared pool's queue is not fair under churn
// (a request queued while a connection reconnects can wait behind every request submitted later).
const clients = Array.from({ length: CLIENTS }, () => new Client(server.url, { pipelining: 1, headersTimeout: 30_000, bodyTimeout: 30_000 }));
const pool = clients[0]!;
type Kind = 'slack-diagnose' | 'slack-scan' | 'slack-explain' | 'slack-wrong-signature' | 'slack-unsigned' | 'slack-stale' | 'slack-oversize' | 'webhook' | 'webhook-bad-token' | 'webhook-oversize';
const MIX: Array<[Kind, number]> = [['slack-diagnose', 30], ['slack-scan', 5], ['slack-explain', 10], ['slack-wrong-signature', 10], ['slack-unsigned', 10], ['slack-stale', 5], ['slack-oversize', 5], ['webhook', 15], ['webhook-bad-token', 5], ['webhook-oversize', 5]];
if (process.env.BENCH_SERVE_ONLY) MIX.splice(0, MIX.length, ...MIX.filter(([k]) => process.env.BENCH_SERVE_ONLY!.split(',').includes(k)));
const total = MIX.reduce((a, [, w]) => a + w, 0);
const pick = (): Kind => {
  let x = Math.random() * total;
  for (const [k, w] of MIX) if ((x -= w) < 0) return k;
  return 'slack-diagnose';
};
const statuses = new Map<string, number>();
const count = (k: string) => statuses.set(k, (statuses.get(k) ?? 0) + 1);
const ackMs: number[] = [];
const byKindMs = new Map<Kind, number[]>();
const prevKind = new Map<Client, string>();
const timeline: Array<[number, number]> = [];
let runStart = performance.now();
let measuring = false;
/** Accepted commands by response_url path, and the answer each is owed: a summary and a full report, or (rotation status) one message. */
const accepted = new Map<string, 'report' | 'rotation'>();
const webhook202: string[] = [];
let sent = 0;
let transportErrors = 0;
const chain = readFileSync(join(dir, 'chain.pem'), 'utf8');
const trust = readFileSync(join(dir, 'root.pem'), 'utf8');
// Oversize bodies: 2 MiB, over the body limit and over the old 1 MiB drain window (answered, then reset before
// issue 22's lingering close), inside LINGER_BYTES (16 MiB): every one must get its 413 or 401.
const bigBody = 'x'.repeat(2 * 1024 * 1024);
const rss: number[] = [];
const procStatus = (pid: number, field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;
const sampler = setInterval(() => {
  try {
    rss.push(procStatus(server.child.pid!, 'VmRSS'));
  } catch {}
}, 500);

function slackBody(text: string, id: string): string {
  return new URLSearchParams({ command: '/mtls', text, team_id: 'T1', user_id: `U${Math.floor(Math.random() * 1000)}`, channel_id: 'C1', response_url: `${standUrl}r/${id}` }).toString();
}

async function one(kind: Kind, client: Client): Promise<void> {
  const id = randomUUID();
  const now = Math.floor(Date.now() / 1000);
  let path = '/slack/commands';
  let headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  let body = '';
  if (kind.startsWith('slack')) {
    body =
      kind === 'slack-explain'
        ? slackBody('explain "TLS error: 268436504:SSL routines:OPENSSL_internal:TLSV1_ALERT_UNKNOWN_CA"', id)
        : kind === 'slack-scan'
          ? slackBody(Math.random() < 0.5 ? 'scan -n bookinfo' : 'rotation status', id)
          : slackBody(`diagnose --peer ratings.bookinfo:9080 --symptom "bench ${id}"`, id);
    if (kind === 'slack-oversize') body += '&pad=' + bigBody;
    const ts = kind === 'slack-stale' ? now - 600 : now;
    if (kind !== 'slack-unsigned') {
      headers['x-slack-request-timestamp'] = String(ts);
      headers['x-slack-signature'] = kind === 'slack-wrong-signature' ? slackSignature('wrong-secret-0123456789', ts, body) : slackSignature(SECRET, ts, body);
    }
  } else {
    path = '/v1/diagnoses';
    headers = { 'content-type': 'application/json', authorization: `Bearer ${kind === 'webhook-bad-token' ? 'nope' + TOKEN.slice(4) : TOKEN}` };
    body = kind === 'webhook-oversize' ? JSON.stringify({ symptom: bigBody }) : JSON.stringify({ chain, trust, at: new Date(at).toISOString() });
  }
  const t0 = performance.now();
  const counted = measuring;
  if (counted) sent++;
  try {
    const sentAt = Date.now();
    const res = await client.request({ path, method: 'POST', headers: { ...headers, 'x-bench-id': id }, body });
    const text = await res.body.text();
    const ms = performance.now() - t0;
    let label = `${res.statusCode}`;
    if ((kind === 'slack-diagnose' || kind === 'slack-scan') && res.statusCode === 200) {
      const j = JSON.parse(text);
      if (/Diagnosing|Scanning|Reading the CA rotation/.test(j.text)) {
        // Warm-up commands too: every accepted command must get its one answer.
        accepted.set(`/r/${id}`, /Reading the CA rotation/.test(j.text) ? 'rotation' : 'report');
        label += ' accepted';
      } else label += /Busy/.test(j.text) ? ' busy' : ` ${String(j.text).slice(0, 40)}`;
    }
    if (kind === 'webhook' && res.statusCode === 202) webhook202.push(JSON.parse(text).id);
    if (!counted) return;
    if (process.env.BENCH_SERVE_TRACE && ms > 3000) console.log(`SLOW ${id} ${kind} ${res.statusCode} sent=${sentAt} done=${Date.now()} prev=${prevKind.get(client)}`);
    if (kind.startsWith('slack')) ackMs.push(ms);
    (byKindMs.get(kind) ?? byKindMs.set(kind, []).get(kind)!).push(ms);
    timeline.push([t0 - runStart, ms]);
    count(`${kind} ${label}`);
    prevKind.set(client, `${kind}/${res.statusCode}`);
  } catch (e) {
    if (!counted) return;
    transportErrors++;
    count(`${kind} transport-error ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

// Warm-up (not counted): every kind once per client, so connections exist and the server's code is compiled.
await Promise.all(clients.map((c, n) => one(MIX[n % MIX.length]![0], c)));
await new Promise((res) => setTimeout(res, 2000));
measuring = true;
const t0 = Date.now();
runStart = performance.now();
const end = t0 + SECONDS * 1000;
let backendKilledAt = 0;
const killer = setTimeout(() => {
  backend.child.kill('SIGKILL');
  backendKilledAt = (Date.now() - t0) / 1000;
}, (SECONDS * 1000) / 2);
await Promise.all(
  clients.map(async (c) => {
    while (Date.now() < end) await one(pick(), c);
  }),
);
clearTimeout(killer);
const elapsed = (Date.now() - t0) / 1000;

// --- drain: every accepted command must get its one answer (deadline 10 s + posting)
const drainUntil = Date.now() + 30_000;
const answered = () => [...accepted].filter(([p, owed]) => (posts.get(p) ?? []).some((k) => k === (owed === 'rotation' ? 'summary' : 'full') || k === 'error')).length;
while (answered() < accepted.size && Date.now() < drainUntil) await new Promise((res) => setTimeout(res, 200));
await new Promise((res) => setTimeout(res, 1000));
// The 202s: each one's answer by polling once.
const polled = new Map<number, number>();
for (const id of webhook202) {
  const res = await pool.request({ path: `/v1/diagnoses/${id}`, method: 'GET', headers: { authorization: `Bearer ${TOKEN}` } });
  await res.body.dump();
  polled.set(res.statusCode, (polled.get(res.statusCode) ?? 0) + 1);
}
const health = await pool.request({ path: '/healthz', method: 'GET' }).then(async (res) => (await res.body.dump(), res.statusCode), (e) => String(e));
clearInterval(sampler);
const peakRss = procStatus(server.child.pid!, 'VmHWM');
serverExitDuringRun = serverExit;

let exactlyOnce = 0;
let lost = 0;
let duplicated = 0;
for (const [p, owed] of accepted) {
  const k = posts.get(p) ?? [];
  const ok = (owed === 'report' ? k.length === 2 && k.includes('summary') && k.includes('full') : k.length === 1 && k[0] === 'summary') || (k.length === 1 && k[0] === 'error');
  if (ok) exactlyOnce++;
  else if (k.length === 0) lost++;
  else duplicated++;
}
const unexpected = [...posts.keys()].filter((p) => !accepted.has(p)).length;
const metricsText = await pool.request({ path: '/metrics', method: 'GET' }).then((res) => res.body.text(), () => '');
const metric = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(metricsText)?.[1] ?? NaN);
const audit = readFileSync(logFile, 'utf8').split('\n').filter((x) => x.includes('"msg":"audit"')).map((x) => JSON.parse(x));
const auditLines = audit.length;
// The server's own view of the acknowledgement: from the request's arrival to its answer (no client-side queueing).
const serverAckMs = audit.filter((a) => a.route === 'slack').map((a) => a.ms as number);
server.child.kill('SIGTERM');
await new Promise((res) => server.child.once('exit', res));
await Promise.all(clients.map((c) => c.close()));
stand.close();

function f(n: number) {
  return Number.isFinite(n) ? n.toFixed(1) : 'n/a';
}
console.log(`bench:serve — ${CLIENTS} concurrent clients for ${f(elapsed)} s on loopback (this machine is shared and loaded: figures are indicative)`);
console.log(`  requests: ${sent} sent, ${f(sent / elapsed)} req/s; without an HTTP answer (transport errors): ${transportErrors}`);
console.log(`  Slack acknowledgement (every /slack/commands answer, n=${ackMs.length}): p50 ${f(percentile(ackMs, 50))} ms, p99 ${f(percentile(ackMs, 99))} ms, max ${f(Math.max(...ackMs))} ms`);
console.log(`  Slack acknowledgement as the server timed it (audit "ms", n=${serverAckMs.length}): p50 ${f(percentile(serverAckMs, 50))} ms, p99 ${f(percentile(serverAckMs, 99))} ms, max ${f(Math.max(...serverAckMs))} ms`);
console.log(`  server event-loop lag (prom-client): p50 ${f(metric('mtls_doctor_serve_nodejs_eventloop_lag_p50_seconds') * 1000)} ms, p99 ${f(metric('mtls_doctor_serve_nodejs_eventloop_lag_p99_seconds') * 1000)} ms, max ${f(metric('mtls_doctor_serve_nodejs_eventloop_lag_max_seconds') * 1000)} ms`);
console.log(`  server node flags: ${nodeArgs.join(' ') || '(none: Node defaults)'}${process.env.BENCH_SERVE_DEPLOY_FLAGS === '0' ? ' (BENCH_SERVE_DEPLOY_FLAGS=0)' : ' (deploy/serve.yaml NODE_OPTIONS)'}`);
console.log(`  server RSS: peak ${f(peakRss)} MiB (VmHWM), max sampled ${f(Math.max(...rss))} MiB, last ${f(rss.at(-1) ?? NaN)} MiB`);
{
  type Mem = { t: number; rss: number; heapTotal: number; heapUsed: number; external: number; arrayBuffers: number };
  const mem: Mem[] = readFileSync(memFile, 'utf8').split('\n').filter(Boolean).map((x) => JSON.parse(x));
  const MiB = (n: number) => f(n / 1048576);
  const peakOf = (k: keyof Mem) => Math.max(...mem.map((m) => m[k]));
  const atPeak = mem.reduce((a, m) => (m.rss > a.rss ? m : a), mem[0]!);
  console.log(`  server memory (process.memoryUsage every 100 ms, n=${mem.length}): peaks rss ${MiB(peakOf('rss'))}, heapTotal ${MiB(peakOf('heapTotal'))}, heapUsed ${MiB(peakOf('heapUsed'))}, external ${MiB(peakOf('external'))}, arrayBuffers ${MiB(peakOf('arrayBuffers'))} MiB`);
  console.log(`    at the rss peak: heapTotal ${MiB(atPeak.heapTotal)}, heapUsed ${MiB(atPeak.heapUsed)}, external ${MiB(atPeak.external)}, arrayBuffers ${MiB(atPeak.arrayBuffers)} MiB`);
}
console.log(`  fake backend killed at ${f(backendKilledAt)} s; server exit during run: ${serverExitDuringRun ?? 'none'}; /healthz after the run: ${health}`);
console.log(`  accepted Slack diagnoses and scans (warm-up included): ${accepted.size}; answered exactly once: ${exactlyOnce}; lost: ${lost}; duplicated/partial: ${duplicated}; posts for unaccepted commands: ${unexpected}`);
console.log(`  webhook 202s polled afterwards: ${[...polled].map(([s, n]) => `${s}×${n}`).join(', ') || 'none'}; audit lines: ${auditLines}`);
console.log('  client-side latency by kind (p50 / p99 ms):');
for (const [k, xs] of [...byKindMs].sort()) console.log(`    ${k}: ${f(percentile(xs, 50))} / ${f(percentile(xs, 99))} (n=${xs.length})`);
if (process.env.BENCH_SERVE_TIMELINE) {
  for (let sec = 0; sec < SECONDS; sec++) {
    const xs = timeline.filter(([st]) => st >= sec * 1000 && st < (sec + 1) * 1000).map(([, ms]) => ms);
    console.log(`    t=${sec}s sent ${xs.length} p50 ${f(percentile(xs, 50))} max ${f(Math.max(...xs))}`);
  }
}
console.log('  by request kind and answer:');
for (const [k, n] of [...statuses].sort()) console.log(`    ${String(n).padStart(7)}  ${k}`);
const ok = serverExitDuringRun === null && health === 200 && lost === 0 && duplicated === 0 && unexpected === 0 && transportErrors === 0;
console.log(ok ? 'bench:serve: OK' : 'bench:serve: FAILED (see above)');
process.exitCode = ok ? 0 : 1;
