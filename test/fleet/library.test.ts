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
});
