/**
 * The fleet commands through the built CLI: a saved scan judged again (`scan --evidence`), every output
 * format, `rotation status|plan`, `alerts`, exit codes and bad input (one line, exit 2).
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FLEET_BUNDLE_KIND, type FleetBundle } from '../../src/fleet/bundle.js';
import { runCli, tempDir } from '../support/cli.js';
import { NOW } from '../support/pki.js';
import { fleetPki, pods } from './fleet-pki.js';

const tmp = tempDir('mtls-fleet-cli-');
afterAll(() => tmp.cleanup());
const at = new Date(NOW).toISOString();
let outOfOrder: string;
let clean: string;

beforeAll(async () => {
  const pki = await fleetPki();
  const bundle = (p: FleetBundle['input']['pods']): FleetBundle => ({ kind: FLEET_BUNDLE_KIND, schemaVersion: 1, collectedAt: at, scope: { namespaces: 'all' }, input: { pods: p } });
  outOfOrder = tmp.file('out-of-order.json', JSON.stringify(bundle(await pods(pki, 10, (i) => ({ serves: i < 3 ? 'new' : 'old', trusts: i >= 8 ? ['old'] : ['old', 'new'] })))));
  clean = tmp.file('clean.json', JSON.stringify(bundle(await pods(pki, 4, () => ({ serves: 'old', trusts: ['old'] })))));
});

describe('scan --evidence', () => {
  it('a clean mesh exits 0 and says so; json carries the contract fields', () => {
    const r = runCli(['scan', '--evidence', clean, '--at', at]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Fleet scan: 4 of 4 pods read \(all namespaces\)/);
    expect(r.stdout).toContain('no drift');
    const j = JSON.parse(runCli(['scan', '--evidence', clean, '--at', at, '-o', 'json']).stdout);
    for (const k of ['schemaVersion', 'pods', 'certificates', 'drift', 'rotation']) expect(j).toHaveProperty(k);
    expect(j.pods[0]).toEqual(expect.objectContaining({ namespace: 'ns0', name: 'web-0', status: 'ok', leaf: expect.objectContaining({ serial: expect.any(String), notAfter: expect.any(String), issuer: expect.any(String) }), roots: [expect.stringMatching(/^[0-9a-f]{64}$/)] }));
  });

  it('an out-of-order rotation exits 1 and names the pods; prometheus output passes promtool when present', () => {
    const r = runCli(['scan', '--evidence', outOfOrder, '--at', at]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('VIOLATION issuing-before-trusted');
    expect(r.stdout).toMatch(/ns0\/web-9/);
    const p = runCli(['scan', '--evidence', outOfOrder, '--at', at, '-o', 'prometheus']);
    expect(p.stdout).toContain('mtls_doctor_rotation_violations 2');
    if (spawnSync('promtool', ['--version']).status === 0) {
      const chk = spawnSync('promtool', ['check', 'metrics'], { input: p.stdout, encoding: 'utf8' });
      expect(chk.stdout + chk.stderr).toBe('');
    }
    expect(runCli(['scan', '--evidence', outOfOrder, '--at', at, '-o', 'markdown']).stdout).toContain('**issuing-before-trusted**');
  });

  it('--save-evidence writes a scan that replays to the same report', () => {
    const saved = `${tmp.dir}/again.json`;
    const a = runCli(['scan', '--evidence', outOfOrder, '--at', at, '-o', 'json', '--save-evidence', saved]);
    const b = runCli(['scan', '--evidence', saved, '--at', at, '-o', 'json']);
    expect(JSON.parse(b.stdout)).toEqual(JSON.parse(a.stdout));
  });
});

describe('rotation', () => {
  it('status names the phase; plan gives the commands and the verify line; json has the contract fields', () => {
    const s = runCli(['rotation', 'status', '--evidence', outOfOrder, '--at', at]);
    expect(s.code).toBe(1);
    expect(s.stdout).toMatch(/phase 4 of 5/);
    const p = runCli(['rotation', 'plan', '--evidence', clean, '--at', at]);
    expect(p.code).toBe(0);
    expect(p.stdout).toMatch(/Step 1: add the new root beside the old one/);
    const j = JSON.parse(runCli(['rotation', 'status', '--evidence', outOfOrder, '--at', at, '-o', 'json']).stdout);
    expect(j).toEqual(expect.objectContaining({ phase: 4, phaseName: expect.any(String), oldRoots: [expect.any(String)], newRoots: [expect.any(String)], next: expect.any(String) }));
    expect(j.violations[0]).toEqual(expect.objectContaining({ kind: 'issuing-before-trusted', pods: ['ns0/web-9', 'ns2/web-8'] }));
  });
});

describe('alerts', () => {
  it('prints a rule pack with every alert', () => {
    const r = runCli(['alerts']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^# mtls-doctor alert pack/);
    for (const a of ['MeshIntermediateCertificateExpiringSoon', 'WorkloadCertificateRotationStalled', 'IstiodRootCertificateExpiringSoon', 'MeshCaRotationOrderViolation']) expect(r.stdout).toContain(`alert: ${a}`);
  });
});

describe('bad input: one line, exit 2 (3 when nothing can be read)', () => {
  it.each([
    [['scan', '--evidence', '/nonexistent/scan.json'], 2, /Cannot read --evidence/],
    [['scan', '--evidence', 'JSON'], 2, /not JSON/],
    [['scan', '--evidence', 'DIAG'], 2, /not a saved scan/],
    [['scan', '-n', 'a', '-A'], 2, /pick one/],
    [['scan', '--evidence', 'CLEAN', '-l', 'app=x'], 2, /Cannot combine --evidence with -l/],
    [['scan', '--concurrency', '0', '--evidence', 'CLEAN'], 2, /--concurrency 0/],
    [['rotation', 'sideways'], 2, /rotation has no action "sideways": use status, plan or drill/],
    [['alerts', '--leaf-ttl', '-3'], 2, /--leaf-ttl -3/],
    [['scan'], 2, /Cannot read kubeconfig "\/nonexistent\/kubeconfig": no such file/],
  ] as Array<[string[], number, RegExp]>)('%j', (args, code, msg) => {
    const files: Record<string, string> = { JSON: tmp.file('bad.json', '{nope'), DIAG: tmp.file('diag.json', '{"schemaVersion":1}'), CLEAN: clean };
    const r = runCli(args.map((a) => files[a] ?? a), { env: { KUBECONFIG: '/nonexistent/kubeconfig' } });
    expect(r.code).toBe(code);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(msg);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });
});
