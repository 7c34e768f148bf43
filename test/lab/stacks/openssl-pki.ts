/**
 * The stack matrix's PKI, built with the openssl CLI (`openssl genpkey`, `req`, `ca` with explicit start and
 * end dates), not our own certificate factory: the faults are made the way an operator would make them. Dates
 * are offsets from the moment the PKI is made, since the real peers check validity against the real clock.
 * Keys go only into a mkdtemp directory removed with `remove()`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const TRUST_DOMAIN = 'cluster.local';
export const spiffe = (sa: string) => `spiffe://${TRUST_DOMAIN}/ns/lab/sa/${sa}`;

const CONFIG = `
[ca]
default_ca = lab
[lab]
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = any
unique_subject = no
copy_extensions = none
[any]
commonName = optional
organizationName = optional
[req]
distinguished_name = dn
prompt = no
[dn]
CN = lab
[root]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[inter]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
`;

const LEAF = (sa: string, eku: string) => `
[leaf]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = ${eku}
subjectAltName = URI:${spiffe(sa)},DNS:localhost,IP:127.0.0.1
authorityKeyIdentifier = keyid
`;

/** `openssl ca` date form: YYYYMMDDHHMMSSZ. */
const stamp = (ms: number) => new Date(ms).toISOString().replace(/[-:T]/g, '').replace(/\.\d+Z$/, 'Z');
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

export interface Cert {
  name: string;
  /** Certificate file (PEM). */
  crt: string;
  /** Its PKCS#8 key file. */
  key: string;
  pem: string;
}

export class OpensslPki {
  readonly dir = mkdtempSync(join(tmpdir(), 'mtls-doctor-stacks-'));
  private readonly made = Date.now();
  private serial = 1;

  constructor() {
    writeFileSync(join(this.dir, 'index.txt'), '');
    writeFileSync(join(this.dir, 'serial'), '1000\n');
  }

  private run(args: string[]): void {
    execFileSync('openssl', args, { cwd: this.dir, stdio: ['ignore', 'ignore', 'pipe'] });
  }

  /** A certificate from `issuer` (self-signed when none), valid from `from` to `to` (ms offsets from now). */
  cert(name: string, o: { subject: string; ext: 'root' | 'inter' | 'leaf'; issuer?: Cert; from: number; to: number; sa?: string; eku?: string }): Cert {
    const file = `${name}-${this.serial++}`;
    const cnf = join(this.dir, `${file}.cnf`);
    writeFileSync(cnf, CONFIG + (o.ext === 'leaf' ? LEAF(o.sa ?? name, o.eku ?? 'serverAuth,clientAuth') : ''));
    this.run(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${file}.key`]);
    this.run(['req', '-new', '-key', `${file}.key`, '-subj', o.subject, '-config', cnf, '-out', `${file}.csr`]);
    const signer = o.issuer ? ['-cert', o.issuer.crt, '-keyfile', o.issuer.key] : ['-selfsign', '-keyfile', `${file}.key`];
    this.run(['ca', '-batch', '-config', cnf, ...signer, '-in', `${file}.csr`, '-startdate', stamp(this.made + o.from), '-enddate', stamp(this.made + o.to), '-extensions', o.ext, '-notext', '-out', `${file}.crt`]);
    const crt = join(this.dir, `${file}.crt`);
    return { name, crt, key: join(this.dir, `${file}.key`), pem: readFileSync(crt, 'utf8') };
  }

  /** Concatenates certificates into one PEM file. */
  bundle(name: string, certs: Cert[]): string {
    const p = join(this.dir, `${name}.pem`);
    writeFileSync(p, certs.map((c) => c.pem).join(''), { mode: 0o600 });
    return p;
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Every certificate the matrix needs, made once per test file. */
export function matrixPki() {
  const pki = new OpensslPki();
  const rootA = pki.cert('root-a', { subject: '/O=lab/CN=Root A', ext: 'root', from: -365 * DAY, to: 3650 * DAY });
  const rootB = pki.cert('root-b', { subject: '/O=other/CN=Root B', ext: 'root', from: -365 * DAY, to: 3650 * DAY });
  const interA = pki.cert('inter-a', { subject: '/O=lab/CN=Intermediate A', ext: 'inter', issuer: rootA, from: -180 * DAY, to: 365 * DAY });
  const interDead = pki.cert('inter-dead', { subject: '/O=lab/CN=Intermediate A1', ext: 'inter', issuer: rootA, from: -365 * DAY, to: -3 * HOUR });
  const leaf = (name: string, issuer: Cert, sa: string, o: { from?: number; to?: number; eku?: string } = {}) =>
    pki.cert(name, { subject: '/O=lab', ext: 'leaf', issuer, sa, from: o.from ?? -2 * HOUR, to: o.to ?? 22 * HOUR, eku: o.eku });
  const ours = leaf('client', interA, 'client');
  const oursNoClientAuth = leaf('client-serveronly', interA, 'client', { eku: 'serverAuth' });
  const oursUnderDead = leaf('client-deadinter', interDead, 'client', { from: -6 * HOUR, to: 18 * HOUR });
  const oursExpired = leaf('client-expired', interA, 'client', { from: -30 * HOUR, to: -4 * HOUR });
  const interB = pki.cert('inter-b', { subject: '/O=other/CN=Intermediate B', ext: 'inter', issuer: rootB, from: -180 * DAY, to: 365 * DAY });
  const serverUnderB = leaf('server-b', interB, 'server');
  const server = leaf('server', interA, 'server');
  const serverExpired = leaf('server-expired', interA, 'server', { from: -30 * HOUR, to: -5 * HOUR });
  const serverOther = leaf('server-other', interA, 'other');
  return {
    pki,
    rootA,
    rootB,
    /** Our chain files (leaf + intermediate) and key, by fault. */
    ours: {
      good: { chain: pki.bundle('ours-good', [ours, interA]), key: ours.key },
      noClientAuth: { chain: pki.bundle('ours-noclientauth', [oursNoClientAuth, interA]), key: oursNoClientAuth.key },
      deadIntermediate: { chain: pki.bundle('ours-deadinter', [oursUnderDead, interDead]), key: oursUnderDead.key },
      expired: { chain: pki.bundle('ours-expired', [oursExpired, interA]), key: oursExpired.key },
      leafOnly: { chain: pki.bundle('ours-leafonly', [ours]), key: ours.key },
    },
    /** The peer's served chain and key, by fault. */
    peer: {
      good: { chain: pki.bundle('peer-good', [server, interA]), key: server.key },
      expired: { chain: pki.bundle('peer-expired', [serverExpired, interA]), key: serverExpired.key },
      otherId: { chain: pki.bundle('peer-other', [serverOther, interA]), key: serverOther.key },
      otherRoot: { chain: pki.bundle('peer-other-root', [serverUnderB, interB]), key: serverUnderB.key },
    },
    trustA: pki.bundle('trust-a', [rootA]),
    trustB: pki.bundle('trust-b', [rootB]),
  };
}
export type MatrixPki = ReturnType<typeof matrixPki>;
