/**
 * Verify commands are pasted into a shell at 3 AM: over a set of broken PKIs given as files (in a directory
 * whose name needs quoting), every command parses under POSIX sh, names the user's own files (never the
 * CHAIN.pem / TRUST.pem / KEY.pem / ROOT.pem / ISSUER.pem placeholders for a file that was given), and the
 * ones that need nothing but OpenSSL and the files really run: no file is missing, no command unknown.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../support/cli.js';
import { intermediate, leaf, mesh, root, spiffe, t, DAY, HOUR, MIN, NOW, WEB_ID } from '../support/pki.js';
import { crlPem, serialOf } from '../support/crl.js';
import { reportVerifyProblems, verifyCommandProblems } from '../support/verify-commands.js';

interface Case {
  name: string;
  argv: string[];
}

let tmp: ReturnType<typeof tempDir>;
const cases: Case[] = [];
const D = 'my certs';
const at = ['--at', new Date(NOW).toISOString()];

beforeAll(async () => {
  tmp = tempDir();
  mkdirSync(join(tmp.dir, D));
  const f = (name: string, data: string) => {
    tmp.file(`${D}/${name}`, data);
    return `${D}/${name}`;
  };
  // An expired intermediate, the wrong key, the wrong identity, CA material beside it.
  const r0 = await root('Verify Root');
  const inter = await intermediate(r0, 'Expired Intermediate', { notBefore: t(-400 * DAY), notAfter: t(-13 * MIN) });
  const l = await leaf(inter, { notBefore: t(-HOUR), notAfter: t(23 * HOUR), uris: [spiffe('demo', 'other')] });
  const other = await mesh();
  cases.push({
    name: 'expired intermediate, wrong key, wrong identity',
    argv: ['--chain', f('chain.pem', l.pem + inter.pem), '--trust', f('root.pem', r0.pem), '--key', f('key.pem', await other.leaf.keyPem()), '--ca', f('ca.pem', inter.pem), '--expect-id', WEB_ID],
  });
  // A leaf-only chain whose intermediate is known from the CA material; a second trust file.
  const m = await mesh();
  const stranger = await root('Stranger Root');
  cases.push({ name: 'incomplete chain, two trust files', argv: ['--chain', f('leaf-only.pem', m.leaf.pem), '--trust', f('mesh-root.pem', m.root.pem), '--trust', f('stranger.pem', stranger.pem), '--ca', f('mesh-inter.pem', m.inter.pem)] });
  // A root the peer does not trust (rotation order), and a depth limit.
  const oldRoot = await root('Root 2016');
  const newRoot = await root('Root 2026');
  const ni = await intermediate(newRoot, 'Intermediate 2026');
  const nl = await leaf(ni);
  cases.push({
    name: 'rotation order, depth limit',
    argv: ['--chain', f('new-chain.pem', nl.pem + ni.pem), '--trust', f('both-roots.pem', oldRoot.pem + newRoot.pem), '--peer-trust', f('old-root.pem', oldRoot.pem), '--max-depth', '0'],
  });
  // A serverAuth-only certificate used as a client; a trust bundle with two CAs of one name.
  const eku = await mesh({ leaf: { eku: ['serverAuth'] } });
  const twin = await root('Mesh Root CA');
  cases.push({ name: 'EKU, duplicate subject', argv: ['--chain', f('eku-chain.pem', eku.leaf.pem + eku.inter.pem), '--trust', f('twin-roots.pem', eku.root.pem + twin.pem), '--role', 'client'] });
  // A revoked leaf, and an expired CRL.
  const rv = await mesh();
  // As real CRL files are labelled (the factory writes @peculiar/x509's "BEGIN CRL", which OpenSSL refuses).
  const crl = (await crlPem(rv.inter, { entries: [{ serial: serialOf(rv.leaf) }], thisUpdate: t(-2 * DAY), nextUpdate: t(-DAY) })).replace(/-----(BEGIN|END) CRL-----/g, '-----$1 X509 CRL-----');
  cases.push({ name: 'revoked, CRL expired', argv: ['--chain', f('rv-chain.pem', rv.leaf.pem + rv.inter.pem), '--trust', f('rv-root.pem', rv.root.pem), '--crl', f('ca-crl.pem', crl)] });
});
afterAll(() => tmp.cleanup());

const NEEDS_MORE = /\b(istioctl|kubectl|mtls-doctor|s_client|curl|jq)\b/;

describe('verify commands', () => {
  it('placeholders and shell syntax are caught (the checker itself)', () => {
    expect(verifyCommandProblems('diff <(openssl x509 -in a.pem -noout -pubkey) <(openssl pkey -in KEY.pem -pubout)', ['--chain', 'a.pem', '--key', 'k.pem'])).toEqual([
      expect.stringContaining('does not parse under sh'),
      expect.stringContaining('placeholder KEY.pem although --key k.pem'),
    ]);
    expect(verifyCommandProblems('openssl verify -CAfile TRUST.pem chain.pem', ['--chain', 'chain.pem'])).toEqual([]);
    expect(verifyCommandProblems('openssl verify -CAfile ROOT.pem chain.pem', ['--chain', 'chain.pem', '--trust', 'r.pem'])).toHaveLength(1);
  });

  it('parse under sh, name the user files, and run', () => {
    const problems: string[] = [];
    const seen = new Set<string>();
    let ran = 0;
    for (const c of cases) {
      const r = runCli(['diagnose', ...c.argv, ...at, '-o', 'json'], { cwd: tmp.dir });
      expect(r.stderr, c.name).toBe('');
      const report = JSON.parse(r.stdout) as { findings: Array<{ rule: string; verify: string }> };
      expect(report.findings.length, c.name).toBeGreaterThan(0);
      problems.push(...reportVerifyProblems(report, c.argv).map((p) => `${c.name}: ${p}`));
      for (const f of report.findings) {
        seen.add(f.rule);
        if (NEEDS_MORE.test(f.verify)) continue;
        const run = spawnSync('sh', ['-c', f.verify], { cwd: tmp.dir, encoding: 'utf8', timeout: 20_000 });
        ran++;
        if (/No such file|Could not open|Can't open|not found|Syntax error|unable to load|bad substitution/i.test(run.stderr)) problems.push(`${c.name}: ${f.rule} failed to run: ${run.stderr.trim().split('\n')[0]}\n    ${f.verify}`);
      }
    }
    expect(problems).toEqual([]);
    // The cases reach the rules whose commands take files (not just the easy {x509} ones).
    for (const id of ['expiry/intermediate-expired', 'chain/key-mismatch', 'san/identity-mismatch', 'chain/incomplete-chain', 'chain/rotation-order-violation', 'chain/max-depth-exceeded', 'key-usage/missing-client-auth', 'chain/trust-bundle-duplicate-subject', 'chain/certificate-revoked', 'chain/crl-expired']) {
      expect([...seen], id).toContain(id);
    }
    expect(ran).toBeGreaterThan(10);
  });
});

describe("verify commands for what the peer presented", () => {
  it('fetch the peer\'s chain with s_client and cut out the certificate the finding is about (run against a real peer)', async () => {
    const { nodeTlsPeer, workloadFiles } = await import('../support/tls-peers.js');
    const { at, labMesh, leaf: labLeaf } = await import('../lab/pki.js');
    const { diagnoseJson } = await import('../lab/support.js');
    const m = await labMesh();
    const old = await labLeaf(m.inter, 'server', { notBefore: at(-30 * HOUR), notAfter: at(-1 * HOUR) });
    const peer = await nodeTlsPeer({ chain: [old, m.inter], key: old, trust: [m.root] });
    const w = await workloadFiles({ chain: [m.client, m.inter], key: m.client, trust: [m.root] });
    try {
      const argv = ['--peer', peer.address, '--chain', w.chain, '--key', w.key, '--trust', w.trust];
      const { report } = await diagnoseJson(argv);
      const f = report.findings.find((x) => x.rule === 'expiry/leaf-expired' && x.subject === 'peer')!;
      expect(f.verify).toContain(`openssl s_client -connect ${peer.address} -showcerts`);
      expect(reportVerifyProblems(report, argv)).toEqual([]);
      // Asynchronously: the peer is served by this process, whose event loop must keep running.
      const { execFile } = await import('node:child_process');
      const run = await new Promise<{ stdout: string; stderr: string }>((resolve) => execFile('sh', ['-c', f.verify], { timeout: 20_000 }, (_e, stdout, stderr) => resolve({ stdout, stderr })));
      expect(run.stdout, run.stderr).toMatch(/notAfter=/);
      expect(run.stdout).not.toMatch(/Certificate will not expire/);
    } finally {
      await peer.stop();
      w.remove();
    }
  });
});
