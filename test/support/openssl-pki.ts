/**
 * Certificates made with the openssl CLI (`openssl req` + `openssl ca`, pinned start and end dates), not with our
 * own factory: the stand-in clusters of the fleet scenarios serve these. Keys stay in a temporary directory that
 * the caller removes (`close`). Returned in the shape the fake Envoy admin takes (`pem`, `der`).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Issued } from './pki.js';

const CONFIG = `
[ ca ]
default_ca = ca_default
[ ca_default ]
dir = .
database = ./index.txt
new_certs_dir = ./newcerts
serial = ./serial
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none
email_in_dn = no
[ policy_any ]
organizationName = optional
commonName = optional
[ v3_root ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[ v3_inter ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ v3_leaf ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth,clientAuth
subjectAltName = \${ENV::SAN}
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
`;

/** A certificate made by openssl: PEM and DER (what the fake admin serves), and where its key is. */
export interface OpensslCert extends Pick<Issued, 'pem' | 'der'> {
  name: string;
  keyFile: string;
  certFile: string;
}

const stamp = (d: Date) => d.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';

export interface OpensslPki {
  dir: string;
  root(name: string, o: { notBefore: Date; notAfter: Date }): OpensslCert;
  intermediate(issuer: OpensslCert, name: string, o: { notBefore: Date; notAfter: Date }): OpensslCert;
  /** A workload leaf: serverAuth+clientAuth, the SPIFFE URI SAN, empty-ish subject (O=cluster.local). */
  leaf(issuer: OpensslCert, spiffeId: string, o: { notBefore: Date; notAfter: Date }): OpensslCert;
  close(): void;
}

export function opensslPki(): OpensslPki {
  const dir = mkdtempSync(join(tmpdir(), 'mtls-doctor-openssl-'));
  mkdirSync(join(dir, 'newcerts'));
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial'), '1000\n');
  writeFileSync(join(dir, 'ca.cnf'), CONFIG);
  let n = 0;
  const run = (args: string[], san = 'URI:spiffe://cluster.local/ns/none/sa/none') => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SAN: san } });
  const make = (name: string, subject: string, o: { notBefore: Date; notAfter: Date }, ext: string, issuer: OpensslCert | null, san?: string): OpensslCert => {
    const base = `c${++n}`;
    const keyFile = join(dir, `${base}.key`);
    const certFile = join(dir, `${base}.pem`);
    run(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', keyFile, '-subj', subject, '-out', join(dir, `${base}.csr`)]);
    run(
      ['ca', '-batch', '-notext', '-config', 'ca.cnf', '-extensions', ext, '-startdate', stamp(o.notBefore), '-enddate', stamp(o.notAfter), '-in', `${base}.csr`, '-out', certFile, ...(issuer ? ['-cert', issuer.certFile, '-keyfile', issuer.keyFile] : ['-selfsign', '-keyfile', keyFile])],
      san,
    );
    const pem = readFileSync(certFile, 'utf8');
    const der = new Uint8Array(execFileSync('openssl', ['x509', '-in', certFile, '-outform', 'DER']));
    return { name, pem, der, keyFile, certFile };
  };
  return {
    dir,
    root: (name, o) => make(name, `/O=cluster.local/CN=${name}`, o, 'v3_root', null),
    intermediate: (issuer, name, o) => make(name, `/O=cluster.local/CN=${name}`, o, 'v3_inter', issuer),
    leaf: (issuer, id, o) => make(id, '/O=cluster.local', o, 'v3_leaf', issuer, `URI:${id}`),
    close: () => rmSync(dir, { recursive: true, force: true }),
  };
}
