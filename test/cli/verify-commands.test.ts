/**
 * The "verify" command of a finding must really check the certificate the finding is about: run it with
 * bash and OpenSSL on the files that were diagnosed. (`openssl x509 -in FILE` alone reads only the first
 * certificate of a chain file; an intermediate's command must cut out the right one.)
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../support/cli.js';
import { intermediate, leaf, root, spiffe, HOUR, DAY, WEB_ID } from '../support/pki.js';

// OpenSSL's -checkend uses the real clock, so these certificates are dated from it (like the lab's), not pinned.
const real = (offset: number) => new Date(Date.now() + offset);

let tmp: ReturnType<typeof tempDir>;
let findings: Array<{ rule: string; verify: string }>;

beforeAll(async () => {
  tmp = tempDir();
  const r = await root('Verify Root', { notBefore: real(-DAY), notAfter: real(300 * DAY) });
  const i = await intermediate(r, 'Expired Intermediate', { notBefore: real(-100 * DAY), notAfter: real(-HOUR) });
  const l = await leaf(i, { notBefore: real(-2 * HOUR), notAfter: real(22 * HOUR), uris: [spiffe('demo', 'other')] });
  tmp.file('chain.pem', l.pem + i.pem);
  tmp.file('root.pem', r.pem);
  const res = runCli(['diagnose', '--chain', 'chain.pem', '--trust', 'root.pem', '--expect-id', WEB_ID, '-o', 'json'], { cwd: tmp.dir });
  findings = JSON.parse(res.stdout).findings;
});
afterAll(() => tmp.cleanup());

const bash = (cmd: string) => spawnSync('bash', ['-c', cmd], { cwd: tmp.dir, encoding: 'utf8', timeout: 10_000 });

describe('verify commands run and check the right certificate', () => {
  it('expiry/intermediate-expired: the command reads the intermediate (2nd in the file) and fails -checkend', () => {
    const f = findings.find((x) => x.rule === 'expiry/intermediate-expired')!;
    expect(f.verify).toMatch(/n==2/);
    const r = bash(f.verify);
    expect(r.stdout).toMatch(/subject=.*Expired Intermediate/);
    expect(r.stdout).toMatch(/Certificate will expire/);
    expect(r.status).toBe(1);
  });

  it('san/identity-mismatch: the command shows the leaf SAN', () => {
    const f = findings.find((x) => x.rule === 'san/identity-mismatch')!;
    const r = bash(f.verify);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('URI:spiffe://cluster.local/ns/demo/sa/other');
  });
});
