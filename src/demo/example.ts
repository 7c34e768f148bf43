import { lstatSync, mkdirSync, mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:tls';
import type { DiagnoseRequest } from '../diagnose/request.js';
import { issue, type Issued } from '../x509/issue.js';

const HOUR = 3600_000;
const DAY = 24 * HOUR;

export const PAYMENTS_ID = 'spiffe://cluster.local/ns/checkout/sa/payments';
export const LEDGER_ID = 'spiffe://cluster.local/ns/checkout/sa/ledger';

/** The most recent 02:47 UTC before `now`: the intermediate in the example expired then. */
export function last247(now: number): number {
  const d = new Date(now);
  let t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), 2, 47);
  if (t > now - 60_000) t -= DAY;
  return t;
}

export interface BrokenMesh {
  root: Issued;
  /** The plug-in CA's intermediate: expired at 02:47. */
  inter: Issued;
  /** Two workloads whose leaves were rotated 3 hours ago and look fine. */
  payments: Issued;
  ledger: Issued;
}

/**
 * The built-in example: the classic 3 AM outage. A plug-in CA's intermediate expired at 02:47; every
 * workload leaf was freshly rotated and looks fine, and still every handshake fails. Generated in memory
 * at run time: no key is ever written.
 */
export async function brokenMesh(now: number): Promise<BrokenMesh> {
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
  const workload = (id: string) => issue({ subject: '', notBefore: new Date(now - 3 * HOUR), notAfter: new Date(now + 21 * HOUR), issuer: inter, uris: [id], eku: ['serverAuth', 'clientAuth'] });
  return { root, inter, payments: await workload(PAYMENTS_ID), ledger: await workload(LEDGER_ID) };
}

export interface RunningExample {
  /** What `payments` would ask: its own chain, key and trust, the identities, and the probe of `ledger`. */
  request: DiagnoseRequest;
  port: number;
  /** Where the example's certificate files are (the verify commands name them; no key is written). */
  dir: string;
  close(): Promise<void>;
}

/**
 * Where the demo writes its certificates: one directory per user under the temporary directory, replaced on
 * every run, so that runs do not pile up directories and the printed verify commands keep working after the demo
 * has ended. Created private (0700); if the name is taken by anything but such a directory of ours (another
 * user's, a link), a fresh directory is made instead.
 */
export function demoDir(base = tmpdir()): string {
  const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
  const dir = join(base, `mtls-doctor-demo-${uid ?? userInfo().username.replace(/[^\w.-]/g, '_')}`);
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  const st = lstatSync(dir);
  const ours = st.isDirectory() && !st.isSymbolicLink() && (uid === undefined || st.uid === uid) && (st.mode & 0o022) === 0;
  return ours ? dir : mkdtempSync(join(base, 'mtls-doctor-demo-'));
}

/**
 * The example, running: `ledger` listens on 127.0.0.1 (an ephemeral port) as a mesh server that demands a
 * client certificate from the same mesh CA, serving a chain whose intermediate expired at 02:47. Returns the
 * request `payments` would diagnose it with; the caller closes the peer.
 */
export async function startExample(now: number): Promise<RunningExample> {
  const { root, inter, payments, ledger } = await brokenMesh(now);
  const server: Server = createServer(
    { cert: ledger.pem + inter.pem, key: await ledger.keyPem(), ca: [root.pem], requestCert: true, rejectUnauthorized: true, ALPNProtocols: ['istio-peer-exchange', 'istio'] },
    (s) => {
      s.on('error', () => undefined);
      s.end();
    },
  );
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  // The certificates (never the key) go to the demo's directory, so that the verify commands the report prints
  // name files that exist after the demo has ended. The key stays in memory.
  const dir = demoDir();
  const write = (name: string, pem: string) => {
    // Replaced whole (write aside, then rename): a demo running at the same time never reads half a file.
    const aside = join(dir, `.${name}.${process.pid}`);
    writeFileSync(aside, pem, { mode: 0o644, flag: 'w' });
    renameSync(aside, join(dir, name));
    return { path: join(dir, name) };
  };
  return {
    port,
    dir,
    request: {
      chain: write('cert-chain.pem', payments.pem + inter.pem + root.pem),
      trust: [write('root-cert.pem', root.pem)],
      key: { name: 'key.pem', data: await payments.keyPem() },
      expectId: PAYMENTS_ID,
      peerId: LEDGER_ID,
      peer: `127.0.0.1:${port}`,
      sni: 'outbound_.8080_._.ledger.checkout.svc.cluster.local',
      label: 'payments.checkout → ledger.checkout (built-in example)',
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
