/**
 * The connection parts of cluster mode, loaded only when a target has connections (`--peer SVC:PORT`,
 * `svc/NAME`): the target pod and the service's pods as classes and connection records, and `diagnose svc/B`.
 */
import { deadlineIn } from '../model/deadline.js';
import { LIMITS } from '../limits.js';
import { inputError, MtlsDoctorError } from '../errors.js';
import { evidenceFromInputs } from '../evidence/from-inputs.js';
import type { EvidenceBundle } from '../evidence/types.js';
import type { DeepPartial, Thresholds } from '../model/thresholds.js';
import type { DiagnoseRequest } from './request.js';
import { connectionJudge } from '../connection/aggregate.js';
import { connectionEvidenceProblem } from '../evidence/connections.js';
import type { ConnectionJudge } from '../engine/evaluate.js';
import { sourceLabel } from '../report/source-label.js';

/** The engine's connection judge for this evidence; a replayed bundle's connections are checked first (one E_INPUT). */
export function connectionJudgeFor(evidence: EvidenceBundle, replay: boolean): ConnectionJudge {
  const problem = replay ? connectionEvidenceProblem(evidence.connections) : null;
  if (problem) throw inputError(`Cannot replay the evidence bundle: ${problem}`);
  return connectionJudge;
}

/**
 * `diagnose svc/B`: the service's ready pods and the callers' (src/collect/kube/service.ts), every caller class
 * judged against every server class; no workload of its own, so the report is the connections' findings.
 */
export async function collectServiceTarget(r: DiagnoseRequest, deps: { env: Record<string, string | undefined>; now: () => number; budgetMs?: number; kube?: { impersonate?: { user?: string; groups?: string[] }; timeoutMs?: number } }, thresholds: DeepPartial<Thresholds> | undefined): Promise<EvidenceBundle> {
  const { parseServiceTarget } = await import('../collect/kube/target.js');
  const { collectService } = await import('../collect/kube/service.js');
  const { serviceConnections } = await import('../connection/build.js');
  // The diagnosis's one deadline starts once the code is loaded (issue 22).
  const deadline = deadlineIn(deps.budgetMs ?? LIMITS.clusterDiagnoseBudgetMs);
  const c = await collectService({
    service: parseServiceTarget(r.target)!,
    namespace: r.namespace,
    fromNamespaces: r.fromNamespace === undefined ? undefined : Array.isArray(r.fromNamespace) ? r.fromNamespace : [r.fromNamespace],
    fromAllNamespaces: r.fromAllNamespaces,
    maxPods: r.maxPods,
    context: r.context,
    kubeconfig: r.kubeconfig,
    env: deps.env,
    now: deps.now,
    deadline,
    label: sourceLabel,
    ...(deps.kube?.impersonate ? { impersonate: deps.kube.impersonate } : {}),
    ...(deps.kube?.timeoutMs ? { timeoutMs: deps.kube.timeoutMs } : {}),
  });
  const base = evidenceFromInputs({ trust: [], peerTrust: [], ca: [], crls: [], role: r.role, expectId: null, peerId: null, at: r.at, thresholds, symptom: r.symptom ?? null, target: r.label !== undefined ? { ...c.target, name: r.label } : c.target, now: deps.now, label: sourceLabel });
  const connections = serviceConnections({ servers: c.servers, callers: c.callers, cluster: c.cluster, rootConfigMaps: c.rootConfigMaps, trustDomain: c.cluster.meshConfig?.trustDomain ?? 'cluster.local' });
  if (connections.classes.length === 0) {
    const why = c.sources.filter((s) => s.status === 'unavailable').map((s) => `${s.name}: ${s.reason}`).join('; ');
    throw new MtlsDoctorError('E_NO_EVIDENCE', `No evidence to diagnose ${String(c.target.name)}: ${why || 'no ready sidecar pod could be read'}`);
  }
  return { ...base, sources: [...c.sources, ...base.sources], cluster: c.cluster, connections };
}

/** The target pod and the service's ready pods as classes and connections (src/connection/build.ts). */
export async function podConnectionEvidence(c: Awaited<ReturnType<(typeof import('../collect/kube/index.js'))['collectCluster']>>) {
  const { podConnections } = await import('../connection/build.js');
  const { revisionOfPod, verifierOfPod } = await import('../connection/classes.js');
  const pod = c.cluster.pod!;
  const chain = c.proxy?.chain?.pems ?? [];
  const client = {
    pod: { namespace: pod.namespace, name: pod.name, serviceAccount: pod.serviceAccount, ready: pod.ready, revision: revisionOfPod(pod.labels), labels: pod.labels },
    status: chain.length ? ('read' as const) : ('unreadable' as const),
    ...(chain.length ? {} : { reason: 'its istio-proxy served no certificate' }),
    chain,
    trust: (c.proxy?.trust ?? []).flatMap((t) => t.pems),
    verifier: verifierOfPod(pod.labels),
    trustDomain: c.cluster.meshConfig?.trustDomain ?? 'cluster.local',
  };
  return podConnections({ client, servers: c.peerObservations, cluster: c.cluster, serverRootConfigMap: c.peerRootConfigMap });
}

