/**
 * The fleet scan's pod source in cluster mode: lists the pods (one namespace, or all with -A; a label
 * selector) and the Services (who serves connections), and reads each sidecar with the one sidecar reader
 * (./sidecar.ts `readSidecarSecrets`: the Envoy admin secrets dump over one port-forward stream, or exec
 * `pilot-agent request GET` when port-forward is refused). The root ConfigMaps are read per namespace and, with
 * --read-ca-secrets, the CA Secrets' certificate keys only.
 *
 * Part of the cluster chunk: loaded only when a scan reads a cluster.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { MtlsDoctorError } from '../../errors.js';
import type { FleetSource, PodRef, ServiceRef } from '../../fleet/scan.js';
import type { FleetTarget } from '../../fleet/types.js';
import { connectKube, parseYaml, type Impersonation, type KubeApi } from './client.js';
import { PROMETHEUS_PATH, readSidecarSecrets } from './sidecar.js';
import { destinationRuleRecord, meshConfigRecord, peerAuthenticationRecord, podRecord, probesOf } from './records.js';
import type { FleetPolicy } from '../../fleet/types.js';
import { checkSubdomain, parseClusterTarget } from './target.js';

const CA_SECRETS: Array<{ name: string; keys: string[] }> = [
  { name: 'cacerts', keys: ['ca-cert.pem', 'cert-chain.pem', 'root-cert.pem', 'tls.crt', 'ca.crt'] },
  { name: 'istio-ca-secret', keys: ['ca-cert.pem'] },
];

const hasSidecar = (p: V1Pod) => [...(p.spec?.containers ?? []), ...(p.spec?.initContainers ?? [])].some((c) => c.name === 'istio-proxy');
const workloadOf = (p: V1Pod) => {
  const owner = p.metadata?.ownerReferences?.find((o) => o.controller);
  // A ReplicaSet's pods belong to the Deployment named by its prefix (name-<hash>).
  if (owner?.kind === 'ReplicaSet') return owner.name.replace(/-[a-z0-9]{5,10}$/, '');
  return owner?.name ?? p.metadata?.labels?.['service.istio.io/canonical-name'] ?? p.metadata?.labels?.app ?? p.metadata?.name ?? 'unknown';
};

export async function kubeFleetSource(request: FleetTarget, o: { api?: KubeApi; env?: Record<string, string | undefined>; impersonate?: Impersonation } = {}): Promise<FleetSource> {
  const selector = request.selector !== undefined ? (parseClusterTarget(undefined, request.selector) as { selector: string }).selector : '';
  if (request.namespace !== undefined) checkSubdomain(request.namespace, 'namespace');
  for (const ns of request.namespaces ?? []) checkSubdomain(ns, 'namespace');
  const api = o.api ?? connectKube({ kubeconfig: request.kubeconfig, context: request.context, env: o.env, ...(o.impersonate ? { impersonate: o.impersonate } : {}) });
  // null: every namespace (-A); otherwise the named ones, or the context's.
  const namespaces = request.allNamespaces ? null : (request.namespaces ?? [request.namespace ?? api.namespace]);
  const fail = (r: { reason: string }) => {
    throw new MtlsDoctorError('E_NO_EVIDENCE', `Cannot list pods: ${r.reason}`);
  };
  return {
    async listPods(): Promise<PodRef[]> {
      const pods: V1Pod[] = [];
      for (const r of namespaces === null ? [await api.listAllPods(selector)] : await Promise.all([...new Set(namespaces)].map((ns) => api.listPods(ns, selector)))) {
        if (!r.ok) fail(r);
        else pods.push(...r.value);
      }
      return pods
        .filter((p) => p.status?.phase === 'Running')
        .map((p) => ({ namespace: p.metadata!.namespace!, name: p.metadata!.name!, workload: workloadOf(p), sidecar: hasSidecar(p), labels: p.metadata?.labels ?? {}, ...(p.spec?.serviceAccountName ? { serviceAccount: p.spec.serviceAccountName } : {}), ...(request.readPolicy ? { record: { ...podRecord(p), probes: probesOf(p) } } : {}) }))
        .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
    },
    secretsDump: (pod, signal) => readSidecarSecrets(api, pod.namespace, pod.name, signal),
    ...(request.readPolicy
      ? {
          telemetry: (pod: { namespace: string; name: string }, signal: AbortSignal) => readSidecarSecrets(api, pod.namespace, pod.name, signal, PROMETHEUS_PATH),
          async policy(nss: string[]) {
            const out: Pick<FleetPolicy, 'services' | 'peerAuthentications' | 'destinationRules' | 'meshConfig' | 'problems'> = { services: [], peerAuthentications: [], destinationRules: [], meshConfig: null, problems: [] };
            const mesh = await api.getConfigMap('istio-system', 'istio');
            if (mesh.ok) out.meshConfig = meshConfigRecord('istio-system', 'istio', (mesh.value.data?.mesh !== undefined ? parseYaml(mesh.value.data.mesh) : null) ?? {});
            else if (mesh.kind !== 'not-found') out.problems.push(`Mesh config (ConfigMap istio-system/istio) not read: ${mesh.reason}; Istio's defaults assumed (rootNamespace istio-system, auto mTLS on).`);
            const rootNs = out.meshConfig?.rootNamespace ?? 'istio-system';
            for (const r of namespaces === null ? [await api.listServices(null)] : await Promise.all(nss.map((ns) => api.listServices(ns)))) {
              if (!r.ok) {
                out.problems.push(`Services not listed: ${r.reason}; callers of their pods are not judged.`);
                continue;
              }
              for (const svc of r.value) {
                const selector = svc.spec?.selector;
                if (!selector || !Object.keys(selector).length) continue;
                out.services.push({
                  namespace: svc.metadata!.namespace!,
                  name: svc.metadata!.name!,
                  selector,
                  clusterIP: svc.spec?.clusterIP ?? null,
                  ports: (svc.spec?.ports ?? []).map((x) => ({ port: x.port, targetPort: x.targetPort === undefined ? x.port : /^\d+$/.test(String(x.targetPort)) ? Number(x.targetPort) : String(x.targetPort), name: x.name ?? null, appProtocol: x.appProtocol ?? null })),
                });
              }
            }
            const policyNs = [...new Set([...nss, rootNs])];
            await Promise.all(
              policyNs.flatMap((n) => [
                api.listIstio('security.istio.io', ['v1', 'v1beta1'], n, 'peerauthentications').then((r) => (r.ok ? out.peerAuthentications.push(...r.value.items.map(peerAuthenticationRecord)) : out.problems.push(`PeerAuthentications in ${n} not listed: ${r.reason}; the modes judged may be wrong.`))),
                api.listIstio('networking.istio.io', ['v1', 'v1beta1'], n, 'destinationrules').then((r) => (r.ok ? out.destinationRules.push(...r.value.items.map(destinationRuleRecord)) : out.problems.push(`DestinationRules in ${n} not listed: ${r.reason}; callers they turn to plaintext or their own TLS are not seen.`))),
              ]),
            );
            const byRef = (a: { namespace: string; name: string }, b: { namespace: string; name: string }) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`);
            out.peerAuthentications.sort(byRef);
            out.destinationRules.sort(byRef);
            out.services.sort(byRef);
            return out;
          },
        }
      : {}),
    async services(nss) {
      const out: ServiceRef[] = [];
      for (const r of namespaces === null ? [await api.listServices(null)] : await Promise.all(nss.map((ns) => api.listServices(ns)))) {
        // Services only say who serves whom: without them every class counts as a server (never fewer connections).
        if (!r.ok) return undefined;
        for (const svc of r.value) {
          const selector = svc.spec?.selector;
          if (!selector || !Object.keys(selector).length) continue;
          out.push({ namespace: svc.metadata!.namespace!, name: svc.metadata!.name!, port: svc.spec?.ports?.[0]?.port ?? null, selector });
        }
      }
      return out;
    },
    async rootConfigMaps(namespaces) {
      const out: Array<{ namespace: string; pem: string }> = [];
      for (const ns of namespaces) {
        const r = await api.getConfigMap(ns, 'istio-ca-root-cert');
        const pem = r.ok ? r.value.data?.['root-cert.pem'] : undefined;
        if (pem) out.push({ namespace: ns, pem });
      }
      return out;
    },
    ...(request.readCaSecrets
      ? {
          async caSecrets() {
            const out: Array<{ namespace: string; name: string; certs: Array<{ key: string; pem: string }> }> = [];
            for (const s of CA_SECRETS) {
              const r = await api.getSecretKeys('istio-system', s.name, s.keys);
              if (r.ok) out.push({ namespace: 'istio-system', name: s.name, certs: Object.entries(r.value).map(([key, pem]) => ({ key, pem })) });
            }
            return out;
          },
        }
      : {}),
  };
}
