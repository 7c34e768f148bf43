/**
 * The built CLI (dist/cli.cjs) loads the separately bundled cluster chunk on demand and diagnoses a pod through
 * it; a diagnosis of files never loads it.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AT, startMesh, type MeshFixture } from './fixture.js';

const root = join(import.meta.dirname, '..', '..');
const cli = join(root, 'dist', 'cli.cjs');

function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [cli, ...args], { env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...env } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe.skipIf(!existsSync(cli))('the built CLI and its cluster chunk', () => {
  let m: MeshFixture;
  beforeAll(async () => {
    m = await startMesh([{ name: 'web-1', namespace: 'demo', labels: { app: 'web' }, serviceAccount: 'web' }]);
  });
  afterAll(() => m?.close());

  it('diagnose pod/NAME loads the cluster chunk and reads the pod', async () => {
    const r = await run(['diagnose', 'pod/web-1', '-n', 'demo', '--kubeconfig', m.api.kubeconfig, ...AT, '-o', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.target).toMatchObject({ kind: 'pod', name: 'pod/web-1', namespace: 'demo' });
    expect(report.verdict).toBe('healthy');
  });

  it('the Kubernetes client is loaded for the cluster path only', async () => {
    const manifest = join(root, 'dist', 'chunks.json');
    if (existsSync(manifest)) {
      // Chunked build (scripts/build.mjs, dist/chunks.json): the chunks `diagnose pod/…` loads hold the client.
      const { mkdtempSync } = await import('node:fs');
      const { tmpdir } = await import('node:os');
      const trace = join(mkdtempSync(join(tmpdir(), 'i10-trace-')), 'trace');
      const r = await run(['diagnose', 'pod/web-1', '-n', 'demo', '--kubeconfig', m.api.kubeconfig, ...AT, '-o', 'json'], { MTLS_DOCTOR_CHUNK_TRACE: trace });
      expect(r.code, r.stderr).toBe(0);
      const chunks = JSON.parse(readFileSync(manifest, 'utf8')) as Record<string, { packages: string[] }>;
      const loaded = readFileSync(trace, 'utf8').trim().split('\n').filter((l) => !/^(rejected-cache|mode) /.test(l));
      expect(loaded.flatMap((c) => chunks[c]?.packages ?? [])).toContain('@kubernetes/client-node');
      return;
    }
    const main = readFileSync(join(root, 'dist', 'mtls-doctor.cjs'), 'utf8');
    expect(main).not.toMatch(/makeApiClient|KubeConfig/);
    expect(readFileSync(join(root, 'dist', 'mtls-doctor-kube.cjs'), 'utf8')).toMatch(/makeApiClient/);
  });
});
