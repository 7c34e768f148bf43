import { issue } from '../x509/issue.js';
import type { NamedInput } from '../evidence/from-inputs.js';

const HOUR = 3600_000;
const DAY = 24 * HOUR;

/** The most recent 02:47 UTC before `now`: the intermediate in the example expired then. */
export function last247(now: number): number {
  const d = new Date(now);
  let t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), 2, 47);
  if (t > now - 60_000) t -= DAY;
  return t;
}

/**
 * The built-in example: the classic 3 AM outage. A plug-in CA's intermediate expired at 02:47; every
 * workload leaf was freshly rotated and looks fine, and still every handshake fails. Generated in memory
 * at run time: no key is ever written.
 */
export async function brokenMeshExample(now: number): Promise<{ chain: NamedInput; trust: NamedInput[]; expectId: string }> {
  const expiredAt = last247(now);
  const root = await issue({ subject: 'O=example.org, CN=Example Mesh Root CA', notBefore: new Date(now - 700 * DAY), notAfter: new Date(now + 3000 * DAY), ca: true });
  const inter = await issue({
    subject: 'O=example.org, CN=Istio Intermediate CA (cluster-east)',
    notBefore: new Date(expiredAt - 365 * DAY),
    notAfter: new Date(expiredAt),
    ca: true,
    pathLen: 0,
    issuer: root,
  });
  const leaf = await issue({
    subject: '',
    notBefore: new Date(now - 3 * HOUR),
    notAfter: new Date(now + 21 * HOUR),
    issuer: inter,
    uris: ['spiffe://cluster.local/ns/checkout/sa/payments'],
    eku: ['serverAuth', 'clientAuth'],
  });
  return {
    chain: { name: 'cert-chain.pem', data: leaf.pem + inter.pem + root.pem },
    trust: [{ name: 'root-cert.pem', data: root.pem }],
    expectId: 'spiffe://cluster.local/ns/checkout/sa/payments',
  };
}
