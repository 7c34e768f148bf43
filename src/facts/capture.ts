/**
 * The sidecar's traffic capture (istio-iptables, from the pod's `traffic.sidecar.istio.io/*` annotations): which
 * calls a caller's app makes around its own sidecar, and which inbound ports bypass a server's. Used where the
 * cluster records are put together (the what-if), so that the policy facts only read the result
 * (`PeerServiceRecord.excludedOutbound`).
 */
import type { PodRecord } from '../evidence/cluster.js';

/** An IPv4 address inside a CIDR (`*` holds every address); IPv6 ranges are not matched (false). */
export function inCidr(ip: string, cidr: string): boolean {
  if (cidr === '*') return true;
  const [net, bits] = cidr.split('/');
  const v4 = (a: string) => {
    const p = a.split('.').map(Number);
    return p.length === 4 && p.every((x) => Number.isInteger(x) && x >= 0 && x <= 255) ? ((p[0]! << 24) | (p[1]! << 16) | (p[2]! << 8) | p[3]!) >>> 0 : null;
  };
  const a = v4(ip);
  const n = v4(net ?? '');
  const b = Number(bits);
  if (a === null || n === null || !Number.isInteger(b) || b < 0 || b > 32) return false;
  const mask = b === 0 ? 0 : (~0 << (32 - b)) >>> 0;
  return (a & mask) === (n & mask);
}

/**
 * Why a caller's app reaches a service port around its own sidecar (istio-iptables leaves it uncaptured): the
 * annotation that excludes it, or null when the sidecar carries it. `clusterIP`: the Service's; `podIps`: its
 * endpoints' (a headless Service is dialled at the pod IPs).
 */
export function outboundExcluded(client: PodRecord | null, servicePort: number, clusterIP: string | null | undefined, podIps: ReadonlyArray<string | null> = []): string | null {
  const c = client?.capture;
  if (!c) return null;
  if (c.excludeOutboundPorts.includes(servicePort)) return `traffic.sidecar.istio.io/excludeOutboundPorts: ${c.excludeOutboundPorts.join(',')}`;
  const ips = clusterIP && clusterIP !== 'None' ? [clusterIP] : podIps.filter((x): x is string => !!x);
  const range = c.excludeOutboundIPRanges.find((r) => ips.some((ip) => inCidr(ip, r)));
  return range ? `traffic.sidecar.istio.io/excludeOutboundIPRanges: ${c.excludeOutboundIPRanges.join(',')}` : null;
}

/** Why a server's inbound port bypasses its sidecar (not captured), or null when the sidecar receives it. */
export function inboundBypass(server: PodRecord, containerPort: number | null): string | null {
  const c = server.capture;
  if (!c || containerPort === null) return null;
  if (c.excludeInboundPorts.includes(containerPort)) return `traffic.sidecar.istio.io/excludeInboundPorts: ${c.excludeInboundPorts.join(',')}`;
  if (c.includeInboundPorts !== '*' && !c.includeInboundPorts.includes(containerPort)) return `traffic.sidecar.istio.io/includeInboundPorts: ${c.includeInboundPorts.join(',') || '""'}`;
  return null;
}

