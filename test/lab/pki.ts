/**
 * Lab certificates. Real peers (OpenSSL, nginx, node:tls) check validity against the real clock, so lab dates
 * are offsets from the moment the lab starts (captured once), not the pinned unit-test NOW.
 */
import { issue, type Issued, type IssueSpec } from '../../src/x509/issue.js';

export const LAB_NOW = Date.now();
export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;
export const at = (offset: number) => new Date(LAB_NOW + offset);
export const TD = 'cluster.local';
export const id = (sa: string, td = TD) => `spiffe://${td}/ns/lab/sa/${sa}`;

export const root = (name: string, o: Partial<IssueSpec> = {}) => issue({ subject: `O=lab, CN=${name}`, notBefore: at(-365 * DAY), notAfter: at(3650 * DAY), ca: true, ...o });
export const inter = (issuer: Issued, name: string, o: Partial<IssueSpec> = {}) =>
  issue({ subject: `O=lab, CN=${name}`, notBefore: at(-180 * DAY), notAfter: at(365 * DAY), ca: true, pathLen: 0, issuer, ...o });
export const leaf = (issuer: Issued, sa: string, o: Partial<IssueSpec> = {}) =>
  issue({ subject: '', notBefore: at(-2 * HOUR), notAfter: at(22 * HOUR), issuer, uris: [id(sa)], dns: ['localhost'], ips: ['127.0.0.1'], eku: ['serverAuth', 'clientAuth'], ...o });

/** A healthy mesh: one root, one intermediate, a client (ours) and a server leaf. */
export async function labMesh() {
  const r = await root('Lab Mesh Root');
  const i = await inter(r, 'Lab Intermediate');
  return { root: r, inter: i, client: await leaf(i, 'client'), server: await leaf(i, 'server') };
}
