/**
 * `npm run bench:scan`: `mtls-doctor scan -A` (the built CLI, a process of its own) against a simulated cluster —
 * the fake API server with WebSocket port-forward (test/support/fake-kube-api.ts) and fake Envoy admins behind
 * every pod, all on loopback in this process — at 500, 1,000, 2,000 and 5,000 pods. Prints pods per second, peak
 * RSS of the scanner, and how both grow with the pod count (medians of BENCH_SCAN_RUNS runs per size, default 3).
 * The fake cluster shares the machine's two cores with the scanner, so the rates are a floor, not a ceiling.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { intermediate, leaf, NOW, root, spiffe } from '../test/support/pki.js';
import { startFakeEnvoyAdmin, type FakeServer } from '../test/support/fake-envoy-admin.js';
import { startFakeKubeApi, type FakePod } from '../test/support/fake-kube-api.js';

const SIZES = (process.env.BENCH_SCAN_SIZES ?? '500,1000,2000,5000').split(',').map(Number);
const RUNS = Number(process.env.BENCH_SCAN_RUNS ?? 3);
const CONCURRENCY = Number(process.env.BENCH_SCAN_CONCURRENCY ?? 32);
const ADMINS = 8;
const root_ = process.cwd();
const cli = join(root_, 'dist', 'cli.cjs');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function scanOnce(kubeconfig: string, expect: number): Promise<{ seconds: number; rssMb: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-scan-'));
  const rssFile = join(dir, 'rss');
  const t0 = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--require', join(root_, 'bench', 'maxrss.cjs'), cli, 'scan', '-A', '--concurrency', String(CONCURRENCY), '-o', 'json', '--at', new Date(NOW).toISOString(), '--kubeconfig', kubeconfig], {
      env: { ...process.env, BENCH_RSS_FILE: rssFile, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      try {
        if (code !== 0) throw new Error(`scan exited ${code}: ${err.slice(0, 300)}`);
        const r = JSON.parse(out);
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

async function main() {
  const r = await root('Bench Root');
  const i = await intermediate(r, 'Bench Intermediate');
  const admins: FakeServer[] = [];
  for (let k = 0; k < ADMINS; k++) admins.push(await startFakeEnvoyAdmin({ chain: [await leaf(i, { uris: [spiffe(`ns${k}`, 'web')] }), i], roots: [r] }));
  const rows: Array<{ pods: number; seconds: number; rate: number; rssMb: number }> = [];
  console.log(`scan -A --concurrency ${CONCURRENCY} against a fake cluster (${ADMINS} fake Envoy admins behind every pod), medians of ${RUNS}`);
  for (const n of SIZES) {
    const pods: FakePod[] = Array.from({ length: n }, (_, k) => ({ name: `web-${k}`, namespace: `ns${k % 20}`, labels: { app: 'web' }, backends: { 15000: admins[k % ADMINS]!.url } }));
    const api = await startFakeKubeApi({ pods, configMaps: [...new Set(pods.map((p) => p.namespace))].map((ns) => ({ namespace: ns, name: 'istio-ca-root-cert', data: { 'root-cert.pem': r.pem } })) });
    try {
      const runs = [];
      for (let k = 0; k < RUNS; k++) runs.push(await scanOnce(api.kubeconfig, n));
      const seconds = median(runs.map((x) => x.seconds));
      const rssMb = median(runs.map((x) => x.rssMb));
      rows.push({ pods: n, seconds, rate: n / seconds, rssMb });
      console.log(`  ${String(n).padStart(5)} pods: ${seconds.toFixed(2)} s, ${(n / seconds).toFixed(0)} pods/s, peak RSS ${rssMb.toFixed(0)} MB`);
    } finally {
      await api.close();
    }
  }
  await Promise.all(admins.map((a) => a.close()));
  const first = rows[0]!;
  const last = rows[rows.length - 1]!;
  console.log(`growth ${first.pods} → ${last.pods} pods (×${(last.pods / first.pods).toFixed(0)}): time ×${(last.seconds / first.seconds).toFixed(2)}, RSS ×${(last.rssMb / first.rssMb).toFixed(2)}`);
  console.log(`targets: linear in pods, >= 200 pods/s at concurrency 32 (min here ${Math.min(...rows.map((x) => x.rate)).toFixed(0)}), peak RSS <= 300 MB at 5,000 pods (here ${rows.find((x) => x.pods === 5000)?.rssMb.toFixed(0) ?? 'n/a'} MB)`);
}

main().catch((e) => {
  console.error(`bench:scan: ${(e as Error).message}`);
  process.exit(1);
});
