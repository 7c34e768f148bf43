/**
 * Certificates made with the openssl CLI (not our own factory): `openssl req` + `openssl ca` with pinned start
 * and end dates, in a temporary directory that is removed afterwards. The results have the shape of the PKI
 * factory's `Issued` (PEM, DER, the parsed certificate), so the fake Envoy admin serves them unchanged.
 * Keys stay in the temporary directory and go with it.
 */
import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from '@peculiar/x509';
import type { Issued } from './pki.js';
import { NOW, DAY, HOUR, YEAR } from './pki.js';

/** openssl's date form: YYYYMMDDHHMMSSZ. */
const stamp = (ms: number) => new Date(ms).toISOString().replace(/[-:T]/g, '').replace(/\.\d{3}Z$/, 'Z');

export interface OpensslCa extends Issued {
  dir: string;
  keyFile: string;
  certFile: string;
}

export interface LeafSpec {
  uris: string[];
  /** Extended key usage (default serverAuth, clientAuth). */
  eku?: Array<'serverAuth' | 'clientAuth'>;
  /** An RSA key of this size instead of EC P-256. */
  rsaBits?: number;
  notBefore?: number;
  notAfter?: number;
}

export class OpensslPki {
  readonly dir = mkdtempSync(join(tmpdir(), 'mtls-doctor-openssl-'));
  private n = 0;

  private run(args: string[]): void {
    execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  }

  private key(file: string, rsaBits?: number): void {
    this.run(rsaBits ? ['genpkey', '-algorithm', 'RSA', '-pkeyopt', `rsa_keygen_bits:${rsaBits}`, '-out', file] : ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file]);
  }

  /** A CA's `openssl ca` directory and config; `ext` is the extension section for what it signs. */
  private caConfig(dir: string, ext: string): string {
    mkdirSync(join(dir, 'new'), { recursive: true });
    writeFileSync(join(dir, 'index.txt'), '');
    writeFileSync(join(dir, 'serial'), `${(0x1000 + ++this.n).toString(16)}\n`);
    const cfg = join(dir, 'openssl.cnf');
    writeFileSync(
      cfg,
      [
        '[ ca ]',
        'default_ca = CA_default',
        '[ CA_default ]',
        `database = ${join(dir, 'index.txt')}`,
        `new_certs_dir = ${join(dir, 'new')}`,
        `serial = ${join(dir, 'serial')}`,
        'default_md = sha256',
        'policy = policy_any',
        'unique_subject = no',
        'email_in_dn = no',
        '[ policy_any ]',
        'organizationName = optional',
        'commonName = optional',
        '[ req ]',
        'distinguished_name = dn',
        '[ dn ]',
        ext,
      ].join('\n'),
    );
    return cfg;
  }

  private issued(certFile: string, subject: string): Issued {
    const pem = readFileSync(certFile, 'utf8');
    const cert = new X509Certificate(pem);
    return { pem: cert.toString('pem') + '\n', der: new Uint8Array(cert.rawData), cert, subject, keyAlg: 'ec-p256', keys: undefined as unknown as CryptoKeyPair, keyPem: async () => '' };
  }

  /** A self-signed root CA, valid a year back and nine ahead of the pinned NOW (or the dates given). */
  root(name: string, o: { notBefore?: number; notAfter?: number } = {}): OpensslCa {
    const dir = join(this.dir, `ca-${++this.n}`);
    const cfg = this.caConfig(dir, '[ v3_ca ]\nbasicConstraints = critical,CA:true\nkeyUsage = critical,keyCertSign,cRLSign\nsubjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid:always');
    const keyFile = join(dir, 'ca.key');
    const certFile = join(dir, 'ca.pem');
    this.key(keyFile);
    this.run(['req', '-new', '-key', keyFile, '-subj', `/O=cluster.local/CN=${name}`, '-out', join(dir, 'ca.csr'), '-config', cfg]);
    this.run(['ca', '-batch', '-notext', '-selfsign', '-config', cfg, '-keyfile', keyFile, '-in', join(dir, 'ca.csr'), '-out', certFile, '-extensions', 'v3_ca', '-startdate', stamp(o.notBefore ?? NOW - YEAR), '-enddate', stamp(o.notAfter ?? NOW + 9 * YEAR)]);
    return { ...this.issued(certFile, `O=cluster.local, CN=${name}`), dir, keyFile, certFile };
  }

  private sign(ca: OpensslCa, csr: string, out: string, ext: string, notBefore: number, notAfter: number): void {
    const extFile = `${out}.ext`;
    writeFileSync(extFile, `[ x ]\n${ext}\n`);
    const cfg = join(ca.dir, 'openssl.cnf');
    this.run(['ca', '-batch', '-notext', '-config', cfg, '-cert', ca.certFile, '-keyfile', ca.keyFile, '-in', csr, '-out', out, '-extfile', extFile, '-extensions', 'x', '-startdate', stamp(notBefore), '-enddate', stamp(notAfter)]);
  }

  /** An intermediate CA under `issuer`, valid 180 days back and a year ahead (or the dates given). */
  intermediate(issuer: OpensslCa, name: string, o: { notBefore?: number; notAfter?: number } = {}): OpensslCa {
    const dir = join(this.dir, `ca-${++this.n}`);
    this.caConfig(dir, '');
    const keyFile = join(dir, 'ca.key');
    const certFile = join(dir, 'ca.pem');
    this.key(keyFile);
    this.run(['req', '-new', '-key', keyFile, '-subj', `/O=cluster.local/CN=${name}`, '-out', join(dir, 'ca.csr'), '-config', join(dir, 'openssl.cnf')]);
    this.sign(issuer, join(dir, 'ca.csr'), certFile, 'basicConstraints = critical,CA:true\nkeyUsage = critical,keyCertSign,cRLSign\nsubjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid:always', o.notBefore ?? NOW - 180 * DAY, o.notAfter ?? NOW + YEAR);
    return { ...this.issued(certFile, `O=cluster.local, CN=${name}`), dir, keyFile, certFile };
  }

  /** An Istio-style workload leaf (24 h, SPIFFE URI SAN) under `issuer`. */
  leaf(issuer: OpensslCa, o: LeafSpec): Issued {
    const base = join(this.dir, `leaf-${++this.n}`);
    this.key(`${base}.key`, o.rsaBits);
    this.run(['req', '-new', '-key', `${base}.key`, '-subj', '/O=cluster.local', '-out', `${base}.csr`, '-config', join(issuer.dir, 'openssl.cnf')]);
    const eku = (o.eku ?? ['serverAuth', 'clientAuth']).join(',');
    this.sign(issuer, `${base}.csr`, `${base}.pem`, `basicConstraints = critical,CA:false\nkeyUsage = critical,digitalSignature,keyEncipherment\nextendedKeyUsage = ${eku}\nsubjectAltName = ${o.uris.map((u) => `URI:${u}`).join(',')}\nauthorityKeyIdentifier = keyid`, o.notBefore ?? NOW - 2 * HOUR, o.notAfter ?? NOW + 22 * HOUR);
    return this.issued(`${base}.pem`, '');
  }

  close(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
