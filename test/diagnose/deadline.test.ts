/**
 * The probe under the diagnosis's one deadline (issue 22), through the library: a peer that accepts TCP and
 * never answers the handshake is cut at what is left of the deadline (not at its own 5 s cap), and a probe with
 * nothing left is not started at all — rather than a 1 ms "timeout" that would blame the peer. Each test is
 * bounded by the deadline plus a margin, and asserts what the report says.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { diagnose } from '../../src/index.js';
import { intermediate, leaf, NOW, root, spiffe, type Issued } from '../support/pki.js';
import { PROBE_DEFAULTS } from '../../src/probe/probe.js';

const MARGIN_MS = 2000;
let silent: Server;
const held = new Set<Socket>();
let peer: string;
let chain: string;
let trust: string;

beforeAll(async () => {
  const r: Issued = await root();
  const i = await intermediate(r);
  const l = await leaf(i, { uris: [spiffe('demo', 'web')] });
  chain = l.pem + i.pem;
  trust = r.pem;
  silent = createServer((s) => (held.add(s), s.on('close', () => held.delete(s)), s.on('error', () => undefined)));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  peer = `127.0.0.1:${(silent.address() as AddressInfo).port}`;
  // Loaded before any clock starts: the probe's code is not what is measured.
  await import('../../src/probe/collect.js');
});
afterAll(async () => {
  for (const s of held) s.destroy();
  await new Promise<void>((resolve) => silent.close(() => resolve()));
});

describe('the probe under the one deadline', () => {
  it('a peer that never answers the handshake is cut at the deadline, before its own cap, and named as timed out', async () => {
    const budgetMs = 1500;
    expect(budgetMs).toBeLessThan(PROBE_DEFAULTS.handshakeTimeoutMs);
    const started = Date.now();
    const report = await diagnose({ chain, trust, peer, at: NOW }, { env: { MTLS_DOCTOR_NO_AUTODETECT: '1' }, budgetMs });
    expect(Date.now() - started).toBeLessThan(budgetMs + MARGIN_MS);
    const src = report.sources.find((s) => s.name === `peer: ${peer}`)!;
    expect(src).toMatchObject({ timedOut: true, notJudged: expect.stringMatching(/verdict on ours/) });
    expect(src.detail).toMatch(/anonymous: no answer \(handshake\)/);
    // The silence itself is evidence (a peer that holds the connection); the verdict is not healthy either way.
    expect(report.verdict).not.toBe('healthy');
  }, 20_000);

  it('nothing left of the deadline: no handshake is started, the peer is not blamed, and the verdict is unknown', async () => {
    const report = await diagnose({ chain, trust, peer, at: NOW }, { env: { MTLS_DOCTOR_NO_AUTODETECT: '1' }, budgetMs: 0 });
    const src = report.sources.find((s) => s.name === `peer: ${peer}`)!;
    expect(src).toMatchObject({ status: 'unavailable', timedOut: true, reason: expect.stringMatching(/^not probed: the diagnosis's 0 s deadline had passed/) });
    expect(report.findings.filter((f) => f.stage === 'transport')).toEqual([]);
    // The chain itself is healthy; what the handshake would have shown was not judged.
    expect(report.chains.length).toBeGreaterThan(0);
    expect(report.verdict).toBe('unknown');
  }, 20_000);
});
