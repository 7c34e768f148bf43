/**
 * Whether two DNS names could belong to one service: equal, a wildcard covering the other, or sharing a parent
 * domain below the public suffix (two labels, or the first label of a Kubernetes service name). Used to tell a
 * certificate issued for a neighbouring name (a SAN typo, another namespace) from one of an unrelated host.
 */
export function namesRelated(certName: string, host: string): boolean {
  const a = certName.toLowerCase().replace(/\.$/, '');
  const b = host.toLowerCase().replace(/\.$/, '');
  if (a === b) return true;
  if (a.startsWith('*.') && b.endsWith(a.slice(1))) return true;
  const la = a.replace(/^\*\./, '').split('.');
  const lb = b.split('.');
  // A Kubernetes service name (svc, svc.cluster.local): the same service or namespace relates them.
  if (la[0] === lb[0] && la[0] !== '*') return true;
  const k8s = (l: string[]) => l.includes('svc');
  if (k8s(la) && k8s(lb)) return la[1] === lb[1] && la[1] !== 'svc';
  // Otherwise a shared registrable-looking parent: the last two labels (example.com), three under a two-letter second level (co.uk).
  const parent = (l: string[]) => l.slice(l.length >= 3 && l[l.length - 2]!.length <= 3 && l[l.length - 1]!.length === 2 ? -3 : -2).join('.');
  return la.length >= 2 && lb.length >= 2 && parent(la) === parent(lb) && !['cluster.local', 'compute.internal'].includes(parent(la));
}
