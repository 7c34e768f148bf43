/** Resolves a cluster target to one pod, as kubectl would. */
import type { SourceRecord } from '../../evidence/types.js';
import type { PodRecord } from '../../evidence/cluster.js';
import { inputError, MtlsDoctorError } from '../../errors.js';
import type { Failure, KubeApi } from './client.js';
import { podRecord } from './records.js';
import type { ClusterTarget } from './target.js';

/** Ends the run when the API server itself cannot be used (unreachable, credentials, timeout). */
function fatal(f: Failure, what: string): never {
  if (f.kind === 'not-found') throw inputError(`Cannot diagnose ${what}: ${f.reason}`);
  throw new MtlsDoctorError('E_NO_EVIDENCE', `Cannot diagnose ${what}: ${f.reason}`);
}

/** The pod a target names (one ready pod, with a sidecar when there is one, for deploy/NAME and -l). */
export async function resolvePod(api: KubeApi, target: ClusterTarget, ns: string, sources: SourceRecord[]): Promise<PodRecord> {
  const what = target.kind === 'selector' ? `pods with -l ${target.selector} in namespace "${ns}"` : `${target.kind === 'pod' ? 'pod' : 'deploy'}/${target.name} in namespace "${ns}"`;
  if (target.kind === 'pod') {
    const r = await api.getPod(ns, target.name);
    if (!r.ok) fatal(r, what);
    return podRecord(r.value);
  }
  let selector: string;
  if (target.kind === 'deployment') {
    const d = await api.getDeployment(ns, target.name);
    if (!d.ok) fatal(d, what);
    const ml = d.value.spec?.selector?.matchLabels ?? {};
    selector = Object.entries(ml).map(([k, v]) => `${k}=${v}`).join(',');
    if (!selector) throw inputError(`Cannot diagnose ${what}: its selector has no matchLabels`);
  } else selector = target.selector;
  const l = await api.listPods(ns, selector);
  if (!l.ok) fatal(l, what);
  const pods = l.value.map(podRecord);
  if (pods.length === 0) throw inputError(`Cannot diagnose ${what}: no pod matches ${selector}`);
  const pod = pickPod(pods)!;
  sources.push({ name: 'kubernetes pod', status: 'ok', detail: `${what}: ${pods.length} pod${pods.length === 1 ? '' : 's'}, chose ${pod.name}${pod.ready ? ' (ready)' : ' (none is ready)'}` });
  return pod;
}

const pickPod = (pods: PodRecord[]) => pods.find((p) => p.ready && p.sidecar) ?? pods.find((p) => p.ready) ?? pods[0];

