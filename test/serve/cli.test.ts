/** `mtls-doctor serve` from the built CLI: starts, answers, drains on SIGTERM; bad flags and configs are exit 2. */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { BIN, runCli, tempDir } from '../support/cli.js';
import { mesh, NOW } from '../support/pki.js';
import { startMesh } from '../cluster/fixture.js';

let tmp: ReturnType<typeof tempDir>;
let config: string;
beforeAll(() => {
  tmp = tempDir();
  const token = tmp.file('token', 'cli-token-0123456789abcdef012345');
  config = tmp.file('serve.yaml', `tokens:\n  - name: ci\n    tokenFile: ${token}\n    namespaces: [bookinfo]\n`);
});
afterAll(() => tmp.cleanup());

describe('mtls-doctor serve', () => {
  it('listens, answers /healthz and a webhook diagnosis, logs JSON, and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, [BIN, 'serve', '--listen', '127.0.0.1:0', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    let err = '';
    child.stderr.on('data', (c) => (err += c));
    try {
      const until = Date.now() + 40_000;
      while (!/"msg":"listening"/.test(out) && Date.now() < until && child.exitCode === null) await new Promise((r) => setTimeout(r, 50));
      const listening = JSON.parse(out.split('\n').find((l) => l.includes('"listening"'))!);
      const base = listening.address as string;
      expect((await request(`${base}/healthz`)).statusCode).toBe(200);
      const m = await mesh({ inter: { notAfter: new Date(NOW - 3600_000) } });
      const r = await request(`${base}/v1/diagnoses`, { method: 'POST', headers: { authorization: 'Bearer cli-token-0123456789abcdef012345', 'content-type': 'application/json' }, body: JSON.stringify({ chain: m.leaf.pem + m.inter.pem, trust: m.root.pem, at: new Date(NOW).toISOString() }) });
      const body = (await r.body.json()) as { verdict?: string };
      expect(r.statusCode).toBe(200);
      expect(body.verdict).toBe('failing');
      child.kill('SIGTERM');
      const [code] = await once(child, 'exit');
      expect(code, err).toBe(0);
      const audit = out.split('\n').filter(Boolean).map((l) => JSON.parse(l)).filter((l) => l.msg === 'audit');
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({ route: 'diagnoses', caller: { kind: 'token', name: 'ci' }, status: 200, verdict: 'failing', what: 'certificates' });
      expect(out).not.toContain('cli-token-0123456789abcdef012345');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 90_000);

  it('bad usage is exit 2 with one line', () => {
    for (const [args, msg] of [
      [['serve'], /without --config FILE/],
      [['serve', '--config', '/nonexistent.yaml'], /Cannot read --config "\/nonexistent\.yaml": ENOENT/],
      [['serve', '--listen', 'nope', '--config', config], /Cannot use --listen "nope"/],
      [['serve', '--config', config, '--scan-interval', '5'], /Cannot use --scan-interval "5": give a duration from 10s to 24h/],
      [['serve', '--config', config, '--scan-interval', 'hourly'], /Cannot use --scan-interval "hourly"/],
    ] as const) {
      const r = runCli([...args]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(msg);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  }, 90_000);

  it('--scan-interval: the built server scans the cluster of its kubeconfig and exports the fleet gauges', async () => {
    const m = await startMesh([{ name: 'web-1', namespace: 'demo', labels: { app: 'web' }, serviceAccount: 'web' }]);
    const scanConfig = tmp.file('serve-scan.yaml', `${readFileSync(config, 'utf8')}scan:\n  namespaces: [demo]\n`);
    const child = spawn(process.execPath, [BIN, 'serve', '--listen', '127.0.0.1:0', '--config', scanConfig, '--scan-interval', '10m'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, KUBECONFIG: m.api.kubeconfig } });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    let err = '';
    child.stderr.on('data', (c) => (err += c));
    try {
      const until = Date.now() + 60_000;
      while (!/"msg":"fleet scan/.test(out) && Date.now() < until && child.exitCode === null) await new Promise((r) => setTimeout(r, 50));
      const lines = out.split('\n').filter(Boolean).map((l) => JSON.parse(l));
      expect(lines.find((l) => l.msg === 'listening'), err).toMatchObject({ scanIntervalSeconds: 600 });
      expect(lines.find((l) => l.msg.startsWith('fleet scan')), err).toMatchObject({ msg: 'fleet scan', pods: 1, ok: 1, rotationPhase: 0 });
      const base = lines.find((l) => l.msg === 'listening').address as string;
      const metrics = await (await request(`${base}/metrics`)).body.text();
      expect(metrics).toMatch(/^mtls_doctor_scan_pods\{status="ok"\} 1$/m);
      expect(metrics).toMatch(/^mtls_doctor_cert_expiry_timestamp_seconds\{level="root",/m);
      child.kill('SIGTERM');
      const [code] = await once(child, 'exit');
      expect(code, err).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await m.close();
    }
  }, 90_000);
});
