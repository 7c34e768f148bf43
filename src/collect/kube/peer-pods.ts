/**
 * The server side of a connection, read the way the target pod is read: every ready sidecar pod behind the
 * service, through its istio-proxy (port-forward, else exec: src/collect/kube/sidecar.ts) with the unchanged
 * proxy collectors. Up to `maxPods` pods are read; beyond that a sample per owner revision (pod-template-hash /
 * controller-revision-hash), round-robin, so that every revision of a rollout is seen. A pod not read is
 * recorded as such, with why (never as healthy).
 */
import { collectProxy } from '../proxy.js';
import type { PodRecord } from '../../evidence/cluster.js';
import type { WorkloadObservation } from '../../model/workload.js';
import type { SourceLabel } from '../../model/source.js';
import { revisionOfPod, verifierOfPod } from '../../connection/classes.js';
import type { KubeApi } from './client.js';
import { openSidecarBridge } from './sidecar.js';
import { budgetText, expired, type Deadline } from '../../model/deadline.js';

export const DEFAULT_MAX_PODS = 50;
/** Sidecars read at once: each is a port-forward or exec stream through the API server. */
const CONCURRENCY = 4;

/** Inbound SSL counters of a server sidecar that move when it rejects (or is rejected by) its callers. */
const COUNTER = /^listener\..*\.ssl\.(fail_verify_error|fail_verify_san|fail_verify_no_cert|fail_verify_cert_hash|connection_error|no_certificate)$|^listener\..*\.ssl\.handshake$/;

/** Which pods to read: all of them up to `max`, else round-robin over owner revisions. */
export function pickPods(pods: readonly PodRecord[], max: number): { read: PodRecord[]; skipped: PodRecord[] } {
  if (pods.length <= max) return { read: [...pods], skipped: [] };
  const byRev = new Map<string, PodRecord[]>();
  for (const p of pods) {
    const r = revisionOfPod(p.labels) ?? '';
    byRev.set(r, [...(byRev.get(r) ?? []), p]);
  }
  const queues = [...byRev.values()];
  const read: PodRecord[] = [];
  for (let i = 0; read.length < max; i++) {
    const q = queues[i % queues.length]!;
    const p = q.shift();
    if (p) read.push(p);
    if (queues.every((x) => x.length === 0)) break;
  }
  const chosen = new Set(read);
  return { read, skipped: pods.filter((p) => !chosen.has(p)) };
}

export interface PeerPodsResult {
  observations: WorkloadObservation[];
  denied: Array<{ verb: string; resource: string; namespace: string; name: string }>;
}

/**
 * Reads the ready sidecar pods (`pods`, already filtered) through their istio-proxy. Under `deadline` (issue 22),
 * every wait of a pod's read is at most what is left of it, and a pod whose turn comes after it is not read (and
 * says so): many server pods cannot stretch the diagnosis.
 */
export async function readPeerPods(api: KubeApi, pods: readonly PodRecord[], o: { maxPods: number; trustDomain: string; now: () => number; deadline?: Deadline; label: SourceLabel }): Promise<PeerPodsResult> {
  const { read, skipped } = pickPods(pods, o.maxPods);
  const denied: PeerPodsResult['denied'] = [];
  const base = (p: PodRecord) => ({ pod: { namespace: p.namespace, name: p.name, serviceAccount: p.serviceAccount, ready: p.ready, revision: revisionOfPod(p.labels), labels: p.labels }, verifier: verifierOfPod(p.labels), trustDomain: o.trustDomain, chain: [], trust: [] });
  const out = new Map<PodRecord, WorkloadObservation>();
  for (const p of skipped) {
    out.set(p, { ...base(p), status: 'not-read', reason: `beyond --max-pods ${o.maxPods}: ${read.length} of ${pods.length} ready pods were read, a sample per owner revision` });
  }
  const one = async (p: PodRecord): Promise<WorkloadObservation> => {
    if (o.deadline && expired(o.deadline)) {
      return { ...base(p), status: 'not-read', timedOut: true, reason: `not read: the diagnosis's ${budgetText(o.deadline)} deadline passed before its turn (${CONCURRENCY} sidecars are read at once)` };
    }
    const bridge = await openSidecarBridge(api, p.namespace, p.name);
    denied.push(...bridge.denied);
    try {
      if (bridge.mode === 'none') {
        const why = bridge.sources.find((s) => s.status === 'unavailable')?.reason ?? 'its istio-proxy could not be reached';
        const late = bridge.sources.some((s) => s.timedOut);
        return { ...base(p), status: 'unreadable', ...(late && !bridge.denied.length ? { timedOut: true as const } : {}), reason: bridge.denied.length ? `forbidden: ${bridge.denied.map((d) => `create ${d.resource}`).join(', ')} in namespace "${p.namespace}"` : why };
      }
      const c = await collectProxy({ envoyAdmin: bridge.adminUrl, auto: false, env: {}, dispatcher: bridge.dispatcher, timeoutMs: api.timeoutMs, now: o.now, label: o.label, ...(o.deadline ? { deadline: o.deadline } : {}) });
      if (!c.chain || c.chain.pems.length === 0) {
        const why = c.failures.join('; ') || 'its Envoy admin served no "default" certificate';
        const late = c.sources.some((s) => s.timedOut && s.name === 'envoy admin secrets');
        return { ...base(p), status: 'unreadable', ...(late ? { timedOut: true as const } : {}), reason: why };
      }
      const last = c.proxy.stats[c.proxy.stats.length - 1];
      const counters = last ? Object.fromEntries(Object.entries(last.values).filter(([k]) => COUNTER.test(k))) : undefined;
      return { ...base(p), status: 'read', chain: c.chain.pems, trust: c.trust.flatMap((t) => t.pems), ...(counters && Object.keys(counters).length ? { counters } : {}) };
    } catch (e) {
      return { ...base(p), status: 'unreadable', reason: e instanceof Error ? e.message.split('\n')[0]! : String(e) };
    } finally {
      await bridge.close();
    }
  };
  const queue = [...read];
  await Promise.all(
    Array.from({ length: Math.min(CONCURRENCY, queue.length) }, async () => {
      for (let p = queue.shift(); p; p = queue.shift()) out.set(p, await one(p));
    }),
  );
  return { observations: pods.map((p) => out.get(p)!).filter(Boolean), denied };
}
