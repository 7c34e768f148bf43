import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { holdingFromSecretsDump, scanFleet, type FleetSource, type PodRef } from '../../src/fleet/scan.js';
import { judgeFleet as analyseFleet } from '../../src/diagnose/fleet-model.js';
import { configDumpPayload } from '../support/fake-envoy-admin.js';
import { NOW } from '../support/pki.js';
import { fleetPki, type FleetPki } from './fleet-pki.js';

let pki: FleetPki;
beforeAll(async () => {
  pki = await fleetPki();
});
const fp = (i: { der: Uint8Array }) => createHash('sha256').update(i.der).digest('hex');

/** A fake cluster: each pod's admin answers its real-format secrets dump (or misbehaves). */
function source(refs: PodRef[], dump: (ref: PodRef) => Promise<string>, extra: Partial<FleetSource> = {}) {
  let inFlight = 0;
  const stats = { maxInFlight: 0 };
  const s: FleetSource = {
    listPods: async () => refs,
    async secretsDump(ref, signal) {
      inFlight++;
      stats.maxInFlight = Math.max(stats.maxInFlight, inFlight);
      try {
        return await dump(ref);
      } finally {
        inFlight--;
        void signal;
      }
    },
    ...extra,
  };
  return { s, stats };
}

const ref = (i: number, sidecar = true): PodRef => ({ namespace: `ns${i % 3}`, name: `web-${i}`, workload: `web-${i}`, sidecar });

describe('holdingFromSecretsDump (real Envoy config_dump shapes)', () => {
  it('takes the default chain as served and ROOTCA as trusted, snake_case or camelCase', async () => {
    const l = await pki.leafUnder('old', 1);
    for (const camel of [false, true]) {
      const body = JSON.stringify(configDumpPayload({ chain: [l, pki.oldInter], roots: [pki.oldRoot, pki.newRoot], camel }, 'dynamic_active_secrets'));
      const h = holdingFromSecretsDump(ref(1), body);
      expect(h.status).toBe('ok');
      expect(h.served?.join('')).toContain(l.pem.split('\n')[1]);
      expect(h.trusted).toHaveLength(2);
    }
  });

  it('SPIRE: the per-trust-domain bundles are the trusted roots', async () => {
    const l = await pki.leafUnder('old', 2);
    const body = JSON.stringify(configDumpPayload({ chain: [l, pki.oldInter], spire: { 'cluster.local': [pki.oldRoot], 'other.org': [pki.newRoot] } }, 'dynamic_active_secrets'));
    const h = holdingFromSecretsDump(ref(2), body);
    expect(h.trusted).toHaveLength(2);
  });

  it('HTML or a dump without secrets is a failed row with the reason', () => {
    expect(holdingFromSecretsDump(ref(1), '<html>')).toMatchObject({ status: 'failed', reason: expect.stringMatching(/not JSON/) });
    expect(holdingFromSecretsDump(ref(1), '{"configs": []}')).toMatchObject({ status: 'failed', reason: expect.stringMatching(/no secrets/) });
  });
});

describe('scanFleet', () => {
  it('reads every pod with at most --concurrency at once, and the fleet analysis follows', async () => {
    const refs = Array.from({ length: 40 }, (_, i) => ref(i));
    const dumps = new Map<string, string>();
    for (const r of refs) {
      const i = Number(r.name.split('-')[1]);
      dumps.set(r.name, JSON.stringify(configDumpPayload({ chain: [await pki.leafUnder(i < 5 ? 'new' : 'old', i), i < 5 ? pki.newInter : pki.oldInter], roots: i === 39 ? [pki.oldRoot] : [pki.oldRoot, pki.newRoot] }, 'dynamic_active_secrets')));
    }
    const { s, stats } = source(refs, async (r) => {
      await new Promise((res) => setTimeout(res, 5));
      return dumps.get(r.name)!;
    });
    const progress: number[] = [];
    const input = await scanFleet(s, { concurrency: 4, onProgress: (d) => progress.push(d) });
    expect(stats.maxInFlight).toBeLessThanOrEqual(4);
    expect(stats.maxInFlight).toBeGreaterThan(1);
    expect(progress.at(-1)).toBe(40);
    expect(input.pods.map((p) => p.name)).toEqual(refs.map((r) => r.name));
    const report = analyseFleet(input, { now: NOW });
    expect(report.rotation.violations).toEqual([expect.objectContaining({ kind: 'issuing-before-trusted', root: fp(pki.newRoot), pods: ['ns0/web-39'] })]);
  });

  it('a pod that hangs times out, one that throws fails, one without a sidecar is a row: the scan goes on', async () => {
    const refs = [ref(0), ref(1), ref(2, false), ref(3)];
    const good = JSON.stringify(configDumpPayload({ chain: [await pki.leafUnder('old', 3), pki.oldInter], roots: [pki.oldRoot] }, 'dynamic_active_secrets'));
    const { s } = source(refs, async (r) => {
      if (r.name === 'web-0') return new Promise<string>(() => {}); // never answers
      if (r.name === 'web-1') throw new Error('pods "web-1" is forbidden: User "x" cannot create resource "pods/portforward" in namespace "ns1"\n  at stack');
      return good;
    });
    const input = await scanFleet(s, { podTimeoutMs: 200 });
    expect(input.pods.map((p) => [p.name, p.status, p.reason])).toEqual([
      ['web-0', 'failed', 'timed out after 0.2 s reading the Envoy admin'],
      ['web-1', 'failed', 'pods "web-1" is forbidden: User "x" cannot create resource "pods/portforward" in namespace "ns1"'],
      ['web-2', 'failed', 'no istio-proxy container (not in the mesh)'],
      ['web-3', 'ok', undefined],
    ]);
  });

  it('the root ConfigMaps and CA Secrets come along when the source has them', async () => {
    const { s } = source([ref(0)], async () => JSON.stringify(configDumpPayload({ chain: [await pki.leafUnder('old', 0), pki.oldInter], roots: [pki.oldRoot] }, 'dynamic_active_secrets')), {
      rootConfigMaps: async (ns) => ns.map((n) => ({ namespace: n, pem: pki.oldRoot.pem })),
      caSecrets: async () => [{ namespace: 'istio-system', name: 'cacerts', certs: [{ key: 'ca-cert.pem', pem: pki.oldInter.pem }] }],
    });
    const input = await scanFleet(s);
    expect(input.rootConfigMaps).toEqual([{ namespace: 'ns0', pem: pki.oldRoot.pem }]);
    expect(analyseFleet(input, { now: NOW }).rotation.setup).toBe('plug-in-cacerts');
  });

  it('refuses a concurrency that is not a whole number from 1 to 256', async () => {
    const { s } = source([], async () => '');
    await expect(scanFleet(s, { concurrency: 0 })).rejects.toThrow(/--concurrency 0/);
    await expect(scanFleet(s, { concurrency: 1.5 })).rejects.toThrow(/whole number/);
  });
});
