/**
 * What is wrong with a replayed bundle's `connections` field (null: usable), for one clear input error: the
 * records of src/model/workload.ts as a bundle holds them.
 */
const isObj = (x: unknown): x is Record<string, unknown> => !!x && typeof x === 'object' && !Array.isArray(x);
const strings = (x: unknown) => Array.isArray(x) && x.every((s) => typeof s === 'string');

export function connectionEvidenceProblem(c: unknown): string | null {
  if (!isObj(c)) return '"connections" is not an object';
  if (!['pod', 'service', 'files'].includes(c.kind as string)) return 'connections.kind is not pod, service or files';
  for (const k of ['classes', 'connections', 'notRead'] as const) if (!Array.isArray(c[k])) return `connections.${k} is not a list`;
  if (!isObj(c.endpoints) || typeof c.endpoints.total !== 'number' || typeof c.endpoints.read !== 'number') return 'connections.endpoints needs total and read';
  const ids = new Set<string>();
  for (const [i, k] of (c.classes as unknown[]).entries()) {
    if (!isObj(k) || typeof k.id !== 'string' || typeof k.namespace !== 'string' || typeof k.serviceAccount !== 'string' || typeof k.source !== 'string') return `connections.classes[${i}] lacks id, namespace, serviceAccount or source`;
    if (!strings(k.chain) || !strings(k.trust)) return `connections.classes[${i}].chain and .trust must be lists of PEM text`;
    if (!['envoy', 'ztunnel', 'go', 'strict'].includes(k.verifier as string)) return `connections.classes[${i}].verifier is not envoy, ztunnel, go or strict`;
    if (!['sidecar', 'root-configmap', 'files'].includes(k.from as string)) return `connections.classes[${i}].from is not sidecar, root-configmap or files`;
    if (!Array.isArray(k.pods) || !k.pods.every((p) => isObj(p) && typeof p.name === 'string' && typeof p.namespace === 'string')) return `connections.classes[${i}].pods is malformed`;
    ids.add(k.id);
  }
  for (const [i, x] of (c.connections as unknown[]).entries()) {
    if (!isObj(x) || typeof x.client !== 'string' || typeof x.server !== 'string' || !isObj(x.service) || !strings(x.expectedServerIds)) return `connections.connections[${i}] is malformed`;
    if (!ids.has(x.client) || !ids.has(x.server)) return `connections.connections[${i}] names a class the bundle does not hold`;
  }
  for (const [i, x] of (c.notRead as unknown[]).entries()) if (!isObj(x) || typeof x.name !== 'string' || typeof x.reason !== 'string') return `connections.notRead[${i}] is malformed`;
  return null;
}
