// `npm run yardstick`: scores the chain analysis on x509-limbo (C2SP), namespace by namespace and for every
// verifier profile (--verifier envoy|ztunnel|go|strict), beside OpenSSL 3.0.19's and pyca/cryptography 48's
// results from upstream's own harness. See docs/x509-limbo.md.
//
// - Suite: ../shared/yardsticks/x509-limbo/ relative to the project root, or $MTLS_DOCTOR_LIMBO (a directory
//   holding limbo.json.gz and openssl-3.0.19-results.json.gz, or the path of limbo.json.gz itself).
// - Every case goes to the built library's diagnose() (dist/index.js; `npm run yardstick` builds first).
//   A `failing` verdict counts as FAILURE. Each case is judged once per profile. Cases run in worker threads (one per core); each case has a time
//   budget, and a worker that exceeds it is terminated and replaced, so no case can hang the run.
// - Cases with a null validation_time are evaluated at DEFAULT_TIME (the suite's certificates are valid from
//   1970 to 2969; the time is fixed so that runs are reproducible).
// - yardstick/out-of-scope.json lists cases (ids or `*` patterns) where Envoy (BoringSSL) does not judge as the
//   suite does, each with the reason and the BoringSSL source; they are still run and shown, and the default
//   profile's agreement is given with and without them. The strict profile has no out-of-scope list.
// Options: --json FILE writes every case's result; --only PATTERN runs matching ids; --verifiers a,b limits
// the profiles; --list-disagreements lists every case a profile gets wrong.
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { gunzipSync } from 'node:zlib';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_TIME = '2026-06-29T00:00:00Z';
const CASE_TIMEOUT_MS = 10_000;
const SLOW_MS = 2000;
const PROFILES = ['envoy', 'ztunnel', 'go', 'strict'];

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
  if (!existsSync(limbo)) fail(`Cannot read the x509-limbo suite: ${limbo} does not exist. The suite is not in this repository: gzip limbo.json from https://github.com/C2SP/x509-limbo and set MTLS_DOCTOR_LIMBO to its directory (docs/x509-limbo.md)`);
  return { limbo, openssl: join(dirname(limbo), 'openssl-3.0.19-results.json.gz'), pyca: join(dirname(limbo), 'pyca-cryptography-48.0.0-results.json.gz') };
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
const results = (file) => (existsSync(file) ? new Map(readJson(file).results.map((r) => [r.id, r.actual_result])) : new Map());
const openssl = results(paths.openssl);
const pyca = results(paths.pyca);
const verifiers = opt('--verifiers') ? opt('--verifiers').split(',') : PROFILES;
for (const v of verifiers) if (!PROFILES.includes(v)) fail(`Cannot use --verifiers "${v}": expected some of ${PROFILES.join(', ')}`);
const outOfScope = loadOutOfScope();
const only = opt('--only') ? globToRegExp(opt('--only')) : null;
const cases = suite.testcases.filter((c) => !only || only.test(c.id));

/** Runs every case on a pool of workers; a case over its budget kills its worker, which is replaced. */
async function runAll(cases) {
  const results = new Map();
  let next = 0;
  const n = Math.max(1, Math.min(availableParallelism(), 4, cases.length));
  const budget = CASE_TIMEOUT_MS * verifiers.length;
  const lanes = Array.from({ length: n }, () => lane());
  const crashed = (id, crash, ms) => ({ id, byVerifier: Object.fromEntries(verifiers.map((v) => [v, { actual: 'CRASH', crash, rules: [], ruleErrors: [], ms }])) });
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
          resolveCase(crashed(tc.id, `timeout: over ${budget} ms`, budget));
        }, budget);
        const onMessage = (m) => {
          cleanup();
          resolveCase(m);
        };
        const onError = (e) => {
          cleanup();
          worker = null;
          resolveCase(crashed(tc.id, `worker died: ${e?.message ?? e}`, 0));
        };
        function cleanup() {
          clearTimeout(timer);
          w.off('message', onMessage);
          w.off('error', onError);
        }
        w.on('message', onMessage);
        w.on('error', onError);
        w.postMessage({ tc, verifiers });
      });
      results.set(tc.id, res.byVerifier);
    }
    if (worker) await worker.terminate();
  }
  await Promise.all(lanes);
  return results;
}

const judged = await runAll(cases);
const elapsed = (performance.now() - t0) / 1000;

// Score: per namespace, per profile, beside OpenSSL and pyca.
const nsOf = (tc) => (tc.validation_kind === 'CLIENT' ? 'CLIENT cases' : tc.id.split('::')[0]);
const totalOf = (tc) => (tc.validation_kind === 'CLIENT' ? 'CLIENT total' : 'SERVER total');
const rows = new Map();
const row = (name) => {
  if (!rows.has(name)) {
    const per = Object.fromEntries(verifiers.map((v) => [v, { agree: 0, fa: 0, miss: 0, crash: 0, inAgree: 0 }]));
    rows.set(name, { name, cases: 0, oos: 0, inScope: 0, openssl: 0, pyca: 0, inOpenssl: 0, inPyca: 0, per });
  }
  return rows.get(name);
};
const crashes = [];
const slow = [];
const disagreements = [];
const perCase = [];
const slowest = Object.fromEntries(verifiers.map((v) => [v, { id: '', ms: 0 }]));
for (const tc of cases) {
  const byV = judged.get(tc.id);
  const oos = outOfScope.find((e) => e.re.test(tc.id));
  const ossl = openssl.get(tc.id) ?? 'SKIPPED';
  const py = pyca.get(tc.id) ?? 'SKIPPED';
  for (const target of [row(nsOf(tc)), row(totalOf(tc))]) {
    target.cases++;
    target.openssl += ossl === tc.expected_result ? 1 : 0;
    target.pyca += py === tc.expected_result ? 1 : 0;
    if (oos) target.oos++;
    else {
      target.inScope++;
      target.inOpenssl += ossl === tc.expected_result ? 1 : 0;
      target.inPyca += py === tc.expected_result ? 1 : 0;
    }
    for (const v of verifiers) {
      const r = byV[v];
      const p = target.per[v];
      const ok = r.actual === tc.expected_result;
      p.agree += ok ? 1 : 0;
      p.crash += r.actual === 'CRASH' ? 1 : 0;
      p.fa += tc.expected_result === 'SUCCESS' && r.actual !== 'SUCCESS' ? 1 : 0;
      p.miss += tc.expected_result === 'FAILURE' && r.actual === 'SUCCESS' ? 1 : 0;
      if (!oos) p.inAgree += ok ? 1 : 0;
    }
  }
  const entry = { id: tc.id, expected: tc.expected_result, openssl: ossl, pyca: py, outOfScope: !!oos, verdicts: {} };
  for (const v of verifiers) {
    const r = byV[v];
    if (r.ms > slowest[v].ms) slowest[v] = { id: tc.id, ms: r.ms };
    if (r.ms > SLOW_MS) slow.push(`${v} ${tc.id}: ${r.ms.toFixed(0)} ms`);
    if (r.actual === 'CRASH') crashes.push(`${v} ${tc.id}: ${r.crash}`);
    for (const e of r.ruleErrors ?? []) crashes.push(`${v} ${tc.id}: rule-error ${e}`);
    if (r.actual !== tc.expected_result) disagreements.push({ verifier: v, id: tc.id, expected: tc.expected_result, ours: r.actual, openssl: ossl, pyca: py, outOfScope: oos ? oos.reason : null, rules: r.rules });
    entry.verdicts[v] = { ours: r.actual, rules: r.rules, ms: Math.round(r.ms * 10) / 10 };
  }
  perCase.push(entry);
}

const pct = (a, b) => (b === 0 ? '–' : `${((100 * a) / b).toFixed(1)}%`);
const cell = (a, b) => `${a} (${pct(a, b)})`;
const order = ['bettertls', 'rfc5280', 'webpki', 'pathlen', 'pathological', 'online', 'cve', 'crl', 'invalid', 'CLIENT cases'];
const names = [...rows.keys()].filter((k) => !k.endsWith('total')).sort((a, b) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99) || a.localeCompare(b));
const all = [...names, ...['SERVER total', 'CLIENT total'].filter((n) => rows.has(n))];
const markdown = (header, body) =>
  [`| ${header.join(' | ')} |`, `|${header.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`, ...body.map((r) => `| ${r.join(' | ')} |`)].join('\n');
// Agreement per profile beside the two references; a profile below the better reference is marked "<".
const best = (r) => Math.max(r.openssl, r.pyca);
const agreement = markdown(
  ['namespace', 'cases', ...verifiers.map((v) => (v === 'envoy' ? 'envoy (default)' : v)), 'OpenSSL 3.0.19', 'pyca 48'],
  all.map((n) => {
    const r = rows.get(n);
    return [n, String(r.cases), ...verifiers.map((v) => `${cell(r.per[v].agree, r.cases)}${r.per[v].agree < best(r) ? ' <' : ''}`), cell(r.openssl, r.cases), cell(r.pyca, r.cases)];
  }),
);
const details = markdown(
  ['namespace', ...verifiers.map((v) => `${v}: false alarms / misses / crashes`)],
  all.map((n) => [n, ...verifiers.map((v) => `${rows.get(n).per[v].fa} / ${rows.get(n).per[v].miss} / ${rows.get(n).per[v].crash}`)]),
);
const scoped = verifiers.includes('envoy')
  ? markdown(
      ['namespace', 'out of scope', 'in scope', 'envoy', 'OpenSSL 3.0.19', 'pyca 48'],
      all.map((n) => {
        const r = rows.get(n);
        return [n, String(r.oos), String(r.inScope), cell(r.per.envoy.inAgree, r.inScope), cell(r.inOpenssl, r.inScope), cell(r.inPyca, r.inScope)];
      }),
    )
  : '';

process.stdout.write(`x509-limbo: ${cases.length} cases from ${paths.limbo}, judged as ${verifiers.join(', ')}\n`);
process.stdout.write(`null validation_time evaluated at ${DEFAULT_TIME}; a reference's "SKIPPED" or missing result counts as disagreement; "<": below the better of OpenSSL and pyca\n\n`);
process.stdout.write(`Agreement with the suite's expected result:\n\n${agreement}\n\n${details}\n\n`);
if (scoped) process.stdout.write(`Default profile (envoy) without the cases where Envoy's BoringSSL judges otherwise than the suite (yardstick/out-of-scope.json):\n\n${scoped}\n\n`);
process.stdout.write(`${elapsed.toFixed(1)} s; slowest case per profile: ${verifiers.map((v) => `${v} ${slowest[v].id} (${slowest[v].ms.toFixed(0)} ms)`).join(', ')}\n`);
process.stdout.write(`cases over ${SLOW_MS} ms: ${slow.length}; crashes: ${crashes.length}\n`);
for (const c of slow.slice(0, 50)) process.stdout.write(`  slow: ${c}\n`);
for (const c of crashes.slice(0, 50)) process.stdout.write(`  crash: ${c}\n`);
if (args.includes('--list-disagreements')) {
  for (const d of disagreements) {
    process.stdout.write(`  ${d.verifier.padEnd(7)} ${d.expected === 'SUCCESS' ? 'FALSE ALARM' : 'MISS       '} ${d.id}  openssl=${d.openssl} pyca=${d.pyca}${d.outOfScope ? ' [out of scope]' : ''}  ${d.rules.join(',')}\n`);
  }
}
if (opt('--json')) writeFileSync(opt('--json'), JSON.stringify({ elapsedSeconds: elapsed, defaultTime: DEFAULT_TIME, verifiers, rows: [...rows.values()], crashes, slow, cases: perCase }, null, 1));
process.exitCode = crashes.length ? 1 : 0;
