/**
 * The ranking against a TLS stack nobody here wrote (issue 20): a GnuTLS server (Debian `gnutls-bin`,
 * `gnutls-serv --require-client-cert --verify-client-cert`) refuses our certificate, whose intermediate has
 * expired, with an alert that names no reason. The catch-all "rejected for a reason our evidence does not
 * show" explains that alert, but our own expired intermediate is broken now on the rejected side: it ranks
 * first, the catch-all after it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { closedPort, LOOPBACK, workloadFiles, type WorkloadFiles } from '../support/tls-peers.js';
import type { Issued } from '../../src/x509/issue.js';
import { at, DAY, inter, leaf, MIN, root } from './pki.js';
import { binary, diagnoseJson, rank1 } from './support.js';

const gnutls = binary('gnutls-serv');

/** gnutls-serv on 127.0.0.1, demanding and verifying a client certificate; keys only in a mkdtemp dir. */
async function gnutlsServer(spec: { chain: Issued[]; key: Issued; trust: Issued[] }): Promise<{ address: string; stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'mtls-doctor-lab-gnutls-'));
  const file = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text, { mode: 0o600 });
    return p;
  };
  const cert = file('chain.pem', spec.chain.map((c) => c.pem).join(''));
  const key = file('key.pem', await spec.key.keyPem());
  const ca = file('ca.pem', spec.trust.map((c) => c.pem).join(''));
  const port = await closedPort();
  const child: ChildProcess = spawn('gnutls-serv', ['--port', String(port), '--echo', '--x509certfile', cert, '--x509keyfile', key, '--x509cafile', ca, '--require-client-cert', '--verify-client-cert'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) await new Promise<void>((r) => (child.once('exit', () => r()), child.kill('SIGTERM')));
    rmSync(dir, { recursive: true, force: true });
  };
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`gnutls-serv did not start: ${out}`)), 10_000);
    const onData = (b: Buffer) => {
      out += b.toString();
      if (/listening/i.test(out)) {
        clearTimeout(t);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`gnutls-serv exited (${code}): ${out.slice(0, 500)}`)));
  }).catch(async (e) => {
    await stop();
    throw e;
  });
  return { address: `${LOOPBACK}:${port}`, stop };
}

let cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

describe('lab: gnutls-serv is installed', () => {
  it.runIf(gnutls.missingInCi)('gnutls-serv must be installed under CI (apt-get install -y gnutls-bin)', () => {
    expect(gnutls.ok, 'gnutls-serv is missing: the GnuTLS ranking lab cannot run').toBe(true);
  });
});

describe.skipIf(!gnutls.ok)('lab: ranking against a GnuTLS peer', () => {
  it('our intermediate expired, GnuTLS refuses us without a reason → expiry/intermediate-expired (local) first, the catch-all after it', async () => {
    const r = await root('Lab Mesh Root');
    const good = await inter(r, 'Server Intermediate');
    const dead = await inter(r, 'Client Intermediate', { notBefore: at(-365 * DAY), notAfter: at(-47 * MIN) });
    const ours = await leaf(dead, 'client');
    const theirs = await leaf(good, 'server');
    const peer = await gnutlsServer({ chain: [theirs, good], key: theirs, trust: [r] });
    cleanup.push(() => peer.stop());
    const w: WorkloadFiles = await workloadFiles({ chain: [ours, dead], key: ours, trust: [r] });
    cleanup.push(() => w.remove());
    const { report } = await diagnoseJson(['--peer', peer.address, '--chain', w.chain, '--key', w.key, '--trust', w.trust]);
    expect(report.symptom?.source).toBe('probe');
    expect(rank1(report)).toBe('expiry/intermediate-expired (local)');
    const catchAll = report.findings.findIndex((f) => f.rule === 'transport/peer-rejected-certificate');
    // Whether the catch-all is reported at all depends on what the probe reads from GnuTLS's alert; it is never first.
    if (catchAll !== -1) expect(catchAll).toBeGreaterThan(0);
    expect(report.verdict).toBe('failing');
  });
});
