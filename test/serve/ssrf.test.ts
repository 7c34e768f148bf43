/**
 * SSRF: what a chat or webhook `--peer` can make the server connect to. This file re-runs itself inside a
 * network namespace with only loopback (`unshare -n`, then `ip link set lo up`), so that even a broken guard
 * sends nothing off the machine. In there, 169.254.169.254, 10.0.0.1 and an in-cluster Service address are
 * put on loopback with listeners: a guard that let a request through would be seen connecting.
 */
import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultDiagnose } from '../../src/serve/deps.js';
import type { Resolver } from '../../src/serve/peer-guard.js';
import { ROOT } from '../support/cli.js';
import { api, postSlack, responseUrlStandIn, slackForm, startServe, testConfig, TOKEN_A, type Harness } from './harness.js';

const IN_NETNS = process.env.MTLS_DOCTOR_NETNS === '1';
const ADDED = ['169.254.169.254', '10.0.0.1', '10.96.0.10'];
const refusedCount = 14;

describe.runIf(!IN_NETNS)('SSRF tests run in a network namespace', () => {
  it('re-runs this file under unshare -n with only loopback (and fails loudly in CI when it cannot)', () => {
    const can = spawnSync('unshare', ['-n', 'ip', 'link', 'set', 'lo', 'up'], { encoding: 'utf8' });
    if (can.status !== 0) {
      const why = `unshare -n is not available here (${(can.error?.message ?? can.stderr).trim()}): the SSRF tests need a network namespace (root, util-linux and iproute2)`;
      if (process.env.CI === 'true') throw new Error(why);
      console.warn(`SKIPPED: ${why}`);
      return;
    }
    const setup = ['ip link set lo up', ...ADDED.map((a) => `ip addr add ${a}/32 dev lo`), 'exec "$0" "$@"'].join(' && ');
    const r = spawnSync('unshare', ['-n', 'sh', '-c', setup, process.execPath, join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'), 'run', 'test/serve/ssrf.test.ts'], {
      cwd: ROOT,
      env: { ...process.env, MTLS_DOCTOR_NETNS: '1', NO_COLOR: '1', FORCE_COLOR: '0' },
      encoding: 'utf8',
      timeout: 180_000,
    });
    const out = `${r.stdout}\n${r.stderr}`;
    expect(r.status, out).toBe(0);
    // Everything but this re-run itself passed in there.
    expect(out).toMatch(new RegExp(`Tests\\s+${refusedCount + 3} passed \\| 1 skipped`));
  }, 200_000);
});

describe.runIf(IN_NETNS)('SSRF guard (inside the network namespace)', () => {
  const connections: Record<string, number> = {};
  const canaries: Server[] = [];
  const PORT = 18443;
  let h: Harness;
  let stand: Awaited<ReturnType<typeof responseUrlStandIn>>;
  const names: Record<string, string[]> = {
    'localhost.bookinfo.svc.cluster.local.': ['127.0.0.1'],
    'meta.bookinfo.svc.cluster.local.': ['169.254.169.254'],
    '169-254-169-254.bookinfo.pod.cluster.local.': ['169.254.169.254'],
    'ssh.bookinfo.svc.cluster.local.': ['10.0.0.1'],
    'rebind.bookinfo.svc.cluster.local.': ['10.96.0.10', '127.0.0.1'],
    'mapped.bookinfo.svc.cluster.local.': ['::ffff:127.0.0.1'],
    'imds6.bookinfo.svc.cluster.local.': ['fd00:ec2::254'],
    'ratings.bookinfo.svc.cluster.local.': ['10.96.0.10'],
  };
  const resolved: string[] = [];
  const resolve: Resolver = async (fqdn) => {
    resolved.push(fqdn);
    const a = names[fqdn];
    if (!a) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    return a.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };

  beforeAll(async () => {
    expect(Object.keys(networkInterfaces()), 'only loopback in this namespace').toEqual(['lo']);
    // 15000/15020: an Envoy admin and pilot-agent of the server's own pod, which a diagnosis must never read.
    for (const host of ['127.0.0.1', ...ADDED]) {
      for (const port of [PORT, 22, 80, 15000, 15020]) {
        const s = createServer((sock) => {
          connections[`${host}:${port}`] = (connections[`${host}:${port}`] ?? 0) + 1;
          sock.destroy();
        });
        await new Promise<void>((r, j) => s.once('error', j).listen(port, host, () => r()));
        canaries.push(s);
      }
    }
    stand = await responseUrlStandIn();
    // The real diagnose (and probe) behind the guard; only DNS is a table.
    h = await startServe({ config: testConfig({ responseUrlPrefix: stand.url }), deps: { diagnose: defaultDiagnose, resolve } });
  });
  afterAll(async () => {
    await h?.close();
    await stand?.close();
    for (const s of canaries) s.close();
  });

  const refusedPeers: Array<[string, RegExp]> = [
    [`169.254.169.254:80`, /an IP address cannot be attributed/],
    [`[::1]:${PORT}`, /an IP address cannot be attributed/],
    [`10.0.0.1:22`, /an IP address cannot be attributed/],
    [`localhost:${PORT}`, /resolves to 127\.0\.0\.1 \(loopback/],
    [`meta.bookinfo:80`, /resolves to 169\.254\.169\.254/],
    [`169-254-169-254.bookinfo.pod:80`, /resolves to 169\.254\.169\.254/],
    [`ssh.bookinfo:22`, /resolves to 10\.0\.0\.1, outside cluster\.peerCidrs/],
    [`rebind.bookinfo:${PORT}`, /resolves to 127\.0\.0\.1/],
    [`mapped.bookinfo:${PORT}`, /resolves to 127\.0\.0\.1/],
    [`imds6.bookinfo:80`, /resolves to fd00:ec2::254/],
    [`www.example.com:443`, /not an in-cluster name/],
    [`example.com:443`, /namespace "com" is not allowed/],
    [`ratings.kube-system:${PORT}`, /namespace "kube-system" is not allowed/],
    [`ratings.bookinfo.svc.evil.example:${PORT}`, /not an in-cluster name/],
  ];
  expect(refusedPeers).toHaveLength(refusedCount);

  it.each(refusedPeers)('webhook --peer %s is refused before any connection', async (peer, why) => {
    const before = h.calls.length;
    const r = await api(h.url, 'POST', '/v1/diagnoses', { token: TOKEN_A, body: { peer, namespace: 'bookinfo' } });
    expect(r.status, JSON.stringify(r.json)).toBe(403);
    expect(r.json.error.message).toMatch(why);
    expect(h.calls.length).toBe(before);
    expect(connections).toEqual({});
  });

  it('a name that does not resolve is a clear 400, nothing connects', async () => {
    const r = await api(h.url, 'POST', '/v1/diagnoses', { token: TOKEN_A, body: { peer: 'nothere.bookinfo:443' } });
    expect(r.status).toBe(400);
    expect(r.json.error.message).toMatch(/Cannot resolve --peer "nothere\.bookinfo:443" as nothere\.bookinfo\.svc\.cluster\.local: ENOTFOUND/);
    // The guard resolves the absolute in-cluster name, never the caller's text with search domains.
    expect(resolved).toContain('nothere.bookinfo.svc.cluster.local.');
    expect(resolved.every((n) => n.endsWith('.cluster.local.'))).toBe(true);
    expect(connections).toEqual({});
  });

  it('from chat the same peers are refused with an ephemeral message, and nothing connects', async () => {
    for (const [peer, why] of refusedPeers.slice(0, 6)) {
      const r = await postSlack(h.url, slackForm({ text: `diagnose --peer ${peer} -n bookinfo`, response_url: `${stand.url}x` }));
      expect(r.json.response_type).toBe('ephemeral');
      expect(r.json.text, peer).toMatch(why);
    }
    expect(stand.posts).toHaveLength(0);
    expect(connections).toEqual({});
  });

  it('control: an allowed in-cluster Service is probed, at the address that was checked, and nothing of the server itself is read', async () => {
    const r = await api(h.url, 'POST', '/v1/diagnoses', { token: TOKEN_A, body: { peer: `ratings.bookinfo:${PORT}` } });
    expect(r.status).toBe(200);
    expect(r.json.target).toMatchObject({ kind: 'peer', name: `peer ratings.bookinfo:${PORT}`, peer: `ratings.bookinfo.svc.cluster.local:${PORT}` });
    expect(connections[`10.96.0.10:${PORT}`]).toBeGreaterThan(0);
    expect(Object.keys(connections)).toEqual([`10.96.0.10:${PORT}`]);
  });
});
