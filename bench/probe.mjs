// Bench: `diagnose --peer` against a loopback node:tls peer, side by side with `diagnose` on the same files.
// Exports run({ runs }) → { name, ratio, medians, handshakesPerDiagnosis }; `node bench/probe.mjs` prints it.
// Needs a build (dist/cli.cjs). Keys go to a mkdtemp directory that is removed at the end.
import 'reflect-metadata';
import { spawn } from 'node:child_process';
import { webcrypto } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:tls';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto);
const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli.cjs');
const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
const HOUR = 3600_000;

async function cert(subject, issuer, o = {}) {
  const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const now = Date.now();
  const exts = [new x509.BasicConstraintsExtension(!!o.ca, o.ca ? 1 : undefined, true), await x509.SubjectKeyIdentifierExtension.create(keys.publicKey)];
  if (o.ca) exts.push(new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true));
  else {
    exts.push(new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true));
    exts.push(new x509.ExtendedKeyUsageExtension(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']));
    exts.push(new x509.SubjectAlternativeNameExtension([{ type: 'url', value: o.uri }], true));
  }
  if (issuer) exts.push(await x509.AuthorityKeyIdentifierExtension.create(issuer.keys.publicKey));
  const c = await x509.X509CertificateGenerator.create({
    serialNumber: Math.floor(Math.random() * 1e9).toString(16).padStart(8, '1'),
    subject,
    issuer: issuer ? issuer.cert.subject : subject,
    notBefore: new Date(now - 2 * HOUR),
    notAfter: new Date(now + (o.ca ? 1000 : 1) * 24 * HOUR),
    signingAlgorithm: ALG,
    publicKey: keys.publicKey,
    signingKey: issuer ? issuer.keys.privateKey : keys.privateKey,
    extensions: exts,
  });
  const key = x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY') + '\n';
  return { cert: c, keys, pem: c.toString('pem') + '\n', key };
}

function time(args) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let err = '';
    child.stderr.on('data', (b) => (err += b));
    child.on('error', reject);
    child.on('exit', (code) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (code !== 0) reject(new Error(`diagnose exited ${code}: ${err.trim()}`));
      else resolve(ms);
    });
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export async function run({ runs = 15 } = {}) {
  if (!existsSync(CLI)) throw new Error('bench/probe.mjs: dist/cli.cjs is missing; run npm run build first');
  runs = Math.max(10, runs);
  const root = await cert('CN=Bench Root', null, { ca: true });
  const inter = await cert('CN=Bench Intermediate', root, { ca: true });
  const client = await cert('', inter, { uri: 'spiffe://cluster.local/ns/bench/sa/client' });
  const server = await cert('', inter, { uri: 'spiffe://cluster.local/ns/bench/sa/server' });
  const dir = mkdtempSync(join(tmpdir(), 'mtls-doctor-bench-'));
  let connections = 0;
  const peer = createServer({ cert: server.pem + inter.pem, key: server.key, ca: [root.pem], requestCert: true, rejectUnauthorized: true }, (s) => {
    s.on('error', () => {});
    s.once('data', () => s.end('HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n'));
  });
  peer.on('connection', () => connections++);
  peer.on('tlsClientError', () => {});
  try {
    const write = (n, t) => (writeFileSync(join(dir, n), t, { mode: 0o600 }), join(dir, n));
    const files = ['--chain', write('cert-chain.pem', client.pem + inter.pem), '--key', write('key.pem', client.key), '--trust', write('root-cert.pem', root.pem)];
    await new Promise((r) => peer.listen(0, '127.0.0.1', r));
    const probeArgs = ['diagnose', '--peer', `127.0.0.1:${peer.address().port}`, ...files];
    const fileArgs = ['diagnose', ...files];
    await time(fileArgs); // warm the file cache
    await time(probeArgs);
    connections = 0;
    const withPeer = [];
    const filesOnly = [];
    for (let i = 0; i < runs; i++) {
      filesOnly.push(await time(fileArgs));
      withPeer.push(await time(probeArgs));
    }
    const medians = { files: Math.round(median(filesOnly) * 10) / 10, peer: Math.round(median(withPeer) * 10) / 10 };
    return { name: 'probe: diagnose --peer vs files', ratio: Math.round((medians.peer / medians.files) * 100) / 100, medians, handshakesPerDiagnosis: connections / runs, runs };
  } finally {
    peer.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  run({ runs: Number(process.argv[2] ?? 15) }).then((r) => console.log(JSON.stringify(r, null, 2)), (e) => {
    console.error(e.message);
    process.exitCode = 1;
  });
}
