import { beforeAll, describe, expect, it } from 'vitest';
import { scan, scanExitCode } from '../../src/index.js';
import { FLEET_BUNDLE_KIND, type FleetBundle } from '../../src/fleet/bundle.js';
import type { FleetSource } from '../../src/fleet/scan.js';
import { configDumpPayload } from '../support/fake-envoy-admin.js';
import { NOW } from '../support/pki.js';
import { fleetPki, pods, type FleetPki } from './fleet-pki.js';

let pki: FleetPki;
beforeAll(async () => {
  pki = await fleetPki();
});

describe('the library scan()', () => {
  it('reads pods from an injected source, and a saved scan replays to the same report', async () => {
    const source: FleetSource = {
      listPods: async () => [0, 1, 2].map((i) => ({ namespace: 'shop', name: `cart-${i}`, workload: 'cart', sidecar: true })),
      secretsDump: async (p) => JSON.stringify(configDumpPayload({ chain: [await pki.leafUnder('old', Number(p.name.slice(5))), pki.oldInter], roots: [pki.oldRoot] }, 'dynamic_active_secrets')),
    };
    const live = await scan({ at: NOW }, { source, now: () => NOW });
    expect(live.report.summary).toMatchObject({ pods: 3, ok: 3 });
    expect(live.report.certificates.filter((c) => c.level === 'leaf')).toEqual([expect.objectContaining({ workload: 'cart', pods: 3 })]);
    const again = await scan({ evidence: live.bundle, at: NOW });
    expect(again.report).toEqual(live.report);
    expect(scanExitCode(live.report)).toBe(0);
  });

  it('evaluation options apply to a saved scan; collection options with it are refused by name', async () => {
    const bundle: FleetBundle = { kind: FLEET_BUNDLE_KIND, schemaVersion: 1, collectedAt: new Date(NOW).toISOString(), scope: { namespaces: 'all' }, input: { pods: await pods(pki, 2, () => ({ serves: 'old', trusts: ['old'] })) } };
    const later = await scan({ evidence: bundle, at: NOW + 400 * 86_400_000 });
    expect(later.report.certificates.find((c) => c.level === 'intermediate')?.status).toBe('expired');
    expect(scanExitCode(later.report)).toBe(1);
    await expect(scan({ evidence: bundle, selector: 'app=x' })).rejects.toThrow(/Cannot combine --evidence with -l/);
    await expect(scan({ evidence: '{}' })).rejects.toThrow(/not a saved scan/);
  });

  it('a signal stops the scan: no further pod is read, and the scan fails with E_COLLECT', async () => {
    const read: string[] = [];
    const ac = new AbortController();
    const source: FleetSource = {
      listPods: async () => Array.from({ length: 20 }, (_, i) => ({ namespace: 'shop', name: `cart-${i}`, workload: 'cart', sidecar: true })),
      secretsDump: (p, signal) =>
        new Promise((_res, reject) => {
          read.push(p.name);
          if (read.length === 2) setTimeout(() => ac.abort(), 10);
          signal.addEventListener('abort', () => reject(new Error('aborted')));
        }),
    };
    const e = await scan({ concurrency: 2, podTimeoutMs: 60_000 }, { source, signal: ac.signal }).then(() => null, (x) => x);
    expect(e?.code).toBe('E_COLLECT');
    expect(e.message).toBe('The scan was stopped after 2 of 20 pods');
    expect(read).toEqual(['cart-0', 'cart-1']);
  });

  it('several named namespaces: validated, and refused together with -n, -A or a saved scan', async () => {
    await expect(scan({ namespaces: [] })).rejects.toThrow(/give a non-empty list of namespace names/);
    await expect(scan({ namespaces: ['a'], allNamespaces: true })).rejects.toThrow(/Cannot combine namespaces with -n\/--namespace or -A/);
    await expect(scan({ namespaces: ['a'], namespace: 'b' })).rejects.toThrow(/Cannot combine/);
    await expect(scan({ namespaces: ['a'], evidence: '{}' })).rejects.toThrow(/Cannot combine --evidence with namespaces/);
  });
});
