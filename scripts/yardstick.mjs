// `npm run yardstick`: scores the chain analysis on x509-limbo (C2SP), namespace by namespace, beside
// OpenSSL 3.0.19's results from upstream's own harness. See README "Chain analysis vs x509-limbo".
//
// - Suite: ../shared/yardsticks/x509-limbo/ relative to the project root, or $MTLS_DOCTOR_LIMBO (a directory
//   holding limbo.json.gz and openssl-3.0.19-results.json.gz, or the path of limbo.json.gz itself).
// - Every case goes to the built library's diagnose() (dist/index.js; `npm run yardstick` builds first).
//   A `failing` verdict counts as FAILURE. Cases run in worker threads (one per core); each case has a time
//   budget, and a worker that exceeds it is terminated and replaced, so no case can hang the run.
// - Cases with a null validation_time are evaluated at DEFAULT_TIME (the suite's certificates are valid from
//   1970 to 2969; the time is fixed so that runs are reproducible).
// - yardstick/out-of-scope.json lists cases (ids or `*` patterns) that test rules which do not apply to a
//   mesh, each with a reason; they are still run and shown, and agreement is given with and without them.
// Options: --json FILE writes every case's result; --only PATTERN runs matching ids; --list-disagreements.
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { gunzipSync } from 'node:zlib';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_TIME = '2026-06-29T00:00:00Z';
const CASE_TIMEOUT_MS = 10_000;

const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};

function fail(msg) {
  process.stderr.write(`${msg}\n`);
  process.exit(2);
}

function locate() {
  const env = process.env.MTLS_DOCTOR_LIMBO;
  const base = env ? resolve(env) : resolve(ROOT, '..', 'shared', 'yardsticks', 'x509-limbo');
  const limbo = existsSync(base) && statSync(base).isFile() ? base : join(base, 'limbo.json.gz');
  if (!existsSync(limbo)) fail(`Cannot read the x509-limbo suite: ${limbo} does not exist. The suite is not in this repository: gzip limbo.json from https://github.com/C2SP/x509-limbo and set MTLS_DOCTOR_LIMBO to its directory (README: Chain analysis vs x509-limbo)`);
  return { limbo, openssl: join(dirname(limbo), 'openssl-3.0.19-results.json.gz') };
}

const readJson = (file) => {
  const raw = readFileSync(file);
  return JSON.parse((file.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8'));
};

const globToRegExp = (p) => new RegExp(`^${p.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);

function loadOutOfScope() {
  const file = join(ROOT, 'yardstick', 'out-of-scope.json');
  if (!existsSync(file)) return [];
  return readJson(file).entries.map((e) => ({ ...e, re: globToRegExp(e.id) }));
}

const library = pathToFileURL(join(ROOT, 'dist', 'index.js')).href;
if (!existsSync(new URL(library))) fail('Cannot run the yardstick: dist/index.js is missing; run "npm run build" first');

const paths = locate();
const t0 = performance.now();
const suite = readJson(paths.limbo);
const openssl = existsSync(paths.openssl) ? new Map(readJson(paths.openssl).results.map((r) => [r.id, r.actual_result])) : new Map();
const outOfScope = loadOutOfScope();
const only = opt('--only') ? globToRegExp(opt('--only')) : null;
const cases = suite.testcases.filter((c) => !only || only.test(c.id));

/** Runs every case on a pool of workers; a case over its budget kills its worker, which is replaced. */
async function runAll(cases) {
  const results = new Map();
  let next = 0;
  const n = Math.max(1, Math.min(availableParallelism(), 4, cases.length));
  const lanes = Array.from({ length: n }, () => lane());
  async function lane() {
    let worker = null;
    const spawn = () => new Worker(new URL('./yardstick-worker.mjs', import.meta.url), { workerData: { library, defaultTime: DEFAULT_TIME } });
    while (next < cases.length) {
      const tc = cases[next++];
      worker ??= spawn();
      const w = worker;
      const res = await new Promise((resolveCase) => {
        const timer = setTimeout(() => {
          cleanup();
          w.terminate();
          worker = null;
          resolveCase({ id: tc.id, actual: 'CRASH', crash: `timeout: over ${CASE_TIMEOUT_MS} ms`, rules: [], ruleErrors: [], ms: CASE_TIMEOUT_MS });
        }, CASE_TIMEOUT_MS);
        const onMessage = (m) => {
          cleanup();
          resolveCase(m);
        };
        const onError = (e) => {
          cleanup();
          worker = null;
          resolveCase({ id: tc.id, actual: 'CRASH', crash: `worker died: ${e?.message ?? e}`, rules: [], ruleErrors: [], ms: 0 });
        };
        function cleanup() {
          clearTimeout(timer);
          w.off('message', onMessage);
          w.off('error', onError);
        }
        w.on('message', onMessage);
        w.on('error', onError);
        w.postMessage(tc);
      });
      results.set(tc.id, res);
    }
    if (worker) await worker.terminate();
  }
  await Promise.all(lanes);
  return results;
}

const results = await runAll(cases);
const elapsed = (performance.now() - t0) / 1000;

// Score.
const rows = new Map();
const row = (name) => {
  if (!rows.has(name)) rows.set(name, { name, cases: 0, agree: 0, fa: 0, miss: 0, crash: 0, oos: 0, osslAgree: 0, osslFa: 0, osslMiss: 0, inScope: 0, inAgree: 0, inOssl: 0, inFa: 0, inOsslFa: 0 });
  return rows.get(name);
};
const crashes = [];
const disagreements = [];
const perCase = [];
let slowest = { id: '', ms: 0 };
for (const tc of cases) {
  const r = results.get(tc.id);
  const ns = tc.validation_kind === 'CLIENT' ? 'CLIENT cases' : tc.id.split('::')[0];
  const oos = outOfScope.find((e) => e.re.test(tc.id));
  const ossl = openssl.get(tc.id) ?? 'SKIPPED';
  const ours = r.actual === 'CRASH' ? 'CRASH' : r.actual;
  if (r.ms > slowest.ms) slowest = { id: tc.id, ms: r.ms };
  if (ours === 'CRASH') crashes.push(`${tc.id}: ${r.crash}`);
  for (const e of r.ruleErrors ?? []) crashes.push(`${tc.id}: rule-error ${e}`);
  for (const target of [row(ns), row(tc.validation_kind === 'CLIENT' ? 'CLIENT total' : 'SERVER total')]) {
    target.cases++;
    const ok = ours === tc.expected_result;
    const osslOk = ossl === tc.expected_result;
    target.agree += ok ? 1 : 0;
    target.osslAgree += osslOk ? 1 : 0;
    target.crash += ours === 'CRASH' ? 1 : 0;
    const fa = tc.expected_result === 'SUCCESS' && ours !== 'SUCCESS';
    const miss = tc.expected_result === 'FAILURE' && ours === 'SUCCESS';
    const ofa = tc.expected_result === 'SUCCESS' && ossl === 'FAILURE';
    target.fa += fa ? 1 : 0;
    target.miss += miss ? 1 : 0;
    target.osslFa += ofa ? 1 : 0;
    target.osslMiss += tc.expected_result === 'FAILURE' && ossl === 'SUCCESS' ? 1 : 0;
    if (oos) target.oos++;
    else {
      target.inScope++;
      target.inAgree += ok ? 1 : 0;
      target.inOssl += osslOk ? 1 : 0;
      target.inFa += fa ? 1 : 0;
      target.inOsslFa += ofa ? 1 : 0;
    }
  }
  if (ours !== tc.expected_result) disagreements.push({ id: tc.id, expected: tc.expected_result, ours, openssl: ossl, outOfScope: oos ? oos.reason : null, rules: r.rules });
  perCase.push({ id: tc.id, expected: tc.expected_result, ours, openssl: ossl, outOfScope: !!oos, rules: r.rules, ms: Math.round(r.ms * 10) / 10 });
}

const pct = (a, b) => (b === 0 ? '–' : `${((100 * a) / b).toFixed(1)}%`);
const order = ['bettertls', 'rfc5280', 'webpki', 'pathlen', 'pathological', 'online', 'cve', 'crl', 'invalid', 'CLIENT cases'];
const names = [...rows.keys()].filter((k) => !k.endsWith('total')).sort((a, b) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99) || a.localeCompare(b));
const header = ['namespace', 'cases', 'agree', 'OpenSSL 3.0.19', 'false alarms (ours / OpenSSL)', 'misses (ours / OpenSSL)', 'out of scope', 'agree in scope (ours / OpenSSL)', 'crashes'];
const fmt = (r) => [
  r.name,
  String(r.cases),
  `${r.agree} (${pct(r.agree, r.cases)})`,
  `${r.osslAgree} (${pct(r.osslAgree, r.cases)})`,
  `${r.fa} / ${r.osslFa}`,
  `${r.miss} / ${r.osslMiss}`,
  String(r.oos),
  `${r.inAgree}/${r.inScope} (${pct(r.inAgree, r.inScope)}) / ${r.inOssl}/${r.inScope} (${pct(r.inOssl, r.inScope)})`,
  String(r.crash),
];
const table = [header, ...names.map((n) => fmt(rows.get(n))), ...['SERVER total', 'CLIENT total'].filter((n) => rows.has(n)).map((n) => fmt(rows.get(n)))];
const md = [
  `| ${table[0].join(' | ')} |`,
  `|${table[0].map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`,
  ...table.slice(1).map((r) => `| ${r.join(' | ')} |`),
].join('\n');

process.stdout.write(`x509-limbo: ${cases.length} cases from ${paths.limbo}\n`);
process.stdout.write(`null validation_time evaluated at ${DEFAULT_TIME}; OpenSSL 3.0.19 "SKIPPED" counts as disagreement\n\n`);
process.stdout.write(`${md}\n\n`);
process.stdout.write(`${elapsed.toFixed(1)} s, slowest case ${slowest.id} (${slowest.ms.toFixed(0)} ms); crashes: ${crashes.length}\n`);
for (const c of crashes.slice(0, 50)) process.stdout.write(`  crash: ${c}\n`);
if (args.includes('--list-disagreements')) {
  for (const d of disagreements) process.stdout.write(`  ${d.expected === 'SUCCESS' ? 'FALSE ALARM' : 'MISS       '} ${d.id}  openssl=${d.openssl}${d.outOfScope ? ' [out of scope]' : ''}  ${d.rules.join(',')}\n`);
}
if (opt('--json')) writeFileSync(opt('--json'), JSON.stringify({ elapsedSeconds: elapsed, defaultTime: DEFAULT_TIME, rows: [...rows.values()], crashes, cases: perCase }, null, 1));
process.exitCode = crashes.length ? 1 : 0;
