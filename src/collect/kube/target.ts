/**
 * Cluster targets as kubectl reads them: `pod/NAME` (also `po/`, `pods/`), `deploy/NAME` (also `deployment/`,
 * `deployments/`: one ready pod of it), a bare `NAME` (a pod), or `-l SELECTOR` (one ready pod it selects); and
 * the `--peer SVC.NS:PORT` / `SVC:PORT` service peer. Pure: bad input is a usage error (exit 2) naming the valid
 * forms. Names are checked against Kubernetes' rules (DNS-1123) before anything is sent.
 */
import { usageError } from '../../errors.js';

export type ClusterTarget = { kind: 'pod'; name: string } | { kind: 'deployment'; name: string } | { kind: 'selector'; selector: string };

const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** A DNS-1123 subdomain (pod names): lowercase letters, digits, '-' and '.', at most 253 characters. */
export function checkSubdomain(name: string, what: string): string {
  if (name.length === 0 || name.length > 253 || !SUBDOMAIN.test(name)) {
    throw usageError(`Cannot use ${what} "${name}": not a valid Kubernetes name (DNS-1123: lowercase letters, digits, '-' and '.', starting and ending with a letter or digit, at most 253 characters)`);
  }
  return name;
}

/** A DNS-1123 label (namespaces, services, deployments): at most 63 characters, no '.'. */
export function checkLabel(name: string, what: string): string {
  if (name.length === 0 || name.length > 63 || !LABEL.test(name)) {
    throw usageError(`Cannot use ${what} "${name}": not a valid Kubernetes name (DNS-1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters)`);
  }
  return name;
}

const POD = new Set(['pod', 'pods', 'po']);
const SVC = new Set(['svc', 'service', 'services']);

/** `svc/NAME` (also `service/`, `services/`): the Service's name, else null (not a service target). */
export function parseServiceTarget(target: string | undefined): string | null {
  const slash = target?.indexOf('/') ?? -1;
  if (!target || slash === -1 || !SVC.has(target.slice(0, slash).toLowerCase())) return null;
  return checkLabel(target.slice(slash + 1), 'service name');
}
const DEPLOY = new Set(['deploy', 'deployment', 'deployments', 'deployment.apps', 'deployments.apps']);

/** Parses TARGET / -l into a cluster target. */
export function parseClusterTarget(target: string | undefined, selector: string | undefined): ClusterTarget {
  if (selector !== undefined) {
    if (target !== undefined) throw usageError(`Cannot combine a target ("${target}") with -l/--selector: give one of them`);
    const s = selector.trim();
    if (!s || !/^[A-Za-z0-9._/-]+\s*(=|==|!=)\s*[A-Za-z0-9._-]*(\s*,\s*[A-Za-z0-9._/-]+\s*(=|==|!=)\s*[A-Za-z0-9._-]*)*$/.test(s)) {
      throw usageError(`Cannot use -l "${selector}": expected a label selector such as app=reviews or app=reviews,version=v2`);
    }
    return { kind: 'selector', selector: s.replace(/\s+/g, '') };
  }
  if (target === undefined || target === '') throw usageError('Cannot diagnose a cluster workload without a target: give pod/NAME, deploy/NAME, NAME or -l SELECTOR');
  const slash = target.indexOf('/');
  if (slash === -1) return { kind: 'pod', name: checkSubdomain(target, 'pod name') };
  const kind = target.slice(0, slash).toLowerCase();
  const name = target.slice(slash + 1);
  if (POD.has(kind)) return { kind: 'pod', name: checkSubdomain(name, 'pod name') };
  if (DEPLOY.has(kind)) return { kind: 'deployment', name: checkSubdomain(name, 'deployment name') };
  throw usageError(`Cannot diagnose "${target}": expected pod/NAME, deploy/NAME, svc/NAME, a bare pod NAME or -l SELECTOR`);
}

export interface ServicePeer {
  service: string;
  namespace: string;
  port: number;
}

/**
 * `--peer SVC.NS:PORT`, `SVC:PORT` (the target's namespace) or `SVC.NS.svc[.cluster.local]:PORT`. Returns null for
 * something that is not a service name (an IP or an outside host name), which stays a plain network peer.
 */
export function parseServicePeer(peer: string, defaultNamespace: string): ServicePeer | null {
  const m = /^([a-z0-9-]+)(?:\.([a-z0-9-]+))?(?:\.svc(?:\.[a-z0-9.-]+)?)?:(\d{1,5})$/.exec(peer);
  if (!m) return null;
  const [, service, ns, port] = m;
  const n = Number(port);
  if (n < 1 || n > 65535) throw usageError(`Cannot use --peer "${peer}": port ${port} is not 1-65535`);
  checkLabel(service!, 'service name');
  return { service: service!, namespace: ns ? checkLabel(ns, 'namespace') : defaultNamespace, port: n };
}
