/**
 * A fake Kubernetes API server for cluster-mode tests, driven by the real @kubernetes/client-node: HTTPS on
 * 127.0.0.1 (ephemeral port) with a CA generated at run time, bearer-token authentication (a wrong token is 401),
 * RBAC denials (403 with the API server's Status message) per verb and resource, and the REST paths the cluster
 * collector uses — pods (get, list by label selector), deployments, services, configmaps, secrets,
 * PeerAuthentication / DestinationRule lists in `v1` with a `v1beta1`-only mode (v1 answers 404), pods/log and
 * the strategic-merge PATCH of pods/ephemeralcontainers.
 *
 * Streams speak the WebSocket subprotocols client-node speaks: port-forward (`v4.channel.k8s.io`, one port per
 * connection; channel 0 data and 1 errors, each opened with the two-byte little-endian port number) and exec
 * (channel 1 stdout, 2 stderr, 3 the closing Status). Behind a pod's ports stand the fake Envoy admin and
 * pilot-agent (test/support/fake-envoy-admin.ts): port-forward pipes bytes to them, and exec of
 * `pilot-agent request GET <path> [--debug-port N]` in istio-proxy fetches the path from them, as the real
 * command does over loopback.
 */
import { createServer } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { connect as netConnect, type AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request as httpRequest } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { issue } from '../../src/x509/issue.js';

export interface FakePod {
  name: string;
  namespace: string;
  labels?: Record<string, string>;
  serviceAccount?: string;
  /** Has an istio-proxy container (default true). */
  sidecar?: boolean;
  /** App container ports (the workload's container ports). */
  appPorts?: Array<{ port: number; name?: string }>;
  ready?: boolean;
  ip?: string;
  creationTimestamp?: string;
  /** What listens behind each pod port, e.g. {15000: fakeAdmin.url, 15020: fakeAgent.url}. */
  backends?: Record<number, string>;
  /** Envoy's admin listens on a Unix socket only: port-forward to 15000 finds nothing, `pilot-agent request` works. */
  adminOnUds?: boolean;
  /**
   * Streams that hang (a kubelet or node that stopped answering): `portForward` — the stream opens and announces
   * its port, then nothing passes either way; `exec` — the stream opens and the command never ends (no output,
   * no Status).
   */
  hang?: { portForward?: boolean; exec?: boolean };
  /** More annotations (`traffic.sidecar.istio.io/excludeOutboundPorts`, …). */
  annotations?: Record<string, string>;
  /** The app container's probes, as in a PodSpec (`{readinessProbe: {httpGet: {path, port}}}`). */
  probes?: Record<string, unknown>;
}

export interface FakeEphemeral {
  /** How the API server treats the PATCH: `ok`, `disabled` (404, the feature is off), `forbidden` (403). */
  mode?: 'ok' | 'disabled' | 'forbidden';
  /** Runs "inside" the ephemeral container: gets its command and args, returns its log (stdout). */
  run?: (command: string[], pod: FakePod) => Promise<string>;
  /** Never terminates (to test the bound). */
  hang?: boolean;
}

export interface FakeClusterSpec {
  pods: FakePod[];
  deployments?: Array<{ name: string; namespace: string; matchLabels: Record<string, string> }>;
  services?: Array<{ name: string; namespace: string; selector: Record<string, string>; ports: Array<{ port: number; targetPort?: number | string; name?: string }>; clusterIP?: string }>;
  configMaps?: Array<{ namespace: string; name: string; data: Record<string, string> }>;
  /** Secret data in plain text (the fake base64-encodes it as the API server does). */
  secrets?: Array<{ namespace: string; name: string; data: Record<string, string>; type?: string }>;
  /** Raw objects (metadata + spec), as kubectl get -o json shows them. */
  peerAuthentications?: Array<Record<string, unknown>>;
  destinationRules?: Array<Record<string, unknown>>;
  /** Serve Istio CRDs only as v1beta1 (older Istio): v1 paths answer 404. */
  istioApiVersion?: 'v1' | 'v1beta1';
  /** RBAC: requests answered 403. resource as RBAC names it (`pods/portforward`, `secrets`). */
  deny?: Array<{ verb: string; resource: string; namespace?: string }>;
  /**
   * RBAC rules (as in a ClusterRole/Role): when given, only what they grant is allowed and everything else is 403.
   * `namespace` limits a rule to one namespace (a Role).
   */
  allow?: Array<{ apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[]; namespace?: string }>;
  ephemeral?: FakeEphemeral;
  /** Delay every REST answer by this many ms (timeouts). */
  slowMs?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** RBAC verb and resource the request was checked as. */
  verb: string;
  resource: string;
  body?: string;
}

export interface FakeKubeApi {
  url: string;
  caPem: string;
  /** A kubeconfig with contexts `fake` (default; valid token), `expired` (the API server answers 401) and `unreachable`. */
  kubeconfig: string;
  token: string;
  requests: RecordedRequest[];
  /** Ephemeral containers added, by pod. */
  ephemeral: Array<{ pod: string; namespace: string; container: Record<string, unknown>; contentType: string }>;
  close(): Promise<void>;
}

const TOKEN = 'fake-token-for-tests';

function status(res: ServerResponse, code: number, reason: string, message: string, details?: Record<string, unknown>) {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code }));
}

function json(res: ServerResponse, body: unknown) {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function podObject(p: FakePod, ephemeral: Array<Record<string, unknown>>, ephStatus: Array<Record<string, unknown>>) {
  const sidecar = p.sidecar !== false;
  const containers: Array<Record<string, unknown>> = [{ name: 'app', image: 'app:1', ports: (p.appPorts ?? []).map((x) => ({ containerPort: x.port, ...(x.name ? { name: x.name } : {}), protocol: 'TCP' })), ...(p.probes ?? {}) }];
  if (sidecar) containers.push({ name: 'istio-proxy', image: 'docker.io/istio/proxyv2:1.24.0', ports: [{ containerPort: 15090, name: 'http-envoy-prom', protocol: 'TCP' }], env: [{ name: 'TRUST_DOMAIN', value: 'cluster.local' }] });
  const labels = { ...(p.labels ?? {}), ...(sidecar ? { 'security.istio.io/tlsMode': 'istio', 'service.istio.io/canonical-name': p.labels?.app ?? p.name } : {}) };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: p.name, namespace: p.namespace, labels, uid: `uid-${p.name}`, creationTimestamp: p.creationTimestamp ?? '2026-11-28T10:00:00Z', annotations: { ...(sidecar ? { 'sidecar.istio.io/status': '{"containers":["istio-proxy"]}' } : {}), ...(p.annotations ?? {}) } },
    spec: { serviceAccountName: p.serviceAccount ?? 'default', containers, ...(sidecar ? { initContainers: [{ name: 'istio-init', image: 'docker.io/istio/proxyv2:1.24.0' }] } : {}), ...(ephemeral.length ? { ephemeralContainers: ephemeral } : {}) },
    status: {
      phase: 'Running',
      podIP: p.ip ?? '10.0.0.1',
      conditions: [{ type: 'Ready', status: p.ready === false ? 'False' : 'True' }],
      containerStatuses: containers.map((c) => ({ name: c.name, ready: p.ready !== false, restartCount: 0, image: c.image, imageID: '', state: { running: { startedAt: '2026-11-28T10:00:05Z' } } })),
      ...(ephStatus.length ? { ephemeralContainerStatuses: ephStatus } : {}),
    },
  };
}

function parseSelector(s: string | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (s ?? '').split(',').filter(Boolean)) {
    const [k, v] = part.split('=');
    out[k!.trim()] = (v ?? '').trim();
  }
  return out;
}

const matches = (sel: Record<string, string>, labels: Record<string, string>) => Object.entries(sel).every(([k, v]) => labels[k] === v);

/** Writes a kubeconfig for the fake into a temporary directory. */
function writeKubeconfig(url: string, caPem: string, unreachableUrl: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'fake-kube-'));
  const ca = Buffer.from(caPem).toString('base64');
  const text = `apiVersion: v1
kind: Config
current-context: fake
clusters:
- name: fake
  cluster:
    server: ${url}
    certificate-authority-data: ${ca}
- name: unreachable
  cluster:
    server: ${unreachableUrl}
    certificate-authority-data: ${ca}
users:
- name: tester
  user:
    token: ${TOKEN}
- name: expired
  user:
    token: expired-token
contexts:
- name: fake
  context: {cluster: fake, user: tester, namespace: default}
- name: expired
  context: {cluster: fake, user: expired, namespace: default}
- name: unreachable
  context: {cluster: unreachable, user: tester, namespace: default}
`;
  const path = join(dir, 'kubeconfig');
  writeFileSync(path, text, { mode: 0o600 });
  return path;
}

/** A local TCP port with nothing listening. */
async function closedPort(): Promise<number> {
  const { createServer: createTcp } = await import('node:net');
  const s = createTcp();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function httpGet(base: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(new URL(path.replace(/^\//, ''), base.endsWith('/') ? base : base + '/'), { method: 'GET', timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

/** Starts the fake API server. */
export async function startFakeKubeApi(spec: FakeClusterSpec): Promise<FakeKubeApi> {
  const ca = await issue({ subject: 'CN=fake-kube-ca', notBefore: new Date(Date.now() - 86_400_000), notAfter: new Date(Date.now() + 86_400_000), ca: true });
  const serving = await issue({ subject: 'CN=kube-apiserver', notBefore: new Date(Date.now() - 86_400_000), notAfter: new Date(Date.now() + 86_400_000), issuer: ca, ips: ['127.0.0.1'], dns: ['localhost'], eku: ['serverAuth'] });
  const requests: RecordedRequest[] = [];
  const ephemeralAdded: FakeKubeApi['ephemeral'] = [];
  const ephemeralByPod = new Map<string, Array<Record<string, unknown>>>();
  const ephemeralStatus = new Map<string, Array<Record<string, unknown>>>();
  const logs = new Map<string, string>();
  const istioVersion = spec.istioApiVersion ?? 'v1';
  const podKey = (ns: string, name: string) => `${ns}/${name}`;
  const findPod = (ns: string, name: string) => spec.pods.find((p) => p.namespace === ns && p.name === name);

  const granted = (verb: string, resource: string, ns: string | null, name: string | null) =>
    !spec.allow ||
    spec.allow.some((r) => {
      const [res, ...group] = resource.split('/')[0]!.split('.');
      const full = resource.includes('/') ? `${res}/${resource.split('/')[1]}` : res!;
      return r.verbs.includes(verb) && r.apiGroups.includes(group.join('.')) && r.resources.includes(full) && (!r.namespace || r.namespace === ns) && (!r.resourceNames || (name !== null && r.resourceNames.includes(name)));
    });
  const denied = (verb: string, resource: string, ns: string | null, name: string | null = null) => !granted(verb, resource, ns, name) || spec.deny?.some((d) => d.verb === verb && d.resource === resource && (!d.namespace || d.namespace === ns));
  const forbid = (res: ServerResponse, verb: string, resource: string, ns: string | null, name: string | null) => {
    const [group, sub] = resource.includes('.') ? [resource.split('/')[0]!.split('.').slice(1).join('.'), ''] : ['', ''];
    void sub;
    status(res, 403, 'Forbidden', `${resource}${name ? ` "${name}"` : ''} is forbidden: User "system:serviceaccount:default:mtls-doctor" cannot ${verb} resource "${resource}" in API group "${group}"${ns ? ` in the namespace "${ns}"` : ''}`, { name, kind: resource.split('/')[0] });
  };

  /** Authenticates, records, and checks RBAC. Returns false when it already answered. */
  const admit = (req: IncomingMessage, res: ServerResponse | null, verb: string, resource: string, ns: string | null, name: string | null, body?: string): boolean => {
    requests.push({ method: req.method ?? 'GET', path: req.url ?? '/', headers: { ...req.headers }, verb, resource, ...(body !== undefined ? { body } : {}) });
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      if (res) status(res, 401, 'Unauthorized', 'Unauthorized');
      return false;
    }
    if (denied(verb, resource, ns, name)) {
      if (res) forbid(res, verb, resource, ns, name);
      return false;
    }
    return true;
  };

  const istioList = (items: Array<Record<string, unknown>> | undefined, ns: string, kind: string, group: string, version: string) => ({
    apiVersion: `${group}/${version}`,
    kind: `${kind}List`,
    metadata: {},
    items: (items ?? []).filter((o) => (o.metadata as { namespace?: string }).namespace === ns).map((o) => ({ apiVersion: `${group}/${version}`, kind, ...o })),
  });

  const handle = async (req: IncomingMessage, res: ServerResponse, body: string) => {
    if (spec.slowMs) await new Promise((r) => setTimeout(r, spec.slowMs));
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const p = url.pathname;
    let m: RegExpExecArray | null;
    if ((m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)$/.exec(p)) && req.method === 'GET') {
      const [, ns, name] = m;
      if (!admit(req, res, 'get', 'pods', ns!, name!)) return;
      const pod = findPod(ns!, name!);
      if (!pod) return status(res, 404, 'NotFound', `pods "${name}" not found`, { name, kind: 'pods' });
      return json(res, podObject(pod, ephemeralByPod.get(podKey(ns!, name!)) ?? [], ephemeralStatus.get(podKey(ns!, name!)) ?? []));
    }
    if (p === '/api/v1/pods' && req.method === 'GET') {
      // Every namespace (kubectl get pods -A): RBAC checks a cluster-wide list.
      if (!admit(req, res, 'list', 'pods', null, null)) return;
      const sel = parseSelector(url.searchParams.get('labelSelector'));
      const items = spec.pods.filter((x) => matches(sel, podObject(x, [], []).metadata.labels)).map((x) => podObject(x, [], []));
      return json(res, { apiVersion: 'v1', kind: 'PodList', metadata: {}, items });
    }
    if ((m = /^\/api\/v1\/namespaces\/([^/]+)\/pods$/.exec(p)) && req.method === 'GET') {
      const [, ns] = m;
      if (!admit(req, res, 'list', 'pods', ns!, null)) return;
      const sel = parseSelector(url.searchParams.get('labelSelector'));
      const items = spec.pods.filter((x) => x.namespace === ns).filter((x) => matches(sel, podObject(x, [], []).metadata.labels)).map((x) => podObject(x, [], []));
      return json(res, { apiVersion: 'v1', kind: 'PodList', metadata: {}, items });
    }
    if ((m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/log$/.exec(p))) {
      const [, ns, name] = m;
      if (!admit(req, res, 'get', 'pods/log', ns!, name!)) return;
      const container = url.searchParams.get('container') ?? '';
      const log = logs.get(`${podKey(ns!, name!)}/${container}`);
      if (log === undefined) return status(res, 400, 'BadRequest', `container "${container}" in pod "${name}" is waiting to start: ContainerCreating`);
      res.writeHead(200, { 'content-type': 'text/plain' });
      return void res.end(log);
    }
    if ((m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/ephemeralcontainers$/.exec(p)) && req.method === 'PATCH') {
      const [, ns, name] = m;
      const mode = spec.ephemeral?.mode ?? 'ok';
      if (mode === 'disabled') {
        requests.push({ method: 'PATCH', path: req.url ?? '', headers: { ...req.headers }, verb: 'patch', resource: 'pods/ephemeralcontainers', body });
        return status(res, 404, 'NotFound', 'the server could not find the requested resource');
      }
      if (mode === 'forbidden') spec.deny = [...(spec.deny ?? []), { verb: 'patch', resource: 'pods/ephemeralcontainers' }];
      if (!admit(req, res, 'patch', 'pods/ephemeralcontainers', ns!, name!, body)) return;
      const pod = findPod(ns!, name!);
      if (!pod) return status(res, 404, 'NotFound', `pods "${name}" not found`);
      const ct = String(req.headers['content-type'] ?? '');
      if (ct !== 'application/strategic-merge-patch+json') {
        // A JSON patch must be an array of operations; client-node 1.x sends this unless told otherwise.
        return status(res, ct === 'application/json-patch+json' ? 400 : 415, ct === 'application/json-patch+json' ? 'BadRequest' : 'UnsupportedMediaType', ct === 'application/json-patch+json' ? 'json: cannot unmarshal object into Go value of type jsonpatch.Patch' : `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`);
      }
      let patch: { spec?: { ephemeralContainers?: Array<Record<string, unknown>> } };
      try {
        patch = JSON.parse(body);
      } catch {
        return status(res, 400, 'BadRequest', 'invalid JSON');
      }
      const key = podKey(ns!, name!);
      const existing = ephemeralByPod.get(key) ?? [];
      const added = (patch.spec?.ephemeralContainers ?? []).filter((c) => !existing.some((e) => e.name === c.name));
      ephemeralByPod.set(key, [...existing, ...added]);
      for (const c of added) {
        ephemeralAdded.push({ pod: name!, namespace: ns!, container: c, contentType: ct });
        const st: Record<string, unknown> = { name: c.name, ready: false, restartCount: 0, image: c.image, imageID: '', state: { running: { startedAt: '2026-11-29T03:00:01Z' } } };
        ephemeralStatus.set(key, [...(ephemeralStatus.get(key) ?? []), st]);
        if (!spec.ephemeral?.hang) {
          const command = [...((c.command as string[]) ?? []), ...((c.args as string[]) ?? [])];
          void (spec.ephemeral?.run ?? (async () => ''))(command, pod).then(
            (out) => {
              logs.set(`${key}/${c.name}`, out);
              st.state = { terminated: { exitCode: 0, reason: 'Completed', finishedAt: '2026-11-29T03:00:05Z' } };
            },
            (e) => {
              logs.set(`${key}/${c.name}`, String(e));
              st.state = { terminated: { exitCode: 1, reason: 'Error' } };
            },
          );
        }
      }
      return json(res, podObject(pod, ephemeralByPod.get(key)!, ephemeralStatus.get(key)!));
    }
    if ((m = /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/deployments\/([^/]+)$/.exec(p))) {
      const [, ns, name] = m;
      if (!admit(req, res, 'get', 'deployments.apps', ns!, name!)) return;
      const d = spec.deployments?.find((x) => x.namespace === ns && x.name === name);
      if (!d) return status(res, 404, 'NotFound', `deployments.apps "${name}" not found`);
      return json(res, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: ns }, spec: { selector: { matchLabels: d.matchLabels }, template: { metadata: { labels: d.matchLabels }, spec: { containers: [] } } } });
    }
    const serviceObject = (s: NonNullable<FakeClusterSpec['services']>[number]) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: s.name, namespace: s.namespace }, spec: { selector: s.selector, ...(s.clusterIP ? { clusterIP: s.clusterIP } : {}), ports: s.ports.map((x) => ({ port: x.port, targetPort: x.targetPort ?? x.port, protocol: 'TCP', ...(x.name ? { name: x.name } : {}) })) } });
    if ((p === '/api/v1/services' || (m = /^\/api\/v1\/namespaces\/([^/]+)\/services$/.exec(p))) && req.method === 'GET') {
      const ns = p === '/api/v1/services' ? null : m![1]!;
      if (!admit(req, res, 'list', 'services', ns, null)) return;
      return json(res, { apiVersion: 'v1', kind: 'ServiceList', metadata: {}, items: (spec.services ?? []).filter((x) => ns === null || x.namespace === ns).map(serviceObject) });
    }
    if ((m = /^\/api\/v1\/namespaces\/([^/]+)\/services\/([^/]+)$/.exec(p))) {
      const [, ns, name] = m;
      if (!admit(req, res, 'get', 'services', ns!, name!)) return;
      const s = spec.services?.find((x) => x.namespace === ns && x.name === name);
      if (!s) return status(res, 404, 'NotFound', `services "${name}" not found`);
      return json(res, { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns }, spec: { selector: s.selector, ports: s.ports.map((x) => ({ port: x.port, targetPort: x.targetPort ?? x.port, protocol: 'TCP', ...(x.name ? { name: x.name } : {}) })) } });
    }
    if ((m = /^\/api\/v1\/namespaces\/([^/]+)\/configmaps\/([^/]+)$/.exec(p))) {
      const [, ns, name] = m;
      if (!admit(req, res, 'get', 'configmaps', ns!, name!)) return;
      const c = spec.configMaps?.find((x) => x.namespace === ns && x.name === name);
      if (!c) return status(res, 404, 'NotFound', `configmaps "${name}" not found`);
      return json(res, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns }, data: c.data });
    }
    if ((m = /^\/api\/v1\/namespaces\/([^/]+)\/secrets\/([^/]+)$/.exec(p))) {
      const [, ns, name] = m;
      if (!admit(req, res, 'get', 'secrets', ns!, name!)) return;
      const s = spec.secrets?.find((x) => x.namespace === ns && x.name === name);
      if (!s) return status(res, 404, 'NotFound', `secrets "${name}" not found`);
      return json(res, { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: ns }, type: s.type ?? 'Opaque', data: Object.fromEntries(Object.entries(s.data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])) });
    }
    if ((m = /^\/apis\/(security\.istio\.io|networking\.istio\.io)\/(v1|v1beta1)\/namespaces\/([^/]+)\/(peerauthentications|destinationrules)$/.exec(p))) {
      const [, group, version, ns, plural] = m;
      if (!admit(req, res, 'list', `${plural}.${group}`, ns!, null)) return;
      if (istioVersion === 'v1beta1' && version === 'v1') return status(res, 404, 'NotFound', 'the server could not find the requested resource');
      const kind = plural === 'peerauthentications' ? 'PeerAuthentication' : 'DestinationRule';
      return json(res, istioList(plural === 'peerauthentications' ? spec.peerAuthentications : spec.destinationRules, ns!, kind, group!, version!));
    }
    requests.push({ method: req.method ?? 'GET', path: req.url ?? '', headers: { ...req.headers }, verb: '?', resource: '?' });
    status(res, 404, 'NotFound', 'the server could not find the requested resource');
  };

  const server = createServer({ key: await serving.keyPem(), cert: serving.pem, ca: ca.pem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => void handle(req, res, Buffer.concat(chunks).toString('utf8')).catch((e) => status(res, 500, 'InternalError', String(e))));
  });

  const wss = new WebSocketServer({ noServer: true, handleProtocols: (protocols) => (protocols.has('v4.channel.k8s.io') ? 'v4.channel.k8s.io' : false) });
  server.on('upgrade', (req: IncomingMessage, socket, head) => {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/(portforward|exec)$/.exec(url.pathname);
    const reject = (code: number, msg: string) => {
      socket.write(`HTTP/1.1 ${code} ${code === 403 ? 'Forbidden' : code === 401 ? 'Unauthorized' : 'Not Found'}\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n${JSON.stringify({ kind: 'Status', status: 'Failure', message: msg, code })}`);
      socket.destroy();
    };
    if (!m) return reject(404, 'not found');
    const [, ns, name, kind] = m;
    const resource = `pods/${kind}`;
    // client-node upgrades with GET; Kubernetes 1.35 also checks `create` on the subresource.
    const ok = admit(req, null, 'create', resource, ns!, name!) && !denied('get', resource, ns!, name!);
    if (!ok) {
      if (req.headers.authorization !== `Bearer ${TOKEN}`) return reject(401, 'Unauthorized');
      return reject(403, `pods "${name}" is forbidden: User "system:serviceaccount:default:mtls-doctor" cannot create resource "${resource}" in API group "" in the namespace "${ns}"`);
    }
    const pod = findPod(ns!, name!);
    if (!pod) return reject(404, `pods "${name}" not found`);
    wss.handleUpgrade(req, socket, head, (ws) => (kind === 'portforward' ? portForward(ws, pod, url) : exec(ws, pod, url)));
  });

  function portForward(ws: WebSocket, pod: FakePod, url: URL) {
    const port = Number(url.searchParams.get('ports'));
    const portBytes = Buffer.from([port & 0xff, (port >> 8) & 0xff]);
    ws.send(Buffer.concat([Buffer.from([0]), portBytes]));
    ws.send(Buffer.concat([Buffer.from([1]), portBytes]));
    if (pod.hang?.portForward) return;
    const backend = pod.adminOnUds && port === 15000 ? undefined : pod.backends?.[port];
    const fail = (msg: string) => {
      ws.send(Buffer.concat([Buffer.from([1]), Buffer.from(msg)]));
      ws.close();
    };
    if (!backend) return fail(`error forwarding port ${port} to pod ${pod.name}: failed to connect to localhost:${port} inside namespace: connection refused`);
    const u = new URL(backend);
    const tcp = netConnect(Number(u.port), u.hostname);
    const pending: Buffer[] = [];
    let open = false;
    tcp.on('connect', () => {
      open = true;
      for (const b of pending) tcp.write(b);
    });
    tcp.on('data', (d: Buffer) => ws.readyState === ws.OPEN && ws.send(Buffer.concat([Buffer.from([0]), d])));
    tcp.on('error', (e) => fail(`error forwarding port ${port} to pod ${pod.name}: ${e.message}`));
    tcp.on('close', () => ws.readyState === ws.OPEN && ws.close());
    ws.on('message', (data: Buffer) => {
      const b = Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer);
      if (b[0] !== 0) return;
      const payload = b.subarray(1);
      if (open) tcp.write(payload);
      else pending.push(payload);
    });
    ws.on('close', () => tcp.destroy());
  }

  function exec(ws: WebSocket, pod: FakePod, url: URL) {
    const command = url.searchParams.getAll('command');
    const container = url.searchParams.get('container');
    if (pod.hang?.exec) return;
    const send = (ch: number, s: string) => ws.send(Buffer.concat([Buffer.from([ch]), Buffer.from(s)]));
    const finish = (code: number, msg?: string) => {
      send(3, JSON.stringify(code === 0 ? { metadata: {}, status: 'Success' } : { metadata: {}, status: 'Failure', message: msg ?? `command terminated with non-zero exit code: exit status ${code}`, reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: String(code) }] } }));
      ws.close();
    };
    if (container !== 'istio-proxy' || pod.sidecar === false) {
      send(2, `container ${container} not found in pod ${pod.name}`);
      return finish(1);
    }
    if (command[0] !== 'pilot-agent' || command[1] !== 'request' || command[2] !== 'GET' || !command[3]) {
      send(2, `exec: "${command[0]}": executable file not found in $PATH`);
      return finish(126);
    }
    const portFlag = command.indexOf('--debug-port');
    const port = portFlag >= 0 ? Number(command[portFlag + 1]) : 15000;
    const backend = pod.backends?.[port];
    if (!backend) {
      send(2, `Error: failed to make request: Get "http://localhost:${port}/${command[3]}": dial tcp 127.0.0.1:${port}: connect: connection refused`);
      return finish(1);
    }
    httpGet(backend, command[3]!).then(
      (r) => {
        send(1, r.body);
        if (r.status >= 200 && r.status < 300) finish(0);
        else {
          send(2, `Error: received unsuccessful status code ${r.status}`);
          finish(1);
        }
      },
      (e: Error) => {
        send(2, `Error: ${e.message}`);
        finish(1);
      },
    );
  }

  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const kubeconfig = writeKubeconfig(url, ca.pem, `https://127.0.0.1:${await closedPort()}`);
  return {
    url,
    caPem: ca.pem,
    kubeconfig,
    token: TOKEN,
    requests,
    ephemeral: ephemeralAdded,
    close: () =>
      new Promise<void>((r) => {
        for (const c of wss.clients) c.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A PeerAuthentication object as kubectl shows it. */
export function peerAuthentication(namespace: string, name: string, spec: Record<string, unknown>, creationTimestamp = '2026-01-01T00:00:00Z'): Record<string, unknown> {
  return { metadata: { name, namespace, creationTimestamp }, spec };
}

/** A DestinationRule object as kubectl shows it. */
export function destinationRule(namespace: string, name: string, spec: Record<string, unknown>, creationTimestamp = '2026-01-01T00:00:00Z'): Record<string, unknown> {
  return { metadata: { name, namespace, creationTimestamp }, spec };
}

/** The `istio` mesh ConfigMap (key `mesh`, YAML) in istio-system. */
export function meshConfigMap(o: { trustDomain?: string; aliases?: string[]; rootNamespace?: string; enableAutoMtls?: boolean } = {}) {
  const lines = [`trustDomain: ${o.trustDomain ?? 'cluster.local'}`, `rootNamespace: ${o.rootNamespace ?? 'istio-system'}`];
  if (o.aliases?.length) lines.push('trustDomainAliases:', ...o.aliases.map((a) => `- ${a}`));
  if (o.enableAutoMtls !== undefined) lines.push(`enableAutoMtls: ${o.enableAutoMtls}`);
  lines.push('defaultConfig:', '  discoveryAddress: istiod.istio-system.svc:15012');
  return { namespace: 'istio-system', name: 'istio', data: { mesh: lines.join('\n') + '\n', meshNetworks: 'networks: {}' } };
}
