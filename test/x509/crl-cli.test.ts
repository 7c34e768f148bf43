/**
 * CRLs and the depth limit end to end: `diagnose --crl/--max-depth` (bad input is one line and exit 2), the
 * library's `crls`/`maxChainDepth`, evidence save/replay, and the sidecar's mounted ca-crl.pem.
 */
import 'reflect-metadata';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diagnose } from '../../src/index.js';
import { readCredentialFiles } from '../../src/collect/proxy-files.js';
import { decodeCrls } from '../../src/x509/crl.js';
import { isOneLineError, runCli, tempDir } from '../support/cli.js';
import { mesh, type Issued } from '../support/pki.js';
import { crlPem, serialOf } from '../support/crl.js';

const AT = ['--at', '2026-11-29T03:00:00Z'];
let tmp: ReturnType<typeof tempDir>;
let m: { root: Issued; inter: Issued; leaf: Issued };
let files: { chain: string; trust: string; revoking: string; clean: string };

beforeAll(async () => {
  tmp = tempDir();
  m = await mesh();
  files = {
    chain: tmp.file('cert-chain.pem', m.leaf.pem + m.inter.pem),
    trust: tmp.file('root-cert.pem', m.root.pem),
    revoking: tmp.file('ca-crl.pem', await crlPem(m.inter, { entries: [{ serial: serialOf(m.leaf) }] })),
    clean: tmp.file('clean-crl.pem', await crlPem(m.inter)),
  };
});
afterAll(() => tmp.cleanup());

const rulesOf = (stdout: string) => (JSON.parse(stdout) as { findings: Array<{ rule: string }> }).findings.map((f) => f.rule);

describe('diagnose --crl', () => {
  it('reports a revoked leaf (exit 1) and passes with a CRL that does not list it (exit 0)', () => {
    const bad = runCli(['diagnose', '--chain', files.chain, '--trust', files.trust, '--crl', files.revoking, '-o', 'json', ...AT]);
    expect(bad.code).toBe(1);
    expect(rulesOf(bad.stdout)).toContain('chain/certificate-revoked');
    const ok = runCli(['diagnose', '--chain', files.chain, '--trust', files.trust, '--crl', files.clean, '-o', 'json', ...AT]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(rulesOf(ok.stdout)).not.toContain('chain/certificate-revoked');
  });

  it('takes DER and several --crl files, and uses the newest CRL of a CA', async () => {
    const newer = await crlPem(m.inter, { entries: [{ serial: serialOf(m.leaf) }], thisUpdate: new Date(Date.parse('2026-11-29T01:00:00Z')), crlNumber: 2 });
    const der = tmp.file('newer-crl.der', decodeCrls(newer, 'x')[0]!);
    const r = runCli(['diagnose', '--chain', files.chain, '--trust', files.trust, '--crl', files.clean, '--crl', der, '-o', 'json', ...AT]);
    expect(r.code, r.stderr).toBe(1);
    expect(rulesOf(r.stdout)).toContain('chain/certificate-revoked');
    expect(JSON.stringify(JSON.parse(r.stdout).findings)).toContain('newer-crl.der');
  });

  it.each([
    ['a certificate file', () => files.trust, /^mtls-doctor: Cannot read .*root-cert\.pem: it holds certificates, not a CRL/],
    ['garbage', () => tmp.file('junk.crl', 'not a crl at all'), /^mtls-doctor: Cannot read .*junk\.crl: it is neither PEM nor DER CRL data/],
    ['a missing file', () => join(tmp.dir, 'nope.pem'), /^mtls-doctor: Cannot read --crl file ".*nope\.pem": no such file/],
    ['DER that is not a CRL', () => tmp.file('cert.der', m.root.der), /^mtls-doctor: Cannot parse .*cert\.der: not a valid X\.509 CRL/],
  ])('refuses %s with one line and exit 2', (_n, path, re) => {
    const r = runCli(['diagnose', '--chain', files.chain, '--trust', files.trust, '--crl', path(), ...AT]);
    expect(r.code).toBe(2);
    expect(isOneLineError(r.stderr), r.stderr).toBe(true);
    expect(r.stderr).toMatch(re);
  });

  it('keeps CRLs and the depth limit in saved evidence and replays them to the same report', () => {
    const bundle = join(tmp.dir, 'bundle.json');
    const first = runCli(['diagnose', '--chain', files.chain, '--trust', files.trust, '--crl', files.revoking, '--max-depth', '0', '--save-evidence', bundle, '-o', 'json', ...AT]);
    expect(first.code).toBe(1);
    expect(rulesOf(first.stdout)).toEqual(expect.arrayContaining(['chain/certificate-revoked', 'chain/max-depth-exceeded']));
    const replay = runCli(['diagnose', '--evidence', bundle, '-o', 'json']);
    expect(replay.stdout).toBe(first.stdout);
    // --max-depth re-evaluates a bundle under another verifier limit; --crl cannot be added to one.
    expect(rulesOf(runCli(['diagnose', '--evidence', bundle, '--max-depth', '1', '-o', 'json']).stdout)).not.toContain('chain/max-depth-exceeded');
    const mixed = runCli(['diagnose', '--evidence', bundle, '--crl', files.clean]);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(/^mtls-doctor: Cannot combine --evidence with --crl/);
  });
});

describe('diagnose --max-depth', () => {
  it.each(['-1', '1.5', 'two'])('refuses %s with one line and exit 2', (v) => {
    const r = runCli(['diagnose', '--chain', files.chain, '--trust', files.trust, '--max-depth', v, ...AT]);
    expect(r.code).toBe(2);
    expect(isOneLineError(r.stderr), r.stderr).toBe(true);
    expect(r.stderr).toContain(`Cannot use --max-depth "${v}": expected a whole number of intermediate CAs`);
  });
});

describe('library diagnose()', () => {
  it('takes crls and maxChainDepth', async () => {
    const base = { chain: [m.leaf.pem, m.inter.pem], trust: m.root.pem, at: '2026-11-29T03:00:00Z' };
    const revoked = await diagnose({ ...base, crls: [await crlPem(m.inter, { entries: [{ serial: serialOf(m.leaf) }] })] });
    expect(revoked.verdict).toBe('failing');
    expect(revoked.findings.map((f) => f.rule)).toContain('chain/certificate-revoked');
    const deep = await diagnose({ ...base, maxChainDepth: 0 });
    expect(deep.findings.map((f) => f.rule)).toContain('chain/max-depth-exceeded');
    expect((await diagnose({ ...base, maxChainDepth: 1 })).findings.map((f) => f.rule)).not.toContain('chain/max-depth-exceeded');
    // Without a CRL the CRL rules are not evaluated, and say what they need.
    const none = await diagnose(base);
    expect(none.notEvaluated.find((n) => n.rule === 'chain/certificate-revoked')).toMatchObject({ reason: 'insufficient-evidence' });
  });

  it('refuses a bad CRL with an E_INPUT error naming it', async () => {
    await expect(diagnose({ chain: m.leaf.pem, crls: 'garbage' })).rejects.toMatchObject({ code: 'E_INPUT', message: expect.stringMatching(/^Cannot read crl: /) });
  });
});

describe('istio-proxy files', () => {
  it("reads the sidecar's mounted ca-crl.pem as a CRL, and records a broken one", async () => {
    const root = join(tmp.dir, 'proxy-root');
    mkdirSync(join(root, 'var/run/secrets/istio/crl'), { recursive: true });
    writeFileSync(join(root, 'var/run/secrets/istio/crl/ca-crl.pem'), require_(files.revoking));
    const { files: found } = readCredentialFiles(root);
    const crl = found.find((f) => f.kind === 'crl');
    expect(crl).toMatchObject({ path: join(root, 'var/run/secrets/istio/crl/ca-crl.pem'), error: null });
    expect(crl!.pems[0]).toMatch(/^-----BEGIN X509 CRL-----/);
    writeFileSync(join(root, 'var/run/secrets/istio/crl/ca-crl.pem'), m.root.pem);
    expect(readCredentialFiles(root).files.find((f) => f.kind === 'crl')).toMatchObject({ pems: [], error: expect.stringMatching(/not a CRL/) });
  });

  it('diagnose --proxy-root uses the mounted CRL', () => {
    const root = join(tmp.dir, 'pod');
    mkdirSync(join(root, 'etc/certs'), { recursive: true });
    mkdirSync(join(root, 'var/run/secrets/istio/crl'), { recursive: true });
    writeFileSync(join(root, 'etc/certs/cert-chain.pem'), m.leaf.pem + m.inter.pem);
    writeFileSync(join(root, 'etc/certs/root-cert.pem'), m.root.pem);
    writeFileSync(join(root, 'var/run/secrets/istio/crl/ca-crl.pem'), require_(files.revoking));
    const r = runCli(['diagnose', '--proxy-root', root, '-o', 'json', ...AT], { env: { MTLS_DOCTOR_NO_AUTODETECT: '1' } });
    expect(rulesOf(r.stdout)).toContain('chain/certificate-revoked');
  });
});

function require_(path: string): string {
  return readFileSync(path, 'utf8');
}
