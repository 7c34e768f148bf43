/**
 * The fleet scan's pod source in cluster mode: lists the pods (one namespace, or all with -A; a label
 * selector), and reads each sidecar's Envoy admin secrets dump over ONE port-forward stream to :15000 (the dump
 * holds both the served chain and the trusted roots). Falls back to exec `pilot-agent request GET` in the
 * istio-proxy container when port-forward is refused, as `diagnose pod/NAME` does. The root ConfigMaps are read
 * per namespace and, with --read-ca-secrets, the CA Secrets' certificate keys only.
 *
 * Part of the cluster chunk: loaded only when a scan reads a cluster.
 */
import { request as httpRequest } from 'node:http';
import { Duplex } from 'node:stream';
import type { V1Pod } from '@kubernetes/client-node';
import { MtlsDoctorError } from '../../errors.js';
import type { FleetSource, PodRef } from '../../fleet/scan.js';
import type { FleetTarget } from '../../fleet/types.js';
import { connectKube, type Impersonation, type KubeApi } from './client.js';
import { checkSubdomain, parseClusterTarget } from './target.js';

const ADMIN_PORT = 15000;
const SECRETS_PATH = '/config_dump?resource=dynamic_active_secrets';
const MAX_DUMP_BYTES = 32 * 1024 * 1024;
const CA_SECRETS: Array<{ name: string; keys: string[] }> = [
  { name: 'cacerts', keys: ['ca-cert.pem', 'cert-chain.pem', 'root-cert.pem', 'tls.crt', 'ca.crt'] },
  { name: 'istio-ca-secret', keys: ['ca-cert.pem'] },
];

/** Two cross-wired in-memory duplexes: what one side writes, the other reads (Node 20 has no stream.duplexPair). */
function duplexPair(): [Duplex, Duplex] {
  let a: Duplex;
  let b: Duplex;
  const make = (peer: () => Duplex) =>
    new Duplex({
      read() {},
      write(chunk, _enc, cb) {
        peer().push(chunk);
        cb();
      },
      final(cb) {
        peer().push(null);
        cb();
      },
      destroy(err, cb) {
        const p = peer();
        if (!p.destroyed) p.destroy(err ?? undefined);
        cb(err);
      },
    });
  a = make(() => b);
  b = make(() => a);
  return [a, b];
}

/** GET over one port-forward stream, bounded in size and time. */
async function getOverPortForward(api: KubeApi, ns: string, pod: string, signal: AbortSignal): Promise<string> {
  const [local, remote] = duplexPair();
  // Errors reach the request below; a stream torn down by the timeout's abort must not surface as unhandled.
  local.on('error', () => {});
  remote.on('error', () => {});
  const pf = await api.portForward(ns, pod, ADMIN_PORT, remote, remote);
  if (!pf.ok) {
    local.destroy();
    throw Object.assign(new Error(pf.reason), { kind: pf.kind });
  }
  try {
    return await new Promise<string>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port: ADMIN_PORT, path: SECRETS_PATH, method: 'GET', createConnection: () => local as never, signal, headers: { connection: 'close' } }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_DUMP_BYTES) {
            req.destroy(new Error(`the Envoy admin answer is over ${MAX_DUMP_BYTES / 1024 / 1024} MiB`));
            return;
          }
          chunks.push(c);
        });
        res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks).toString('utf8')) : reject(new Error(`the Envoy admin answered HTTP ${res.statusCode} to ${SECRETS_PATH}`))));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
  } finally {
    pf.value.close();
    local.destroy();
  }
}

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
        .map((p) => ({ namespace: p.metadata!.namespace!, name: p.metadata!.name!, workload: workloadOf(p), sidecar: hasSidecar(p) }))
        .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
    },
    async secretsDump(pod, signal) {
      try {
        return await getOverPortForward(api, pod.namespace, pod.name, signal);
      } catch (e) {
        if ((e as { kind?: string }).kind !== 'forbidden') throw e;
        // Port-forward refused: the same path through pilot-agent in the istio-proxy container.
        const ex = await api.exec(pod.namespace, pod.name, 'istio-proxy', ['pilot-agent', 'request', 'GET', SECRETS_PATH], MAX_DUMP_BYTES);
        if (!ex.ok) throw new Error(`${(e as Error).message}; exec fallback: ${ex.reason}`);
        if (ex.value.failure) throw new Error(`pilot-agent request failed: ${ex.value.failure}`);
        return ex.value.stdout;
      }
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
