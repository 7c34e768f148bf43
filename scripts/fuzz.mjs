// The long fuzz run (issue 15): `npm run fuzz [-- --cases N --seed S --target a,b --concurrency K]`.
// Every target (certificates, CRLs, Envoy admin payloads, evidence bundles, pasted text) runs its cases through
// the whole pipeline in a worker process; a watchdog kills a worker whose case runs over the per-case bound (a
// hang) and resumes after it; a worker that dies is a crash at the case it was on. Then the limit probes (the
// largest inputs the limits admit) each run in a fresh process. Reports crashes, leaks, hangs and peak RSS, and
// exits 1 on any failure or a peak RSS over the budget.
import { build } from 'esbuild';
import { fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : dflt;
};
const flag = (name) => argv.includes(`--${name}`);
if (flag('help')) {
  console.log(`usage: npm run fuzz -- [--cases N] [--seed S] [--target NAME,…] [--from I] [--hang-ms MS] [--concurrency K] [--rss-budget-mb MB] [--no-probes] [--probes-only] [--json FILE]
  --cases N         cases per target (default 10000)
  --seed S          the PRNG seed (default 15, as the seeded test suite)
  --target NAME,…   certificates, crls, envoy-admin, bundles, pasted-text (default: all)
  --from I          first case index (replay one case: --target NAME --from I --cases 1)
  --hang-ms MS      per-case time bound: a case over it is a hang (default 20000)
  --concurrency K   workers at once (default 2)
  --rss-budget-mb   peak RSS allowed for any worker or probe (default 300)`);
  process.exit(0);
}
const CASES = Number(opt('cases', '10000'));
const SEED = Number(opt('seed', '15'));
const FROM = Number(opt('from', '0'));
const HANG_MS = Number(opt('hang-ms', '20000'));
const CONCURRENCY = Math.max(1, Number(opt('concurrency', '2')));
const RSS_BUDGET = Number(opt('rss-budget-mb', '300')) * 1024 * 1024;
const ALL = ['certificates', 'crls', 'envoy-admin', 'bundles', 'pasted-text'];
const TARGETS = (opt('target') ?? ALL.join(',')).split(',').filter(Boolean);
const PROBES = ['library-max-certificates', 'bundle-max', 'envoy-admin-max', 'crl-max', 'pasted-text-max'];
for (const t of TARGETS) if (!ALL.includes(t)) throw new Error(`unknown target "${t}" (targets: ${ALL.join(', ')})`);

mkdirSync(join(process.cwd(), 'node_modules', '.cache'), { recursive: true });
const dir = mkdtempSync(join(process.cwd(), 'node_modules', '.cache', 'fuzz-'));
const worker = join(dir, 'worker.mjs');
const failDir = mkdtempSync(join(tmpdir(), 'mtls-doctor-fuzz-'));
const mb = (n) => `${(n / 1024 / 1024).toFixed(0)} MB`;

await build({
  entryPoints: [resolve('test/fuzz/worker.ts')],
  outfile: worker,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
  absWorkingDir: process.cwd(),
});

/** Runs one worker to its end; resolves with its messages' outcome. `onStart` gets each case index. */
function runWorker(args, { onMessage }) {
  return new Promise((resolvePromise) => {
    const child = fork(worker, args, { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], execArgv: [] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
    let current = null;
    let started = Date.now();
    let hung = false;
    const watchdog = setInterval(() => {
      if (current !== null && Date.now() - started > HANG_MS) {
        hung = true;
        child.kill('SIGKILL');
      }
    }, 250);
    child.on('message', (m) => {
      if (m.type === 'start') {
        current = m.i;
        started = Date.now();
      }
      onMessage(m);
    });
    child.on('exit', (code, signal) => {
      clearInterval(watchdog);
      resolvePromise({ code, signal, hung, current, stderr });
    });
  });
}

async function runTarget(name) {
  const r = { target: name, cases: 0, crashes: [], leaks: [], hangs: [], maxRSS: 0, ms: 0 };
  const t0 = Date.now();
  let from = FROM;
  const end = FROM + CASES;
  while (from < end) {
    let done = false;
    let errored = false;
    const out = await runWorker(['--target', name, '--seed', String(SEED), '--from', String(from), '--cases', String(end - from)], {
      onMessage(m) {
        if (m.type === 'start') r.cases = Math.max(r.cases, m.i - FROM + 1);
        if (m.type === 'fail') {
          const file = join(failDir, `${name}-${m.i}.txt`);
          writeFileSync(file, `${m.failure}\n\n${m.input ?? ''}`);
          (m.failure.startsWith('leak') ? r.leaks : r.crashes).push({ i: m.i, failure: m.failure, file });
        }
        if (m.maxRSS) r.maxRSS = Math.max(r.maxRSS, m.maxRSS);
        if (m.type === 'done') done = true;
        if (m.type === 'error') {
          // The harness itself failed (not the code under test): counted once, at the case it was on.
          errored = true;
          r.crashes.push({ i: m.i ?? null, failure: `worker error: ${m.message.split('\n').slice(0, 3).join(' | ')}` });
        }
      },
    });
    if (done) break;
    const at = out.current ?? from;
    if (out.hung) r.hangs.push({ i: at, failure: `over ${HANG_MS} ms` });
    else if (!errored) r.crashes.push({ i: at, failure: `the worker died (exit ${out.code}, signal ${out.signal}): ${out.stderr.trim().split('\n').slice(-3).join(' | ')}` });
    from = at + 1;
  }
  r.ms = Date.now() - t0;
  return r;
}

async function runProbe(name) {
  let res = { name, maxRSS: 0, ms: 0, detail: '', error: null };
  const out = await runWorker(['--probe', name], {
    onMessage(m) {
      if (m.type === 'probe') res = { ...res, maxRSS: m.maxRSS, ms: m.ms, detail: m.detail };
      if (m.type === 'error') res.error = m.message.split('\n')[0];
    },
  });
  if (out.hung) res.error = `over ${HANG_MS} ms`;
  else if (out.code !== 0 && !res.error) res.error = `exit ${out.code} ${out.signal ?? ''} ${out.stderr.trim().split('\n').slice(-2).join(' | ')}`;
  return res;
}

async function pool(items, fn) {
  const results = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(CONCURRENCY, items.length) }, async () => {
      while (next < items.length) {
        const k = next++;
        results[k] = await fn(items[k]);
        const x = results[k];
        if (x.target) console.error(`  ${x.target}: ${x.cases} cases, ${x.crashes.length} crashes, ${x.leaks.length} leaks, ${x.hangs.length} hangs, peak RSS ${mb(x.maxRSS)}, ${(x.ms / 1000).toFixed(0)} s`);
        else console.error(`  probe ${x.name}: peak RSS ${mb(x.maxRSS)}, ${(x.ms / 1000).toFixed(1)} s${x.error ? `, ERROR ${x.error}` : ''}`);
      }
    }),
  );
  return results;
}

const t0 = Date.now();
console.error(`mtls-doctor fuzz: seed ${SEED}, ${CASES} cases per target from case ${FROM}, per-case bound ${HANG_MS} ms, ${CONCURRENCY} workers, RSS budget ${mb(RSS_BUDGET)}`);
const targets = flag('probes-only') ? [] : await pool(TARGETS, runTarget);
const probes = flag('no-probes') ? [] : await pool(PROBES, runProbe);
rmSync(dir, { recursive: true, force: true });

const lines = ['', 'target          cases  crashes  leaks  hangs  peak RSS   time'];
for (const r of targets) lines.push(`${r.target.padEnd(15)} ${String(r.cases).padStart(5)}  ${String(r.crashes.length).padStart(7)}  ${String(r.leaks.length).padStart(5)}  ${String(r.hangs.length).padStart(5)}  ${mb(r.maxRSS).padStart(8)}  ${(r.ms / 1000).toFixed(0).padStart(4)} s`);
if (probes.length) {
  lines.push('', 'limit probe (largest admitted input)  peak RSS   time  what');
  for (const p of probes) lines.push(`${p.name.padEnd(36)} ${mb(p.maxRSS).padStart(8)}  ${(p.ms / 1000).toFixed(1).padStart(5)} s  ${p.error ? `ERROR: ${p.error}` : p.detail}`);
}
const failures = targets.flatMap((r) => [...r.crashes, ...r.leaks, ...r.hangs].map((f) => `${r.target} case ${f.i}: ${f.failure}${f.file ? ` (input: ${f.file})` : ''}`));
const overBudget = [...targets.map((r) => ({ n: r.target, rss: r.maxRSS })), ...probes.map((p) => ({ n: `probe ${p.name}`, rss: p.maxRSS }))].filter((x) => x.rss > RSS_BUDGET);
const probeErrors = probes.filter((p) => p.error);
for (const f of failures.slice(0, 30)) lines.push(`FAIL ${f}`);
for (const o of overBudget) lines.push(`OVER BUDGET ${o.n}: peak RSS ${mb(o.rss)} > ${mb(RSS_BUDGET)}`);
for (const p of probeErrors) lines.push(`PROBE ERROR ${p.name}: ${p.error}`);
const total = targets.reduce((a, r) => a + r.cases, 0);
lines.push('', `${total} cases in ${((Date.now() - t0) / 1000).toFixed(0)} s: ${targets.reduce((a, r) => a + r.crashes.length, 0)} crashes, ${targets.reduce((a, r) => a + r.leaks.length, 0)} leaks, ${targets.reduce((a, r) => a + r.hangs.length, 0)} hangs; peak RSS ${mb(Math.max(0, ...targets.map((r) => r.maxRSS), ...probes.map((p) => p.maxRSS)))} (budget ${mb(RSS_BUDGET)})`);
console.log(lines.join('\n'));
const json = opt('json');
if (json) writeFileSync(json, JSON.stringify({ seed: SEED, cases: CASES, hangMs: HANG_MS, targets, probes }, null, 2));
if (failures.length === 0) rmSync(failDir, { recursive: true, force: true });
else console.log(`failing inputs saved under ${failDir}`);
process.exitCode = failures.length || overBudget.length || probeErrors.length ? 1 : 0;
