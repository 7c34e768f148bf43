/**
 * `diagnose pod/NAME --in-pod`: runs mtls-doctor inside the pod, as `kubectl debug --target=istio-proxy` would.
 * Adds an ephemeral container that targets istio-proxy (shares its process namespace, so /proc/<envoy>/root and
 * the loopback admin are reachable) with a strategic merge PATCH of `pods/ephemeralcontainers` (client-node 1.x
 * sends json-patch unless told), waits for it to finish within a bound, reads its JSON report from the container
 * log, and hands it back to be rendered here.
 */
import { randomBytes } from 'node:crypto';
import { VERSION } from '../../version.js';
import type { V1EphemeralContainer } from '@kubernetes/client-node';
import { inputError, MtlsDoctorError } from '../../errors.js';
import type { Report } from '../../model/finding.js';
import type { SourceRecord } from '../../evidence/types.js';
import { connectKube, type Impersonation, type KubeApi } from './client.js';
import { checkLabel, parseClusterTarget } from './target.js';
import { resolvePod } from './pod.js';

/** The image the Dockerfile builds (`docker build -t mtls-doctor:VERSION .`); push it where the cluster pulls from. */
export const DEFAULT_IMAGE = `mtls-doctor:${VERSION}`;
export const DEFAULT_IN_POD_TIMEOUT_MS = 120_000;

export interface InPodRequest {
  target?: string;
  selector?: string;
  namespace?: string;
  context?: string;
  kubeconfig?: string;
  impersonate?: Impersonation;
  /** Default: MTLS_DOCTOR_IMAGE, else the released image. */
  image?: string;
  /** Arguments for `mtls-doctor diagnose` inside the pod (evaluation flags: --peer, --window, …). */
  argv: string[];
  env?: Record<string, string | undefined>;
  now: () => number;
  /** Bound of the whole run, from the PATCH to the log (default 120 s). */
  timeoutMs?: number;
  pollMs?: number;
  progress?: (line: string) => void;
  api?: KubeApi;
}

/** The ephemeral container: mtls-doctor as the proxy's user, JSON on stdout, no TTY, no stdin. */
export function ephemeralContainer(name: string, image: string, argv: string[]): V1EphemeralContainer {
  return {
    name,
    image,
    command: ['mtls-doctor', 'diagnose', ...argv, '-o', 'json'],
    targetContainerName: 'istio-proxy',
    stdin: false,
    tty: false,
    env: [{ name: 'NO_COLOR', value: '1' }],
    // istio-proxy runs as 1337: the same user may read /proc/<envoy pid>/root.
    securityContext: { runAsUser: 1337, runAsGroup: 1337, runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
  };
}

/** The report JSON in a container log (stderr lines may surround it). */
export function reportFromLog(log: string): Report | { error: string } {
  const start = log.search(/^\{\s*$/m);
  const end = log.lastIndexOf('}');
  if (start >= 0 && end > start) {
    try {
      const r = JSON.parse(log.slice(start, end + 1)) as Report;
      if (r && r.schemaVersion === 1 && Array.isArray(r.findings)) return r;
    } catch {
      /* fall through to the error line */
    }
  }
  const line = log.split('\n').map((l) => l.trim()).filter(Boolean).reverse().find((l) => l.startsWith('mtls-doctor:')) ?? log.split('\n').map((l) => l.trim()).filter(Boolean).pop();
  return { error: line ? line.replace(/^mtls-doctor:\s*/, '').slice(0, 300) : 'its log is empty' };
}

export async function diagnoseInPod(req: InPodRequest): Promise<Report> {
  const env = req.env ?? process.env;
  const api = req.api ?? connectKube({ kubeconfig: req.kubeconfig, context: req.context, impersonate: req.impersonate, env });
  try {
    return await run(api, req, env);
  } finally {
    if (!req.api) await api.close();
  }
}

async function run(api: KubeApi, req: InPodRequest, env: Record<string, string | undefined>): Promise<Report> {
  const target = parseClusterTarget(req.target, req.selector);
  const ns = req.namespace ? checkLabel(req.namespace, 'namespace') : api.namespace;
  const sources: SourceRecord[] = [];
  const pod = await resolvePod(api, target, ns, sources);
  if (!pod.sidecar) throw new MtlsDoctorError('E_NO_EVIDENCE', `Cannot run inside pod/${pod.name}: it has no istio-proxy container to stand beside`);
  const image = req.image ?? env.MTLS_DOCTOR_IMAGE ?? DEFAULT_IMAGE;
  const name = `mtls-doctor-${randomBytes(3).toString('hex')}`;
  const timeoutMs = req.timeoutMs ?? DEFAULT_IN_POD_TIMEOUT_MS;
  const pollMs = req.pollMs ?? 1000;
  const deadline = req.now() + timeoutMs;
  req.progress?.(`adding ephemeral container ${name} (${image}) to pod/${pod.name}, targeting istio-proxy`);
  const p = await api.patchEphemeralContainers(pod.namespace, pod.name, [ephemeralContainer(name, image, req.argv)]);
  if (!p.ok) {
    if (p.kind === 'forbidden') throw new MtlsDoctorError('E_NO_EVIDENCE', `Cannot run inside pod/${pod.name}: forbidden: patch pods/ephemeralcontainers in namespace "${pod.namespace}" is not granted (see deploy/rbac.yaml); run without --in-pod to diagnose from here`);
    if (p.kind === 'not-found') throw new MtlsDoctorError('E_NO_EVIDENCE', `Cannot run inside pod/${pod.name}: this cluster does not serve pods/ephemeralcontainers (Kubernetes before 1.25, or the EphemeralContainers feature is off); run without --in-pod, or kubectl exec into istio-proxy and run mtls-doctor there`);
    if (p.status === 422 || p.status === 400 || p.status === 415) throw inputError(`Cannot run inside pod/${pod.name}: the API server refused the ephemeral container: ${p.reason}`);
    throw new MtlsDoctorError('E_NO_EVIDENCE', `Cannot run inside pod/${pod.name}: ${p.reason}`);
  }
  req.progress?.(`waiting for ${name} to finish (at most ${Math.round(timeoutMs / 1000)}s)`);
  for (;;) {
    const g = await api.getPod(pod.namespace, pod.name);
    if (!g.ok) throw new MtlsDoctorError('E_NO_EVIDENCE', `Cannot follow ephemeral container ${name} in pod/${pod.name}: ${g.reason}`);
    const st = (g.value.status?.ephemeralContainerStatuses ?? []).find((s) => s.name === name);
    const waiting = st?.state?.waiting;
    if (waiting && /ErrImagePull|ImagePullBackOff|InvalidImageName|CreateContainerError/.test(waiting.reason ?? '')) {
      throw new MtlsDoctorError('E_NO_EVIDENCE', `Cannot run inside pod/${pod.name}: ephemeral container ${name} cannot start: ${waiting.reason}${waiting.message ? ` (${waiting.message.split('\n')[0]})` : ''}; give --image IMAGE that the cluster can pull`);
    }
    if (st?.state?.terminated) break;
    if (req.now() + pollMs > deadline) {
      throw new MtlsDoctorError('E_NO_EVIDENCE', `Cannot run inside pod/${pod.name}: ephemeral container ${name} did not finish within ${Math.round(timeoutMs / 1000)}s (${waiting?.reason ?? (st?.state?.running ? 'still running' : 'not started')}); see kubectl logs ${pod.name} -n ${pod.namespace} -c ${name}`);
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
  const log = await api.readLog(pod.namespace, pod.name, name);
  if (!log.ok) throw new MtlsDoctorError('E_NO_EVIDENCE', `Cannot read the report of ephemeral container ${name} in pod/${pod.name}: ${log.reason}`);
  const r = reportFromLog(log.value);
  if ('error' in r) throw new MtlsDoctorError('E_NO_EVIDENCE', `The diagnosis inside pod/${pod.name} (container ${name}) gave no report: ${r.error}`);
  return { ...r, target: { ...r.target, kind: 'pod', name: `pod/${pod.name}`, namespace: pod.namespace, inPod: true, container: name } };
}
