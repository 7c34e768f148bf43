/**
 * The single executable (`npm run sea`, dist/mtls-doctor), as `kubectl cp` leaves it in a container without
 * Node: a copy alone in an empty directory, a PATH with no node, no node_modules anywhere near it. Runs when
 * MTLS_DOCTOR_SEA names the executable (.ci/run builds it and sets it); building it here would download Node 24.
 */
import { chmodSync, copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mesh, NOW, WEB_ID } from '../support/pki.js';
import { tempDir } from '../support/cli.js';

const SEA = process.env.MTLS_DOCTOR_SEA;

describe.skipIf(!SEA)('the single executable', () => {
  const tmp = tempDir('mtls-doctor-sea-test-');
  const bin = join(tmp.dir, 'pod', 'tmp', 'mtls-doctor');
  const env = { PATH: join(tmp.dir, 'no-node-here'), HOME: join(tmp.dir, 'pod'), NO_COLOR: '1' };
  const run = (args: string[]) => spawnSync(bin, args, { cwd: join(tmp.dir, 'pod'), env, encoding: 'utf8', timeout: 30_000 });
  let files: { chain: string; trust: string; key: string };

  beforeAll(async () => {
    mkdirSync(join(tmp.dir, 'pod', 'tmp'), { recursive: true });
    copyFileSync(SEA!, bin);
    chmodSync(bin, 0o755);
    const m = await mesh();
    files = { chain: tmp.file('chain.pem', m.leaf.pem + m.inter.pem), trust: tmp.file('root.pem', m.root.pem), key: tmp.file('key.pem', await m.leaf.keyPem()) };
  });
  afterAll(() => tmp.cleanup());

  it('has no node to lean on', () => {
    expect(spawnSync('node', ['-e', '0'], { env }).error).toBeTruthy();
    expect(existsSync(join(tmp.dir, 'pod', 'node_modules'))).toBe(false);
  });

  it('runs the demo end to end (its TLS peer, the probe, the diagnosis)', () => {
    const r = run(['demo']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0); // the demo succeeds at showing a failure (test/cli/demo.test.ts)
    expect(r.stdout).toContain('expiry/intermediate-expired');
    expect(r.stdout).toContain('explains the symptom');
  });

  it('diagnoses PEM files', () => {
    const r = run(['diagnose', '--chain', files.chain, '--key', files.key, '--trust', files.trust, '--expect-id', WEB_ID, '--at', new Date(NOW).toISOString(), '-o', 'json']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ verdict: 'healthy', tool: { name: 'mtls-doctor' } });
  });

  it('is the kubectl plugin when named kubectl-mtls_doctor (the krew archive)', () => {
    const dir = join(tmp.dir, 'krew-bin');
    mkdirSync(dir);
    copyFileSync(SEA!, join(dir, 'kubectl-mtls_doctor'));
    chmodSync(join(dir, 'kubectl-mtls_doctor'), 0o755);
    const r = spawnSync('kubectl', ['mtls-doctor', '--help'], { env: { ...process.env, PATH: `${dir}:${process.env.PATH}` }, encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^kubectl mtls-doctor <command>/);
  });

  it('fails on bad input with one line and exit 2, as the bundled CLI does', () => {
    const r = run(['diagnose', '--chain', join(tmp.dir, 'missing.pem')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^mtls-doctor: .*missing\.pem.*\n$/);
  });
});
