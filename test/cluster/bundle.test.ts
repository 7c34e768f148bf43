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

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [cli, ...args], { env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' } });
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

  it('diagnose pod/NAME loads dist/mtls-doctor-kube.cjs and reads the pod', async () => {
    const r = await run(['diagnose', 'pod/web-1', '-n', 'demo', '--kubeconfig', m.api.kubeconfig, ...AT, '-o', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.target).toMatchObject({ kind: 'pod', name: 'pod/web-1', namespace: 'demo' });
    expect(report.verdict).toBe('healthy');
  });

  it('the main bundle does not contain the Kubernetes client', () => {
    const main = readFileSync(join(root, 'dist', 'mtls-doctor.cjs'), 'utf8');
    expect(main).not.toMatch(/makeApiClient|KubeConfig/);
    expect(readFileSync(join(root, 'dist', 'mtls-doctor-kube.cjs'), 'utf8')).toMatch(/makeApiClient/);
  });
});
