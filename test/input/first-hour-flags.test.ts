/**
 * Issue 9 points 1, 3 and 11 through the built CLI: repeated flags, `--ca` on its own, and the input edges
 * (stdin, a flag without its value, empty files, DER keys in every encoding, a lone --peer-id, a malformed
 * --expect-id, a mistyped flag). The FIFO part of point 11 is helper i15's (bounded reads).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitCodeFor, MtlsDoctorError } from '../../src/errors.js';
import { BIN, isOneLineError, runCli, tempDir } from '../support/cli.js';
import { DAY, NOW, WEB_ID, intermediate, leaf, root, spiffe, t } from '../support/pki.js';

const d = tempDir();
const AT = ['--at', new Date(NOW).toISOString()];
let chain: string;
let trust: string;
let chainPem: string;
let cacerts: string;
let leafOnly: string;
beforeAll(async () => {
  const r = await root();
  const i = await intermediate(r, 'Mesh Intermediate CA', { notAfter: t(5 * DAY) });
  const l = await leaf(i);
  chainPem = l.pem + i.pem;
  chain = d.file('chain.pem', chainPem);
  trust = d.file('root.pem', r.pem);
  cacerts = d.file('cacerts-cert-chain.pem', i.pem + r.pem);
  leafOnly = d.file('leaf.pem', l.pem);
});
afterAll(() => d.cleanup());

const json = (args: string[], input?: string) => {
  const r = runCli(['diagnose', ...args, ...AT, '-o', 'json'], { input });
  return { ...r, report: r.code !== null && r.code <= 1 && r.stdout ? JSON.parse(r.stdout) : null };
};
const refused = (r: { code: number | null; stderr: string }, message: RegExp) => {
  expect(r.code, r.stderr).toBe(2);
  expect(isOneLineError(r.stderr), r.stderr).toBe(true);
  expect(r.stderr).toMatch(message);
};

describe('point 1: repeated flags', () => {
  it('--expect-id is repeatable: any one identity the leaf carries is enough', () => {
    const r = json(['--chain', chain, '--trust', trust, '--expect-id', spiffe('demo', 'other'), '--expect-id', WEB_ID]);
    expect(r.stderr).toBe('');
    expect(r.report.findings.map((f: { rule: string }) => f.rule)).not.toContain('san/identity-mismatch');
  });

  it('--expect-id twice, neither carried: one mismatch naming both', () => {
    const r = json(['--chain', chain, '--trust', trust, '--expect-id', spiffe('demo', 'a'), '--expect-id', spiffe('demo', 'b')]);
    expect(r.code).toBe(1);
    const f = r.report.findings.find((x: { rule: string }) => x.rule === 'san/identity-mismatch');
    expect(f.explanation).toMatch(/spiffe:\/\/cluster\.local\/ns\/demo\/sa\/a.*spiffe:\/\/cluster\.local\/ns\/demo\/sa\/b/);
  });

  for (const [flag, a, b] of [
    ['--chain', 'x.pem', 'y.pem'],
    ['--key', 'k.pem', 'k.pem'],
    ['--symptom', 'reset', 'unknown ca'],
    ['--at', '2026-11-29T03:00:00Z', '2026-11-30T03:00:00Z'],
    ['--output', 'json', 'text'],
  ] as const) {
    it(`${flag} given twice is refused with exit 2 and one line`, () => {
      refused(runCli(['diagnose', ...(flag === '--chain' ? [] : ['--chain', chain]), flag, a, flag, b]), new RegExp(`Cannot use ${flag} more than once`));
    });
  }

  it('-o twice (the alias) is refused too', () => {
    refused(runCli(['diagnose', '--chain', chain, '-o', 'json', '-o', 'text']), /Cannot use --output more than once/);
  });

  it('an internal error is exit 3, never 70: exit codes are 0-3', () => {
    expect(exitCodeFor(new Error('boom'))).toBe(3);
    expect(exitCodeFor(new MtlsDoctorError('E_INTERNAL', 'x'))).toBe(3);
  });
});

describe('point 3: --ca', () => {
  it('on its own checks the CA levels (the tool\'s own advice works)', () => {
    const r = json(['--ca', cacerts]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(r.report.verdict).toBe('at-risk');
    expect(r.report.findings[0]).toMatchObject({ rule: 'expiry/intermediate-expiring', subject: 'ca' });
  });

  it('a CA:FALSE leaf in --ca is flagged, not judged as an intermediate', () => {
    const r = json(['--ca', leafOnly]);
    expect(r.stderr).toBe('');
    const rules = r.report.findings.map((f: { rule: string }) => f.rule);
    expect(rules).toContain('chain/ca-material-not-ca');
    expect(rules).not.toContain('expiry/intermediate-expiring');
  });
});

describe('point 11: input edges', () => {
  it('--chain - reads the chain from standard input', () => {
    const r = json(['--chain', '-', '--trust', trust], chainPem);
    expect(r.stderr).toBe('');
    expect(r.report.chains[0].certificates[0].source).toMatch(/^standard input #1$|^- #1$|stdin/);
  });

  it('--chain with no value says so, not that "." is a directory', () => {
    const r = runCli(['diagnose', '--chain']);
    refused(r, /Cannot use --chain: it needs a value/);
    expect(r.stderr).not.toMatch(/directory/);
  });

  it('an empty file names the flag', () => {
    refused(runCli(['diagnose', '--chain', d.file('empty.pem', '')]), /--chain .*empty/);
    refused(runCli(['diagnose', '--chain', chain, '--trust', d.file('empty-trust.pem', '')]), /--trust .*empty/);
  });

  it('PKCS#1 (RSA) and SEC1 (EC) DER keys are accepted', () => {
    const run = (...a: string[]) => execFileSync('openssl', a, { cwd: d.dir, stdio: ['ignore', 'pipe', 'pipe'] });
    run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'rsa.pem', '-out', 'rsa-cert.pem', '-subj', '/CN=rsa', '-days', '3');
    run('rsa', '-in', 'rsa.pem', '-outform', 'DER', '-traditional', '-out', 'rsa-pkcs1.der');
    run('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ec.pem', '-out', 'ec-cert.pem', '-subj', '/CN=ec', '-days', '3');
    run('ec', '-in', 'ec.pem', '-outform', 'DER', '-out', 'ec-sec1.der');
    for (const [cert, key] of [['rsa-cert.pem', 'rsa-pkcs1.der'], ['ec-cert.pem', 'ec-sec1.der']]) {
      const r = runCli(['diagnose', '--chain', `${d.dir}/${cert}`, '--key', `${d.dir}/${key}`, '-o', 'json']);
      expect(r.stderr, key).toBe('');
      expect(JSON.parse(r.stdout).findings.map((f: { rule: string }) => f.rule)).not.toContain('chain/key-mismatch');
    }
  });

  it('--peer-id without --peer is refused, as --sni is', () => {
    refused(runCli(['diagnose', '--chain', chain, '--peer-id', WEB_ID]), /--peer-id .*--peer HOST:PORT/);
  });

  it('a malformed --expect-id (Istio form without /sa/) is refused', () => {
    refused(runCli(['diagnose', '--chain', chain, '--expect-id', 'spiffe://cluster.local/ns/checkout']), /Cannot use --expect-id "spiffe:\/\/cluster\.local\/ns\/checkout": .*\/ns\/NAMESPACE\/sa\/SERVICE_ACCOUNT.*has no \/sa\/SERVICE_ACCOUNT/);
  });

  it('a mistyped flag gets "did you mean"', () => {
    refused(runCli(['diagnose', '--chian', chain]), /Unknown option --chian \(did you mean --chain\?\)/);
    refused(runCli(['diagnose', '--chain', chain, '--expect-idd', WEB_ID]), /did you mean --expect-id\?/);
  });
});

describe('output cut short', () => {
  it('`mtls-doctor rules | head -1` ends quietly, no EPIPE stack trace', () => {
    const r = spawnSync('bash', ['-c', `"${process.execPath}" "${BIN}" rules | head -1; echo "exit \${PIPESTATUS[0]}" >&2`], { encoding: 'utf8', timeout: 20_000 });
    expect(r.stdout.split('\n')[0]).toMatch(/^expiry\//);
    expect(r.stderr.trim()).toBe('exit 0');
  });
});
