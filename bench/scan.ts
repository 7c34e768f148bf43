/**
 * `npm run bench:scan`, in two parts.
 *
 * 1. `mtls-doctor scan -A` (the built CLI, a process of its own) against a simulated cluster — the fake API server
 *    with WebSocket port-forward (test/support/fake-kube-api.ts), one Service per namespace, and fake Envoy admins
 *    behind every pod (20 identities, so 20 classes), all on loopback in this process — at 1,000, 5,000 and 10,000
 *    pods. Prints pods per second and the scanner's peak RSS (medians of BENCH_SCAN_RUNS runs per size, default 3).
 *    With BENCH_SCAN_BASE=path/to/other/dist/cli.cjs the same runs alternate between that build and this one, and
 *    the ratio is printed: on a shared, noisy machine that ratio is the figure to trust.
 * 2. The connection judgement alone, in this process: 1,000 and 10,000 pods in 20 classes mid-rotation (some
 *    classes serve new-root leaves that others do not trust yet), timed side by side, alternating, medians of
 *    BENCH_SCAN_JUDGE_RUNS (default 7). The judgement works per pair of classes, so the ratio should stay near 1.
 *
 * The fake cluster shares the machine's two cores with the scanner, so the rates are a floor, not a ceiling.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { intermediate, leaf, NOW, root, spiffe, t, DAY, type Issued } from '../test/support/pki.js';
import { startFakeEnvoyAdmin, type FakeServer } from '../test/support/fake-envoy-admin.js';
import { startFakeKubeApi, type FakePod } from '../test/support/fake-kube-api.js';
import { buildFleetModel } from '../src/diagnose/fleet-model.js';
import { judgeConnections } from '../src/connection/judge.js';
import { DEFAULT_THRESHOLDS } from '../src/model/thresholds.js';
import type { FleetInput, PodHolding } from '../src/fleet/types.js';

const SIZES = (process.env.BENCH_SCAN_SIZES ?? '1000,5000,10000').split(',').map(Number).filter((n) => n > 0);
const RUNS = Number(process.env.BENCH_SCAN_RUNS ?? 3);
const JUDGE_RUNS = Number(process.env.BENCH_SCAN_JUDGE_RUNS ?? 7);
const CONCURRENCY = Number(process.env.BENCH_SCAN_CONCURRENCY ?? 32);
const CLASSES = 20;
const root_ = process.cwd();
const cli = join(root_, 'dist', 'cli.cjs');
const base = process.env.BENCH_SCAN_BASE;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const load = () => loadavg().map((x) => x.toFixed(1)).join(' ');

function scanOnce(bin: string, kubeconfig: string, expect: number): Promise<{ seconds: number; rssMb: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-scan-'));
  const rssFile = join(dir, 'rss');
  const t0 = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--require', join(root_, 'bench', 'maxrss.cjs'), bin, 'scan', '-A', '--concurrency', String(CONCURRENCY), '-o', 'json', '--at', new Date(NOW).toISOString(), '--kubeconfig', kubeconfig], {
      env: { ...process.env, BENCH_RSS_FILE: rssFile, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    let err = '';
    p.stdout.on('data', (d: Buffer) => out.push(d));
    p.stderr.on('data', (d) => (err += d));
    p.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      try {
        if (code !== 0) throw new Error(`scan exited ${code}: ${err.slice(0, 300)}`);
        const r = JSON.parse(Buffer.concat(out).toString('utf8'));
        if (r.summary.ok !== expect) throw new Error(`scan read ${r.summary.ok} of ${expect} pods (${r.summary.failed} failed: ${r.pods.find((x: { status: string }) => x.status === 'failed')?.reason})`);
        resolve({ seconds, rssMb: Number(readFileSync(rssFile, 'utf8')) / 1024 });
      } catch (e) {
        reject(e);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

async function endToEnd() {
  const r = await root('Bench Root');
  const i = await intermediate(r, 'Bench Intermediate');
  const admins: FakeServer[] = [];
  for (let k = 0; k < CLASSES; k++) admins.push(await startFakeEnvoyAdmin({ chain: [await leaf(i, { uris: [spiffe(`ns${k}`, 'web')] }), i], roots: [r] }));
  const builds = base ? [{ name: 'base', bin: base }, { name: 'this', bin: cli }] : [{ name: 'this', bin: cli }];
  console.log(`1. scan -A --concurrency ${CONCURRENCY} against a fake cluster (${CLASSES} identities, one Service per namespace), medians of ${RUNS}; ${cpus().length} cores, load ${load()}`);
  const rows: Array<{ pods: number; build: string; seconds: number; rssMb: number }> = [];
  for (const n of SIZES) {
    // Pod k is in namespace ns(k mod 20) with identity ns(k mod 20)/web: 20 classes, each behind its namespace's Service.
    const pods: FakePod[] = Array.from({ length: n }, (_, k) => ({ name: `web-${k}`, namespace: `ns${k % CLASSES}`, serviceAccount: 'web', labels: { app: 'web' }, backends: { 15000: admins[k % CLASSES]!.url } }));
    const namespaces = [...new Set(pods.map((p) => p.namespace))];
    const api = await startFakeKubeApi({
      pods,
      services: namespaces.map((ns) => ({ namespace: ns, name: 'web', selector: { app: 'web' }, ports: [{ port: 8080 }] })),
      configMaps: namespaces.map((ns) => ({ namespace: ns, name: 'istio-ca-root-cert', data: { 'root-cert.pem': r.pem } })),
    });
    try {
      const runs = new Map<string, Array<{ seconds: number; rssMb: number }>>(builds.map((b) => [b.name, []]));
      for (let k = 0; k < RUNS; k++) for (const b of builds) runs.get(b.name)!.push(await scanOnce(b.bin, api.kubeconfig, n));
      for (const b of builds) {
        const xs = runs.get(b.name)!;
        const row = { pods: n, build: b.name, seconds: median(xs.map((x) => x.seconds)), rssMb: median(xs.map((x) => x.rssMb)) };
        rows.push(row);
        console.log(`  ${String(n).padStart(6)} pods ${base ? `[${b.name}] ` : ''}${row.seconds.toFixed(2)} s, ${(n / row.seconds).toFixed(0)} pods/s, peak RSS ${row.rssMb.toFixed(0)} MB (load ${load()})`);
      }
      if (base) {
        const [a, b] = [rows[rows.length - 2]!, rows[rows.length - 1]!];
        console.log(`  ${String(n).padStart(6)} pods this/base: time ×${(b.seconds / a.seconds).toFixed(2)}, RSS ×${(b.rssMb / a.rssMb).toFixed(2)}`);
      }
    } finally {
      await api.close();
    }
  }
  await Promise.all(admins.map((a) => a.close()));
  const mine = rows.filter((x) => x.build === 'this');
  const at = (n: number) => mine.find((x) => x.pods === n);
  const rate = (n: number) => (at(n) ? `${(n / at(n)!.seconds).toFixed(0)} pods/s` : 'n/a');
  console.log(`  targets: >= 200 pods/s at 1,000 (here ${rate(1000)}), >= 300 pods/s at 5,000 (here ${rate(5000)}), <= 300 MB at 10,000 (here ${at(10000) ? `${at(10000)!.rssMb.toFixed(0)} MB` : 'n/a'})`);
}

/** n pods in 20 classes mid-rotation: classes 10–19 serve new-root leaves, classes 0–4 trust only the old root. */
async function midRotation(n: number, pki: { oldRoot: Issued; newRoot: Issued; oldInter: Issued; newInter: Issued; leaves: Issued[] }): Promise<FleetInput> {
  const pods: PodHolding[] = Array.from({ length: n }, (_, k) => {
    const c = k % CLASSES;
    const inter = c >= 10 ? pki.newInter : pki.oldInter;
    return { namespace: `ns${c}`, name: `web-${k}`, workload: 'web', serviceAccount: 'web', status: 'ok', served: [pki.leaves[c]!.pem, inter.pem], trusted: c < 5 ? [pki.oldRoot.pem] : [pki.oldRoot.pem, pki.newRoot.pem], services: [`ns${c}/web`] };
  });
  return { pods, services: Array.from({ length: CLASSES }, (_, c) => ({ namespace: `ns${c}`, name: 'web', port: 8080 })) };
}

async function judgement() {
  const oldRoot = await root('Bench Root 2025');
  const newRoot = await root('Bench Root 2026', { notBefore: t(-10 * DAY) });
  const oldInter = await intermediate(oldRoot, 'Bench Intermediate 2025');
  const newInter = await intermediate(newRoot, 'Bench Intermediate 2026', { notBefore: t(-9 * DAY) });
  const leaves: Issued[] = [];
  for (let c = 0; c < CLASSES; c++) leaves.push(await leaf(c >= 10 ? newInter : oldInter, { uris: [spiffe(`ns${c}`, 'web')] }));
  const pki = { oldRoot, newRoot, oldInter, newInter, leaves };
  const small = await midRotation(1000, pki);
  const large = await midRotation(10000, pki);
  const once = (input: FleetInput) => {
    let judged = 0;
    let broken = 0;
    const t0 = performance.now();
    let inJudge = 0;
    const model = buildFleetModel(input, {
      now: NOW,
      thresholds: DEFAULT_THRESHOLDS,
      judgeConnections: (i, o) => {
        const s = performance.now();
        const r = judgeConnections(i, o);
        inJudge += performance.now() - s;
        return r;
      },
    });
    const total = performance.now() - t0;
    judged = model.connectionsJudged;
    broken = model.connections.filter((c) => c.verdict === 'failing').length;
    // The whole connection step: pairing, the judgement, and folding it into rows (everything after classes).
    return { total, inJudge, judged, broken, classes: model.classes.length };
  };
  once(small);
  once(large);
  const s: ReturnType<typeof once>[] = [];
  const l: ReturnType<typeof once>[] = [];
  for (let k = 0; k < JUDGE_RUNS; k++) {
    s.push(once(small));
    l.push(once(large));
  }
  const ms = (xs: number[]) => `${median(xs).toFixed(0)} ms`;
  console.log(`2. connection judgement, ${CLASSES} classes mid-rotation (${s[0]!.judged} class pairs, ${s[0]!.broken} broken), medians of ${JUDGE_RUNS} side by side; load ${load()}`);
  console.log(`   1,000 pods: judgement ${ms(s.map((x) => x.inJudge))} (whole model ${ms(s.map((x) => x.total))}, ${s[0]!.classes} classes)`);
  console.log(`  10,000 pods: judgement ${ms(l.map((x) => x.inJudge))} (whole model ${ms(l.map((x) => x.total))}, ${l[0]!.classes} classes)`);
  console.log(`  ratio 10,000 / 1,000 pods: judgement ×${(median(l.map((x) => x.inJudge)) / median(s.map((x) => x.inJudge))).toFixed(2)} (target <= 1.5), whole model ×${(median(l.map((x) => x.total)) / median(s.map((x) => x.total))).toFixed(2)}`);
}

async function main() {
  if (process.env.BENCH_SCAN_PART !== '2') await endToEnd();
  if (process.env.BENCH_SCAN_PART !== '1') await judgement();
}

main().catch((e) => {
  console.error(`bench:scan: ${(e as Error).message}`);
  process.exit(1);
});
