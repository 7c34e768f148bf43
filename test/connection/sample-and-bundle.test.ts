/**
 * Which peer pods are read beyond --max-pods (a sample per owner revision), and a replayed bundle's
 * `connections` field checked before it is judged.
 */
import { describe, expect, it } from 'vitest';
import { pickPods } from '../../src/collect/kube/peer-pods.js';
import { connectionEvidenceProblem } from '../../src/evidence/connections.js';
import type { PodRecord } from '../../src/evidence/cluster.js';

const pod = (name: string, rev: string): PodRecord => ({ name, namespace: 'bank', serviceAccount: 'ledger', labels: { app: 'ledger', 'pod-template-hash': rev }, sidecar: true, containers: [], phase: 'Running', ready: true, ip: null });

describe('pickPods', () => {
  it('reads every pod up to the limit', () => {
    const pods = [pod('a', 'r1'), pod('b', 'r1')];
    expect(pickPods(pods, 2)).toEqual({ read: pods, skipped: [] });
  });

  it('beyond the limit, takes pods from every owner revision in turn, so a rollout in progress is always seen', () => {
    const old = Array.from({ length: 8 }, (_, i) => pod(`old-${i}`, 'r1'));
    const fresh = [pod('new-0', 'r2')];
    const { read, skipped } = pickPods([...old, ...fresh], 3);
    expect(read.map((p) => p.name)).toEqual(['old-0', 'new-0', 'old-1']);
    expect(skipped).toHaveLength(6);
  });
});

describe('connectionEvidenceProblem', () => {
  const ok = { kind: 'pod', classes: [{ id: 'a', namespace: 'n', serviceAccount: 's', source: 'x', chain: [], trust: [], verifier: 'envoy', from: 'sidecar', pods: [{ name: 'p', namespace: 'n' }] }], connections: [{ client: 'a', server: 'a', service: {}, expectedServerIds: [] }], notRead: [], endpoints: { total: 1, read: 1 } };
  it('accepts what the collector writes', () => expect(connectionEvidenceProblem(ok)).toBeNull());
  it.each([
    ['not an object', [], /not an object/],
    ['an unknown kind', { ...ok, kind: 'mesh' }, /kind/],
    ['a connection to a class it does not hold', { ...ok, connections: [{ client: 'a', server: 'zz', service: {}, expectedServerIds: [] }] }, /names a class the bundle does not hold/],
    ['a verifier that is no profile', { ...ok, classes: [{ ...ok.classes[0], verifier: 'openssl' }] }, /verifier/],
  ])('refuses %s', (_, value, why) => expect(connectionEvidenceProblem(value)).toMatch(why));
});
