import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { judgeFleet as analyseFleet } from '../../src/diagnose/fleet-model.js';
import type { FleetInput, PodHolding } from '../../src/fleet/types.js';
import { NOW, DAY, t, intermediate } from '../support/pki.js';
import { fleetPki, pod, pods, type FleetPki } from './fleet-pki.js';

let pki: FleetPki;
beforeAll(async () => {
  pki = await fleetPki();
});

const analyse = (input: FleetInput) => analyseFleet(input, { now: NOW });
const fp = (i: { der: Uint8Array }) => createHash('sha256').update(i.der).digest('hex');

describe('a clean mesh', () => {
  it('one root, every pod trusts it: phase 0, no drift, no gaps, the CA levels listed before the leaves', async () => {
    const input = { pods: await pods(pki, 6, () => ({ serves: 'old', trusts: ['old'] })) };
    const r = analyse(input);
    expect(r.schemaVersion).toBe(1);
    expect(r.rotation.phase).toBe(0);
    expect(r.rotation.violations).toEqual([]);
    expect(r.drift).toHaveLength(1);
    expect(r.drift[0]).toMatchObject({ majority: true, roots: [fp(pki.oldRoot)] });
    expect(r.trustGaps).toEqual([]);
    expect(r.summary).toMatchObject({ pods: 6, ok: 6, failed: 0, driftPods: 0 });
    const levels = r.certificates.map((c) => c.level);
    expect(levels.slice(0, 2).sort()).toEqual(['intermediate', 'root']);
    expect(levels.filter((l) => l === 'leaf')).toHaveLength(6);
    // The intermediate is held once, by all six pods, not once per pod.
    const inter = r.certificates.find((c) => c.level === 'intermediate')!;
    expect(inter).toMatchObject({ pods: 6, status: 'ok', fingerprint: fp(pki.oldInter) });
    expect(r.pods.every((p) => p.status === 'ok' && p.chainsTo === fp(pki.oldRoot) && p.leaf?.serial)).toBe(true);
  });
});

describe('the five phases of a root rotation', () => {
  const both = ['old', 'new'] as Array<'old' | 'new'>;

  it('phase 1: the new root is in the root ConfigMap but in no pod yet', async () => {
    const input: FleetInput = {
      pods: await pods(pki, 4, () => ({ serves: 'old', trusts: ['old'] })),
      rootConfigMaps: [{ namespace: 'ns0', pem: pki.oldRoot.pem + pki.newRoot.pem }],
    };
    const r = analyse(input);
    expect(r.rotation).toMatchObject({ phase: 1, complete: false, newRoots: [fp(pki.newRoot)], oldRoots: [fp(pki.oldRoot)], violations: [] });
    expect(r.rotation.next).toMatch(/Do not issue from the new CA yet/);
  });

  it('phase 2 in progress: 8 of 10 pods trust the new root; the two that lack it are named', async () => {
    const input = { pods: await pods(pki, 10, (i) => ({ serves: 'old', trusts: i < 8 ? both : ['old'] })) };
    const r = analyse(input);
    expect(r.rotation).toMatchObject({ phase: 2, complete: false, progress: { done: 8, of: 10 }, violations: [] });
    expect(r.rotation.next).toContain('ns2/web-8');
    expect(r.rotation.next).toContain('ns0/web-9');
    expect(r.rotation.next).toMatch(/Do not start issuing/);
  });

  it('phase 2 complete: every pod trusts both roots, nothing issued from the new one yet', async () => {
    const r = analyse({ pods: await pods(pki, 5, () => ({ serves: 'old', trusts: both })) });
    expect(r.rotation).toMatchObject({ phase: 2, complete: true, violations: [] });
    expect(r.rotation.next).toMatch(/safe to start issuing/);
  });

  it('phase 3: the cacerts Secret issues from the new CA before any leaf is re-issued', async () => {
    const r = analyse({
      pods: await pods(pki, 5, () => ({ serves: 'old', trusts: both })),
      caSecrets: [{ namespace: 'istio-system', name: 'cacerts', certs: [{ key: 'ca-cert.pem', pem: pki.newInter.pem }, { key: 'root-cert.pem', pem: pki.oldRoot.pem + pki.newRoot.pem }] }],
    });
    expect(r.rotation).toMatchObject({ phase: 3, complete: false, setup: 'plug-in-cacerts', violations: [] });
  });

  it('phase 4 in progress: some workloads serve leaves from the new CA, all pods trust both', async () => {
    const r = analyse({ pods: await pods(pki, 6, (i) => ({ serves: i < 2 ? 'new' : 'old', trusts: both })) });
    expect(r.rotation).toMatchObject({ phase: 4, complete: false, progress: { done: 2, of: 6 }, violations: [] });
  });

  it('phase 4 complete: every leaf from the new CA, the old root still trusted everywhere', async () => {
    const r = analyse({ pods: await pods(pki, 4, () => ({ serves: 'new', trusts: both })) });
    expect(r.rotation).toMatchObject({ phase: 4, complete: true, violations: [] });
    expect(r.rotation.next).toMatch(/safe to remove the old root/);
  });

  it('phase 5: the old root leaves the bundles after every leaf was re-issued', async () => {
    const r = analyse({ pods: await pods(pki, 4, (i) => ({ serves: 'new', trusts: i < 3 ? ['new'] : both })) });
    expect(r.rotation).toMatchObject({ phase: 5, complete: false, progress: { done: 3, of: 4 }, violations: [] });
    // Drift is expected mid-phase; nobody is cut off, since every leaf chains to the new root that all trust.
    expect(r.trustGaps).toEqual([]);
  });
});

describe('a rotation done out of order', () => {
  it('the new CA issues while 2 pods lack its root: issuing-before-trusted names those pods, and who cannot talk to whom', async () => {
    const input = { pods: await pods(pki, 10, (i) => ({ serves: i < 3 ? 'new' : 'old', trusts: i === 8 || i === 9 ? ['old'] : ['old', 'new'] })) };
    const r = analyse(input);
    expect(r.rotation.violations).toHaveLength(1);
    expect(r.rotation.violations[0]).toMatchObject({ kind: 'issuing-before-trusted', root: fp(pki.newRoot), pods: ['ns0/web-9', 'ns2/web-8'] });
    expect(r.rotation.next).toMatch(/^Stop the rotation/);
    expect(r.trustGaps).toEqual([expect.objectContaining({ root: fp(pki.newRoot), servingPods: 3, untrustingPods: ['ns0/web-9', 'ns2/web-8'] })]);
  });

  it('the old root is removed while live leaves still chain to it: root-removed-while-used', async () => {
    const r = analyse({ pods: await pods(pki, 4, (i) => ({ serves: i === 0 ? 'old' : 'new', trusts: i === 3 ? ['new'] : ['old', 'new'] })) });
    expect(r.rotation.violations).toEqual([expect.objectContaining({ kind: 'root-removed-while-used', root: fp(pki.oldRoot), pods: ['ns0/web-3'] })]);
  });
});

describe('expiry at every level', () => {
  it('an intermediate that expired is found from the fleet and leads the report, while every leaf looks fresh', async () => {
    const p = await fleetPki({ oldInter: { notBefore: t(-400 * DAY), notAfter: t(-3 * 3600_000) } });
    const r = analyseFleet({ pods: await pods(p, 5, () => ({ serves: 'old', trusts: ['old'] })) }, { now: NOW });
    expect(r.certificates[0]).toMatchObject({ level: 'intermediate', status: 'expired', pods: 5, fingerprint: fp(p.oldInter) });
    expect(r.summary.earliest?.fingerprint).toBe(fp(p.oldInter));
    expect(r.certificates.filter((c) => c.level === 'leaf').every((c) => c.status === 'ok')).toBe(true);
  });

  it('a cacerts intermediate expiring in 3 days is critical though no pod serves it yet', async () => {
    const soon = await intermediate(pki.newRoot, 'Plug-in CA soon', { notBefore: t(-360 * DAY), notAfter: t(3 * DAY) });
    const r = analyse({
      pods: await pods(pki, 3, () => ({ serves: 'old', trusts: ['old'] })),
      caSecrets: [{ namespace: 'istio-system', name: 'cacerts', certs: [{ key: 'cert-chain.pem', pem: soon.pem }] }],
    });
    const row = r.certificates.find((c) => c.fingerprint === fp(soon))!;
    expect(row).toMatchObject({ level: 'intermediate', status: 'critical', pods: 0, alsoIn: ['secret istio-system/cacerts cert-chain.pem'] });
    expect(r.certificates[0]!.fingerprint).toBe(fp(soon));
  });

  it('leaves are aggregated per workload: the earliest leaf of the workload, with the pod count', async () => {
    const a = await pod(pki, 1, 'old', ['old']);
    const b = { ...(await pod(pki, 4, 'old', ['old'])), namespace: a.namespace, workload: a.workload };
    const r = analyse({ pods: [a, b] });
    const leaves = r.certificates.filter((c) => c.level === 'leaf');
    expect(leaves).toHaveLength(1);
    expect(leaves[0]).toMatchObject({ pods: 2, workload: 'web-1', namespace: 'ns1' });
  });
});

describe('trust-bundle drift', () => {
  it("one namespace's istio-ca-root-cert is stale: its pods are named against the ConfigMap", async () => {
    const input: FleetInput = {
      pods: await pods(pki, 6, () => ({ serves: 'old', trusts: ['old', 'new'] })),
      rootConfigMaps: [
        { namespace: 'ns0', pem: pki.oldRoot.pem + pki.newRoot.pem },
        { namespace: 'ns1', pem: pki.oldRoot.pem },
      ],
    };
    const r = analyse(input);
    expect(r.configMapDrift).toEqual([{ namespace: 'ns1', configMapRoots: [fp(pki.oldRoot)], rootNames: ['Mesh Root CA 2025'], pods: ['ns1/web-1', 'ns1/web-4'] }]);
    expect(r.summary.driftPods).toBe(2);
  });

  it('pods whose set differs from the majority form their own group', async () => {
    const r = analyse({ pods: await pods(pki, 5, (i) => ({ serves: 'old', trusts: i === 2 ? ['old'] : ['old', 'new'] })) });
    expect(r.drift).toHaveLength(2);
    expect(r.drift[0]).toMatchObject({ majority: true });
    expect(r.drift[0]!.pods).toHaveLength(4);
    expect(r.drift[1]).toMatchObject({ majority: false, pods: ['ns2/web-2'], roots: [fp(pki.oldRoot)] });
  });
});

describe('per-pod failures are rows, never the end of the scan', () => {
  it('403, timeout and no sidecar each become a failed row with its reason', async () => {
    const ok = await pods(pki, 2, () => ({ serves: 'old', trusts: ['old'] }));
    const failed: PodHolding[] = [
      { namespace: 'a', name: 'x', status: 'failed', reason: 'forbidden: cannot create pods/portforward in namespace "a"' },
      { namespace: 'a', name: 'y', status: 'failed', reason: 'timed out after 10 s' },
      { namespace: 'b', name: 'z', status: 'failed', reason: 'no istio-proxy container' },
    ];
    const r = analyse({ pods: [...ok, ...failed] });
    expect(r.summary).toMatchObject({ pods: 5, ok: 2, failed: 3 });
    expect(r.pods.filter((p) => p.status === 'failed').map((p) => p.reason)).toEqual(failed.map((f) => f.reason));
    expect(r.rotation.phase).toBe(0);
  });

  it('a pod whose secrets do not parse is judged on what parsed, with no exception', async () => {
    const bad: PodHolding = { namespace: 'a', name: 'garbage', status: 'ok', served: ['not a certificate'], trusted: [pki.oldRoot.pem] };
    const r = analyse({ pods: [bad] });
    expect(r.pods[0]).toMatchObject({ status: 'ok', leaf: null, roots: [fp(pki.oldRoot)] });
  });
});
