/**
 * Issue 21: `--ca` on its own (the plug-in CA's cert-chain.pem, no --chain) answers "when does each of my CA levels
 * expire?": every level with its subject, issuer, not-after and time left, in the chain-and-timeline view the
 * workload report has — healthy or not. The files are as a plug-in CA's cacerts holds them (issuing CA first), or
 * given out of order; one PKI is made with the openssl CLI.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../support/cli.js';
import { DAY, intermediate, leaf, NOW, root, t, YEAR, type Issued } from '../support/pki.js';

const AT = new Date(NOW).toISOString();
let tmp: ReturnType<typeof tempDir>;
let r: Issued;
let ca: Issued;
let sub: Issued;
let certChain: string;

beforeAll(async () => {
  tmp = tempDir();
  r = await root('Example Mesh Root CA', { notBefore: t(-YEAR), notAfter: t(9 * YEAR) });
  ca = await intermediate(r, 'Example Cluster CA', { notBefore: t(-100 * DAY), notAfter: t(2 * YEAR) });
  sub = await intermediate(ca, 'Istio Intermediate CA (cluster-east)', { notBefore: t(-30 * DAY), notAfter: t(20 * DAY) });
  // cacerts' cert-chain.pem: the issuing CA first, up to the root.
  certChain = tmp.file('cert-chain.pem', sub.pem + ca.pem + r.pem);
});
afterAll(() => tmp.cleanup());

interface ChainJson {
  subject: string;
  end: string;
  certificates: Array<{ role: string; subject: string; issuer: string; notAfter: string; source: string }>;
}

describe('--ca on its own', () => {
  it('a healthy CA: every level with subject, issuer, not-after and time left, and the timeline', () => {
    const out = runCli(['diagnose', '--ca', certChain, '--at', AT], { env: { COLUMNS: '80' } });
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toMatch(/^mtls-doctor (HEALTHY|AT-RISK)/);
    const view = out.stdout.slice(out.stdout.indexOf('CA levels (--ca), issuing CA first'));
    expect(view).not.toBe(out.stdout);
    for (const [name, issuer, left] of [
      ['Istio Intermediate CA (cluster-east)', 'Example Cluster CA', '20d left'],
      ['Example Cluster CA', 'Example Mesh Root CA', '730d left'],
      ['Example Mesh Root CA', 'Example Mesh Root CA', '3285d left'],
    ]) {
      expect(view).toContain(`subject   O=cluster.local, CN=${name}`);
      expect(view).toContain(`issuer    O=cluster.local, CN=${issuer}`);
      expect(view).toContain(`(${left})`);
    }
    expect(view).toMatch(/not after 2026-12-19T03:00:00Z \(20d left\)/);
    expect(view).toMatch(/remaining validity \(log scale\)\n {2}intermediate │.*│ 20d left\n {2}intermediate │.*│ 730d left\n {2}root +│.*│ 3285d left/);
    // Every line fits 80 columns but the verify commands, which are never wrapped (they paste as one line).
    for (const line of out.stdout.split('\n').filter((l) => !/^ +verify: /.test(l))) expect([...line].length, line).toBeLessThanOrEqual(80);
  });

  it('JSON: a chain of subject "ca", lowest level first, whatever order the files were given in', () => {
    const reversed = runCli(['diagnose', '--ca', tmp.file('root-cert.pem', r.pem), '--ca', tmp.file('ca-cert.pem', sub.pem), '--ca', tmp.file('mid.pem', ca.pem), '--at', AT, '-o', 'json']);
    const chains = JSON.parse(reversed.stdout).chains as ChainJson[];
    expect(chains).toHaveLength(1);
    expect(chains[0]!.subject).toBe('ca');
    expect(chains[0]!.end).toBe('root');
    expect(chains[0]!.certificates.map((c) => [c.role, c.subject.replace(/^O=cluster\.local, CN=/, ''), c.notAfter])).toEqual([
      ['intermediate', 'Istio Intermediate CA (cluster-east)', '2026-12-19T03:00:00Z'],
      ['intermediate', 'Example Cluster CA', '2028-11-28T03:00:00Z'],
      ['root', 'Example Mesh Root CA', '2035-11-27T03:00:00Z'],
    ]);
    expect(chains[0]!.certificates[0]!.issuer).toBe('O=cluster.local, CN=Example Cluster CA');
  });

  it('an expired level: still every level, the expired one says so, and the verdict fails', async () => {
    const dead = await intermediate(r, 'Old Cluster CA', { notBefore: t(-YEAR), notAfter: t(-3 * DAY) });
    const out = runCli(['diagnose', '--ca', tmp.file('dead-chain.pem', dead.pem + r.pem), '--at', AT], { env: { COLUMNS: '100' } });
    expect(out.code).toBe(1);
    expect(out.stdout).toMatch(/^mtls-doctor FAILING/);
    expect(out.stdout).toMatch(/not after 2026-11-26T03:00:00Z \(EXPIRED 3d ago\)/);
    expect(out.stdout).toMatch(/root "Example Mesh Root CA"/);
    expect(out.stdout).toContain('CA levels (--ca), issuing CA first');
  });

  it('markdown has the levels with subject, issuer and not-after', () => {
    const md = runCli(['diagnose', '--ca', certChain, '--at', AT, '-o', 'markdown']).stdout;
    expect(md).toContain('### CA levels (--ca), issuing CA first');
    expect(md).toContain('| intermediate | O=cluster.local, CN=Istio Intermediate CA (cluster-east) | O=cluster.local, CN=Example Cluster CA | 2026-12-19T03:00:00Z |');
  });

  it('with a workload chain the report is as before: its chain shows the levels it uses', async () => {
    const l = await leaf(sub);
    const json = JSON.parse(runCli(['diagnose', '--chain', tmp.file('wl.pem', l.pem + sub.pem + ca.pem), '--trust', tmp.file('root.pem', r.pem), '--ca', certChain, '--at', AT, '-o', 'json']).stdout);
    expect(json.chains.map((c: ChainJson) => c.subject)).toEqual(['local']);
  });

  it("a CA made with the openssl CLI (cacerts' cert-chain.pem order)", () => {
    const dir = tmpOpenssl();
    if (!dir) return;
    const json = JSON.parse(runCli(['diagnose', '--ca', `${dir}/cert-chain.pem`, '-o', 'json']).stdout);
    expect(json.chains[0].certificates.map((c: { role: string; subject: string }) => `${c.role} ${c.subject}`)).toEqual(['intermediate O=example.org, CN=Intermediate CA (openssl)', 'root O=example.org, CN=Root CA (openssl)']);
  });
});

/** root → intermediate with the openssl CLI; the cert-chain.pem a plug-in CA is given. Null without openssl. */
function tmpOpenssl(): string | null {
  if (spawnSync('openssl', ['version']).status !== 0) return null;
  const d = tmp.dir;
  const sh = (cmd: string) => {
    const x = spawnSync('bash', ['-c', cmd], { cwd: d, encoding: 'utf8' });
    expect(x.status, x.stderr).toBe(0);
  };
  sh(`openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout o-root.key -out o-root.pem -days 3650 -subj "/O=example.org/CN=Root CA (openssl)" -addext "basicConstraints=critical,CA:true" -addext "keyUsage=critical,keyCertSign,cRLSign"`);
  sh(`openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout o-ca.key -out o-ca.csr -subj "/O=example.org/CN=Intermediate CA (openssl)"`);
  sh(`printf 'basicConstraints=critical,CA:true,pathlen:0\\nkeyUsage=critical,keyCertSign,cRLSign\\nsubjectKeyIdentifier=hash\\nauthorityKeyIdentifier=keyid\\n' > o-ext.cnf`);
  sh(`openssl x509 -req -in o-ca.csr -CA o-root.pem -CAkey o-root.key -CAcreateserial -out o-ca.pem -days 365 -extfile o-ext.cnf`);
  sh('cat o-ca.pem o-root.pem > cert-chain.pem && rm -f o-root.key o-ca.key');
  return d;
}
