/**
 * Issue 9 point 13: the README and docs for someone who has just cloned the repository.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/index.js';
import { isOneLineError, ROOT, runCli } from '../support/cli.js';
import { NOW, intermediate, leaf, root, t } from '../support/pki.js';

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const RULES_MD = readFileSync(join(ROOT, 'docs', 'rules.md'), 'utf8');
const page = (name: string) => readFileSync(join(ROOT, 'docs', name), 'utf8');

describe('the README and its pages', () => {
  it('says how to run mtls-doctor by name and what --image=IMAGE is', () => {
    expect(README).toMatch(/npm link/);
    expect(README).toMatch(/node dist\/cli\.cjs/);
    expect(page('in-pod.md')).toMatch(/`IMAGE` is an image that has `mtls-doctor` on its PATH: build it from this repository's `Dockerfile`/);
  });

  it('says where the x509-limbo suite comes from, and so does the yardstick when it is missing', () => {
    expect(page('x509-limbo.md')).toMatch(/The suite is not part of this repository/);
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'yardstick.mjs')], { env: { ...process.env, MTLS_DOCTOR_LIMBO: join(ROOT, 'no-such-dir') }, encoding: 'utf8', timeout: 20_000 });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/https:\/\/github\.com\/C2SP\/x509-limbo/);
  });

  it('points at no repository that does not exist', () => {
    for (const [name, text] of [['README.md', README], ['docs/rules.md', RULES_MD]] as const) expect(text, name).not.toMatch(/github\.com\/mtls-doctor\//);
  });
});

describe('rule docs that resolve offline', () => {
  it("a finding's docs is a section of docs/rules.md, which ships in the package", async () => {
    const r = await root();
    const i = await intermediate(r, 'Mesh Intermediate CA', { notAfter: t(-60_000) });
    const report = await diagnose({ chain: (await leaf(i)).pem + i.pem, trust: [r.pem], at: NOW });
    const docs = report.findings[0]!.docs;
    expect(docs).toBe('docs/rules.md#expiry-intermediate-expired');
    expect(RULES_MD).toContain(`<a id="${docs.split('#')[1]}"></a>`);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.files).toContain('docs');
  });

  it('`mtls-doctor rules ID` prints that rule\'s docs; a mistyped ID gets "did you mean"', () => {
    const one = runCli(['rules', 'expiry/leaf-expired']);
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(/^### `expiry\/leaf-expired` — Workload certificate expired/);
    expect(one.stdout).toMatch(/- Verify: `openssl x509 -in CERT\.pem -noout -enddate -checkend 0`/);
    const json = JSON.parse(runCli(['rules', 'expiry/leaf-expired', '-o', 'json']).stdout);
    expect(json).toMatchObject({ id: 'expiry/leaf-expired', docs: 'docs/rules.md#expiry-leaf-expired' });
    expect(json.remediation.length).toBeGreaterThan(0);
    const typo = runCli(['rules', 'expiry/leaf-expird']);
    expect(typo.code).toBe(2);
    expect(isOneLineError(typo.stderr)).toBe(true);
    expect(typo.stderr).toMatch(/did you mean "expiry\/leaf-expired"/);
  });

  it('the text report tells how to read the docs offline', async () => {
    const out = runCli(['demo'], { env: { COLUMNS: '' } });
    expect(out.stdout).toMatch(/docs: mtls-doctor rules expiry\/intermediate-expired$/m);
  });

  it('docs/rules.md shows no bare template placeholders such as ‹x509›', () => {
    expect(RULES_MD).not.toMatch(/[‹›]/);
    expect(RULES_MD).not.toMatch(/\{[A-Za-z0-9_]+\}/);
    expect(RULES_MD).toMatch(/- Verify: `openssl x509 -in CERT\.pem -noout -enddate -checkend 0`/);
  });
});

describe('the demo', () => {
  it('names certificate files that exist, so its verify command runs as printed', () => {
    const out = runCli(['demo', '-o', 'json']);
    const report = JSON.parse(out.stdout);
    const f = report.findings[0];
    expect(f.rule).toBe('expiry/intermediate-expired');
    const r = spawnSync('bash', ['-c', f.verify], { encoding: 'utf8', timeout: 20_000 });
    expect(r.stderr).not.toMatch(/No such file|Could not open/);
    expect(r.stdout).toMatch(/subject=.*Istio Intermediate CA \(cluster-east\)/);
    expect(r.stdout).toMatch(/Certificate will expire/);
  });
});
