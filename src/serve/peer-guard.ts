/**
 * What a `--peer` from chat or a webhook may name: an in-cluster Service (`SVC`, `SVC.NS`, `SVC.NS.svc`,
 * `SVC.NS.svc.DOMAIN`) or a pod address (`A-B-C-D.NS.pod[.DOMAIN]`) in a namespace the caller may diagnose —
 * never an IP literal, a host outside the cluster, loopback, link-local (cloud metadata at 169.254.169.254) or any
 * address outside the configured Service/Pod CIDRs. The name is resolved here (the resolver is injected), every
 * address it resolves to is checked, and the probe is then pinned to the checked address (`pinnedTransport`: its
 * DNS lookup answers only that name with that address, its connect reaches only that address and port), so a DNS
 * answer that changes between check and use (rebinding) cannot redirect it.
 */
import { lookup } from 'node:dns/promises';
import { BlockList, connect as netConnect, isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ProbeTransport } from '../probe/transport.js';
import { usageError } from '../errors.js';
import { ServeError, forbidden } from './errors.js';

export interface ResolvedAddress {
  address: string;
  family: number;
}
/** Resolves an absolute DNS name (trailing dot) to every address it has. */
export type Resolver = (fqdn: string) => Promise<ResolvedAddress[]>;

export const systemResolver: Resolver = (fqdn) => lookup(fqdn, { all: true, verbatim: true });

export interface CheckedPeer {
  /** As the caller wrote it. */
  text: string;
  /** The checked address the probe must connect to, and the port. */
  address: string;
  port: number;
  /** The in-cluster name, for SNI and the report. */
  fqdn: string;
  namespace: string;
}

/** Never a peer, whatever the configured CIDRs say. */
const ALWAYS_DENIED = (() => {
  const b = new BlockList();
  for (const [net, prefix] of [['0.0.0.0', 8], ['127.0.0.0', 8], ['169.254.0.0', 16], ['224.0.0.0', 4], ['240.0.0.0', 4], ['100.100.100.200', 32]] as const) b.addSubnet(net, prefix, 'ipv4');
  for (const [net, prefix] of [['::', 128], ['::1', 128], ['fe80::', 10], ['ff00::', 8], ['fd00:ec2::254', 128], ['64:ff9b::', 96]] as const) b.addSubnet(net, prefix, 'ipv6');
  return b;
})();

const LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DASHED_V4 = /^(\d{1,3})-(\d{1,3})-(\d{1,3})-(\d{1,3})$/;

/** `::ffff:a.b.c.d` is an IPv4 address for every purpose here. */
function normalise(address: string): { address: string; type: 'ipv4' | 'ipv6' } {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (m) return { address: m[1]!, type: 'ipv4' };
  return { address, type: isIP(address) === 6 ? 'ipv6' : 'ipv4' };
}

function splitPeer(text: string): { host: string; port: number } {
  const s = text.trim();
  const v6 = /^\[([^\]]+)\]:(\d{1,5})$/.exec(s);
  const m = v6 ?? /^([^:]+):(\d{1,5})$/.exec(s);
  if (!m) throw usageError(`Cannot use --peer "${s}": expected SERVICE.NAMESPACE:PORT, e.g. ratings.bookinfo:9080`);
  const port = Number(m[2]);
  if (port < 1 || port > 65535) throw usageError(`Cannot use --peer "${s}": port ${port} is out of range (1-65535)`);
  return { host: m[1]!.toLowerCase().replace(/\.$/, ''), port };
}

/**
 * Checks a peer against the caller's namespaces and the cluster's address ranges; throws E_FORBIDDEN naming the
 * rule that refused it, before any connection is made.
 */
export async function checkPeer(
  text: string,
  o: { namespace?: string; allowed: readonly string[]; allowedBy: string; domain: string; cidrs: BlockList; cidrsText: readonly string[]; resolve: Resolver; timeoutMs?: number },
): Promise<CheckedPeer> {
  const { host, port } = splitPeer(text);
  const rule = 'peer-guard';
  if (isIP(host)) {
    throw forbidden(`Refused --peer "${text}": an IP address cannot be attributed to a namespace; name the Service (SVC.NS:PORT) or the pod (A-B-C-D.NS.pod:PORT)`, `${rule}: in-cluster names only`);
  }
  let labels = host.split('.');
  const domain = o.domain.split('.');
  const endsWith = (suffix: string[]) => labels.length > suffix.length && suffix.every((x, i) => labels[labels.length - suffix.length + i] === x);
  if (endsWith(['svc', ...domain]) || endsWith(['pod', ...domain])) labels = labels.slice(0, labels.length - domain.length);
  let kind: 'svc' | 'pod' = 'svc';
  if (labels.length === 3 && (labels[2] === 'svc' || labels[2] === 'pod')) {
    kind = labels[2] as 'svc' | 'pod';
    labels = labels.slice(0, 2);
  }
  if (labels.length === 1 && o.namespace) labels = [labels[0]!, o.namespace];
  if (labels.length !== 2 || !labels.every((l) => LABEL.test(l))) {
    throw forbidden(
      `Refused --peer "${text}": not an in-cluster name; expected SVC:PORT (with -n NS), SVC.NS:PORT, SVC.NS.svc.${o.domain}:PORT or A-B-C-D.NS.pod.${o.domain}:PORT`,
      `${rule}: in-cluster names only`,
    );
  }
  const [name, namespace] = labels as [string, string];
  if (!o.allowed.includes(namespace)) {
    throw forbidden(`Refused --peer "${text}": namespace "${namespace}" is not allowed by ${o.allowedBy} (allowed: ${o.allowed.join(', ') || 'none'})`, o.allowedBy);
  }
  const dashed = kind === 'pod' ? DASHED_V4.exec(name) : null;
  if (kind === 'pod' && !dashed) throw forbidden(`Refused --peer "${text}": a pod address is A-B-C-D.NS.pod (its IPv4 address with dashes)`, `${rule}: in-cluster names only`);
  if (o.cidrsText.length === 0) {
    throw forbidden(`Refused --peer "${text}": peer probes are off because cluster.peerCidrs is empty (give the Service and Pod CIDRs in the config)`, 'cluster.peerCidrs');
  }
  const fqdn = `${name}.${namespace}.${kind}.${o.domain}`;
  let addresses: ResolvedAddress[];
  try {
    addresses = await withTimeout(o.resolve(`${fqdn}.`), o.timeoutMs ?? 2000);
  } catch (e) {
    throw new ServeError('E_BAD_REQUEST', `Cannot resolve --peer "${text}" as ${fqdn}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (!addresses.length) throw new ServeError('E_BAD_REQUEST', `Cannot resolve --peer "${text}" as ${fqdn}: no address`);
  for (const a of addresses) {
    const n = normalise(a.address);
    if (!isIP(n.address)) throw forbidden(`Refused --peer "${text}": ${fqdn} resolved to "${a.address}", not an address`, `${rule}: resolved address`);
    if (ALWAYS_DENIED.check(n.address, n.type)) {
      throw forbidden(`Refused --peer "${text}": ${fqdn} resolves to ${n.address} (loopback, link-local, metadata or another reserved range)`, `${rule}: reserved addresses`);
    }
    if (!o.cidrs.check(n.address, n.type)) {
      throw forbidden(`Refused --peer "${text}": ${fqdn} resolves to ${n.address}, outside cluster.peerCidrs (${o.cidrsText.join(', ')})`, 'cluster.peerCidrs');
    }
    if (dashed && n.address !== dashed.slice(1).join('.')) {
      throw forbidden(`Refused --peer "${text}": ${fqdn} resolves to ${n.address}, not the address its name states`, `${rule}: resolved address`);
    }
  }
  return { text, address: normalise(addresses[0]!.address).address, port, fqdn, namespace };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(Object.assign(new Error('timed out'), { code: 'ETIMEOUT' })), ms);
    p.then(
      (v) => (clearTimeout(t), resolve(v)),
      (e) => (clearTimeout(t), reject(e)),
    );
  });
}

/**
 * The probe's network edge for one checked peer: the in-cluster name resolves to the checked address and nothing
 * else resolves; a connection can be opened to that address and port only. Whatever the probe asks, it cannot
 * reach anywhere the guard did not check.
 */
export function pinnedTransport(peer: Pick<CheckedPeer, 'fqdn' | 'address' | 'port'>): ProbeTransport {
  const refuse = (what: string) => Promise.reject(Object.assign(new Error(`refused by the peer guard: ${what}`), { code: 'EACCES' }));
  return {
    lookup: (host) => (host.toLowerCase().replace(/\.$/, '') === peer.fqdn ? Promise.resolve(peer.address) : refuse(`host ${host} was not checked`)),
    connect: (address, port) =>
      address === peer.address && port === peer.port
        ? new Promise<Duplex>((resolve, reject) => {
            const s = netConnect({ host: address, port, noDelay: true });
            s.once('error', (e) => (s.destroy(), reject(e)));
            s.once('connect', () => (s.removeAllListeners('error'), resolve(s)));
          })
        : refuse(`${address}:${port} was not checked`),
  };
}
