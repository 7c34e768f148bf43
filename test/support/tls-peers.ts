/**
 * Real TLS peers for the lab, all on 127.0.0.1 with ephemeral ports: node:tls servers, OpenSSL `s_server`,
 * nginx with `ssl_verify_client on`, and raw `net` servers that misbehave (plaintext, silence, garbage, a
 * reset mid-record). Keys that a separate process needs are written only into a mkdtemp directory that is
 * removed when the peer stops; node:tls peers keep them in memory.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { createServer as createTlsServer, type TlsOptions } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Issued } from './pki.js';

export const LOOPBACK = '127.0.0.1';

export interface Peer {
  kind: string;
  port: number;
  /** `127.0.0.1:PORT`, for --peer. */
  address: string;
  /** TCP connections the peer accepted (each is one handshake attempt). */
  connections(): number;
  stop(): Promise<void>;
}

const pem = (certs: Issued[]) => certs.map((c) => c.pem).join('');

/** Is a binary on PATH? Under CI a missing binary is a failure, never a silent skip (see requireBinary). */
export function hasBinary(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).status === 0;
}

export const IN_CI = process.env.CI === 'true' || process.env.CI === '1';

// ---------------------------------------------------------------------------------------------- node:tls

export interface NodePeerSpec {
  chain: Issued[];
  key: Issued;
  /** Client CAs: with it the peer requests a client certificate. */
  trust?: Issued[];
  /** Reject clients without a valid certificate (default true when trust is given). */
  requireClientCert?: boolean;
  minVersion?: TlsOptions['minVersion'];
  maxVersion?: TlsOptions['maxVersion'];
  ciphers?: string;
  alpn?: string[];
}

/** A node:tls server; it answers any request with a short HTTP 200 and closes. */
export async function nodeTlsPeer(spec: NodePeerSpec): Promise<Peer> {
  const opts: TlsOptions = {
    cert: pem(spec.chain),
    key: await spec.key.keyPem(),
    minVersion: spec.minVersion ?? 'TLSv1.2',
    maxVersion: spec.maxVersion ?? 'TLSv1.3',
  };
  if (spec.ciphers) opts.ciphers = spec.ciphers;
  if (spec.alpn) opts.ALPNProtocols = spec.alpn;
  if (spec.trust) {
    opts.ca = spec.trust.map((c) => c.pem);
    opts.requestCert = true;
    opts.rejectUnauthorized = spec.requireClientCert ?? true;
  }
  let n = 0;
  const server = createTlsServer(opts, (s) => {
    s.on('error', () => undefined);
    s.once('data', () => s.end('HTTP/1.1 200 OK\r\ncontent-length: 3\r\nconnection: close\r\n\r\nok\n'));
  });
  server.on('connection', () => n++);
  server.on('tlsClientError', () => undefined);
  return listen(server, 'node:tls', () => n);
}

// ---------------------------------------------------------------------------------------------- net (misbehaving)

export type RawBehaviour =
  /** An HTTP server without TLS: answers the ClientHello with 400. */
  | 'http'
  /** A banner that speaks first (an SMTP/SSH-like plaintext service). */
  | 'banner'
  /** Accepts and never answers. */
  | 'silent'
  /** Answers with random-looking bytes. */
  | 'garbage'
  /** Starts a TLS record (a ServerHello header) and resets the connection mid-record. */
  | 'reset-mid-record'
  /** Accepts and closes at once. */
  | 'close';

export async function rawPeer(behaviour: RawBehaviour): Promise<Peer> {
  let n = 0;
  const sockets = new Set<Socket>();
  const server = createNetServer((s) => {
    n++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    switch (behaviour) {
      case 'http':
        s.once('data', () => s.end('HTTP/1.1 400 Bad Request\r\ncontent-type: text/plain\r\ncontent-length: 11\r\nconnection: close\r\n\r\nBad Request'));
        break;
      case 'banner':
        s.write('220 mail.example.test ESMTP ready\r\n');
        break;
      case 'silent':
        break;
      case 'garbage':
        s.once('data', () => s.write(Buffer.from('9f3c0012ab77e0419a5d33c2017f6e88aa01bc4d', 'hex')));
        break;
      case 'reset-mid-record':
        s.once('data', () => {
          // Handshake record, TLS 1.2, claims 0x4000 bytes, then ServerHello header and only a few bytes.
          s.write(Buffer.from('1603034000020000460303aabbccdd', 'hex'), () => setTimeout(() => s.resetAndDestroy(), 20));
        });
        break;
      case 'close':
        s.end();
        break;
    }
  });
  const peer = await listen(server, `net:${behaviour}`, () => n);
  const stop = peer.stop;
  peer.stop = async () => {
    for (const s of sockets) s.destroy();
    await stop();
  };
  return peer;
}

async function listen(server: NetServer, kind: string, connections: () => number): Promise<Peer> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  return {
    kind,
    port,
    address: `${LOOPBACK}:${port}`,
    connections,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };
}

/** A port that was free a moment ago (nothing listens on it): for "connection refused". */
export async function closedPort(): Promise<number> {
  const s = createNetServer();
  await new Promise<void>((r) => s.listen(0, LOOPBACK, () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

// ---------------------------------------------------------------------------------------------- temp material

class TempDir {
  readonly path = mkdtempSync(join(tmpdir(), 'mtls-doctor-lab-'));
  write(name: string, text: string): string {
    const p = join(this.path, name);
    writeFileSync(p, text, { mode: 0o600 });
    return p;
  }
  remove(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}

/** Writes what a separate process needs (a key only into the mkdtemp dir). */
async function material(dir: TempDir, spec: { chain: Issued[]; key: Issued; trust?: Issued[] }) {
  return {
    leaf: dir.write('leaf.pem', spec.chain[0]!.pem),
    chain: dir.write('chain.pem', pem(spec.chain.slice(1))),
    full: dir.write('fullchain.pem', pem(spec.chain)),
    key: dir.write('key.pem', await spec.key.keyPem()),
    trust: spec.trust ? dir.write('trust.pem', pem(spec.trust)) : null,
  };
}

// ---------------------------------------------------------------------------------------------- OpenSSL s_server

export interface OpensslSpec {
  chain: Issued[];
  key: Issued;
  /** Client CAs: with it, s_server demands a client certificate (-Verify) and aborts on a bad one. */
  trust?: Issued[];
  version?: 'tls1_1' | 'tls1_2' | 'tls1_3';
  /** TLS 1.2 cipher list (-cipher). */
  cipher?: string;
  /** TLS 1.3 suites (-ciphersuites). */
  ciphersuites?: string;
  alpn?: string[];
}

export async function opensslPeer(spec: OpensslSpec): Promise<Peer> {
  const dir = new TempDir();
  const m = await material(dir, spec);
  const args = ['s_server', '-accept', `${LOOPBACK}:0`, '-cert', m.leaf, '-key', m.key, '-www', '-naccept', '1000'];
  if (spec.chain.length > 1) args.push('-cert_chain', m.chain);
  if (m.trust) args.push('-Verify', '5', '-verify_return_error', '-CAfile', m.trust);
  if (spec.version) args.push(`-${spec.version}`);
  if (spec.cipher) args.push('-cipher', spec.cipher);
  if (spec.ciphersuites) args.push('-ciphersuites', spec.ciphersuites);
  if (spec.alpn) args.push('-alpn', spec.alpn.join(','));
  const child = spawn('openssl', args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let connections = 0;
  const port = await new Promise<number>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`openssl s_server did not start: ${out}`)), 10_000);
    const onData = (b: Buffer) => {
      out += b.toString();
      const m2 = /ACCEPT [^\n]*:(\d+)/.exec(out);
      if (m2) {
        clearTimeout(t);
        resolve(Number(m2[1]));
      }
      connections = (out.match(/ACCEPT\b/g)?.length ?? 1) - 1;
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
    child.once('exit', (code) => reject(new Error(`openssl s_server exited (${code}): ${out.slice(0, 500)}`)));
  }).catch((e) => {
    child.kill('SIGKILL');
    dir.remove();
    throw e;
  });
  // Keys are read at start; remove them at once, the directory goes on stop.
  return {
    kind: `openssl s_server${spec.version ? ' -' + spec.version : ''}`,
    port,
    address: `${LOOPBACK}:${port}`,
    connections: () => connections,
    stop: () => stopChild(child, dir),
  };
}

async function stopChild(child: ChildProcess, dir: TempDir, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        child.kill('SIGKILL');
      }, 3000);
      child.once('exit', () => {
        clearTimeout(t);
        resolve();
      });
      child.kill(signal);
    });
  }
  dir.remove();
}

// ---------------------------------------------------------------------------------------------- nginx

export interface NginxSpec {
  chain: Issued[];
  key: Issued;
  /** ssl_client_certificate; with it ssl_verify_client on. */
  trust?: Issued[];
  /** Listen without TLS (a plaintext port). */
  plaintext?: boolean;
  protocols?: string;
}

/** An nginx.conf that keeps everything in the peer's temp dir and serves `ok` on 127.0.0.1:port. */
function nginxConf(dir: TempDir, port: number, logs: string, tls: string, ssl: boolean): string {
  return `
daemon off;
master_process off;
worker_processes 1;
pid ${join(dir.path, 'nginx.pid')};
error_log ${logs} info;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${join(dir.path, 'body')};
  proxy_temp_path ${join(dir.path, 'proxy')};
  fastcgi_temp_path ${join(dir.path, 'fastcgi')};
  uwsgi_temp_path ${join(dir.path, 'uwsgi')};
  scgi_temp_path ${join(dir.path, 'scgi')};
  server {
    listen ${LOOPBACK}:${port}${ssl ? ' ssl' : ''};
    ${tls}
    location / { return 200 "ok\\n"; }
  }
}
`;
}

export async function nginxPeer(spec: NginxSpec): Promise<Peer> {
  const dir = new TempDir();
  const m = await material(dir, spec);
  const port = await closedPort();
  const logs = dir.write('error.log', '');
  const tls = spec.plaintext
    ? ''
    : [
        `ssl_certificate ${m.full};`,
        `ssl_certificate_key ${m.key};`,
        `ssl_protocols ${spec.protocols ?? 'TLSv1.2 TLSv1.3'};`,
        ...(m.trust ? [`ssl_client_certificate ${m.trust};`, 'ssl_verify_client on;', 'ssl_verify_depth 4;'] : []),
      ].join('\n      ');
  const conf = nginxConf(dir, port, logs, tls, !spec.plaintext);
  const confPath = dir.write('nginx.conf', conf);
  const child = spawn('nginx', ['-p', dir.path, '-c', confPath, '-e', logs], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  try {
    await waitForPort(port, child, () => out + (existsSync(logs) ? readFileSync(logs, 'utf8') : ''));
  } catch (e) {
    await stopChild(child, dir, 'SIGKILL');
    throw e;
  }
  let connections = 0;
  return {
    kind: spec.plaintext ? 'nginx (plaintext)' : 'nginx',
    port,
    address: `${LOOPBACK}:${port}`,
    connections: () => {
      // nginx logs each accepted connection at info level ("client ... connected" / SSL handshakes).
      try {
        connections = (readFileSync(logs, 'utf8').match(/\*\d+ (?:client|SSL_do_handshake|client sent|client SSL)/g) ?? []).length;
      } catch {
        /* stopped */
      }
      return connections;
    },
    stop: () => stopChild(child, dir, 'SIGQUIT'),
  };
}

async function waitForPort(port: number, child: ChildProcess, log: () => string): Promise<void> {
  const { connect } = await import('node:net');
  const until = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the peer exited (${child.exitCode}): ${log().slice(0, 800)}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ host: LOOPBACK, port }, () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`the peer did not listen on ${port}: ${log().slice(0, 800)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// ---------------------------------------------------------------------------------------------- the workload's files

export interface WorkloadFiles {
  chain: string;
  key: string;
  trust: string;
  peerTrust: string | null;
  dir: string;
  remove(): void;
}

/** The workload's cert-chain.pem, key.pem and root-cert.pem as the CLI reads them (in a mkdtemp dir). */
export async function workloadFiles(spec: { chain: Issued[]; key: Issued; trust: Issued[]; peerTrust?: Issued[] }): Promise<WorkloadFiles> {
  const dir = new TempDir();
  return {
    chain: dir.write('cert-chain.pem', pem(spec.chain)),
    key: dir.write('key.pem', await spec.key.keyPem()),
    trust: dir.write('root-cert.pem', pem(spec.trust)),
    peerTrust: spec.peerTrust ? dir.write('peer-root-cert.pem', pem(spec.peerTrust)) : null,
    dir: dir.path,
    remove: () => dir.remove(),
  };
}

// ---------------------------------------------------------------------------------------------- the stack matrix

/** A peer of any stack, from files (the matrix's PKI is made with the openssl CLI). */
export type Stack = 'go' | 'rustls' | 'gnutls' | 'openssl' | 'nginx';

export interface StackPeerSpec {
  /** The served chain, leaf first (PEM file), and its key (PKCS#8 PEM file). */
  chain: string;
  key: string;
  /** Client CAs (PEM file): with it the peer requires and verifies a client certificate. */
  clientCas?: string;
  version: '1.2' | '1.3';
  /** ALPN the peer accepts; a client offering none of them is refused where the stack can refuse. */
  alpn?: string[];
  /** The built Go or rustls peer binary (test/lab/peers/build.mjs). */
  binary?: string;
  /** OpenSSL: name no CA in the CertificateRequest (-no_ca_names), as BoringSSL and Envoy do by default. */
  noCaNames?: boolean;
  /** OpenSSL: key-exchange groups (-groups); one the client sends no key share for forces a HelloRetryRequest. */
  groups?: string;
}

/** Starts a peer of the given stack on 127.0.0.1 and waits until it accepts connections. */
export async function stackPeer(stack: Stack, spec: StackPeerSpec): Promise<Peer> {
  const dir = new TempDir();
  let cmd: string;
  let args: string[];
  let port: number | null = null;
  switch (stack) {
    case 'go':
      cmd = spec.binary!;
      args = ['-cert', spec.chain, '-key', spec.key, '-version', spec.version, ...(spec.clientCas ? ['-ca', spec.clientCas] : []), ...(spec.alpn ? ['-alpn', spec.alpn.join(',')] : [])];
      break;
    case 'rustls':
      cmd = spec.binary!;
      args = ['--cert', spec.chain, '--key', spec.key, '--version', spec.version, ...(spec.clientCas ? ['--ca', spec.clientCas] : []), ...(spec.alpn ? ['--alpn', spec.alpn.join(',')] : [])];
      break;
    case 'gnutls':
      // gnutls-serv takes no listen address: it binds the port on every interface; the lab talks to 127.0.0.1.
      port = await closedPort();
      cmd = 'gnutls-serv';
      args = ['--http', '-p', String(port), '--x509certfile', spec.chain, '--x509keyfile', spec.key, `--priority=NORMAL:-VERS-ALL:+VERS-TLS${spec.version}`];
      if (spec.clientCas) args.push('--x509cafile', spec.clientCas, '--require-client-cert', '--verify-client-cert');
      else args.push('--disable-client-cert');
      if (spec.alpn) args.push(...spec.alpn.map((a) => `--alpn=${a}`), '--alpn-fatal');
      break;
    case 'openssl': {
      cmd = 'openssl';
      // s_server wants the leaf and the rest of the chain apart.
      const pems = readFileSync(spec.chain, 'utf8').match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g) ?? [];
      const leaf = dir.write('leaf.pem', pems[0] ?? '');
      const rest = dir.write('rest.pem', pems.slice(1).join(''));
      args = ['s_server', '-accept', `${LOOPBACK}:0`, '-cert', leaf, '-key', spec.key, '-www', '-naccept', '1000', spec.version === '1.3' ? '-tls1_3' : '-tls1_2'];
      if (pems.length > 1) args.push('-cert_chain', rest);
      if (spec.clientCas) args.push('-Verify', '5', '-verify_return_error', '-CAfile', spec.clientCas);
      if (spec.alpn) args.push('-alpn', spec.alpn.join(','));
      if (spec.noCaNames) args.push('-no_ca_names');
      if (spec.groups) args.push('-groups', spec.groups);
      break;
    }
    case 'nginx': {
      // nginx always serves ALPN (http/1.1); spec.alpn is what it is anyway.
      port = await closedPort();
      const logs = dir.write('error.log', '');
      const tls = [
        `ssl_certificate ${spec.chain};`,
        `ssl_certificate_key ${spec.key};`,
        `ssl_protocols TLSv${spec.version};`,
        ...(spec.clientCas ? [`ssl_client_certificate ${spec.clientCas};`, 'ssl_verify_client on;', 'ssl_verify_depth 4;'] : []),
      ].join('\n    ');
      const conf = nginxConf(dir, port, logs, tls, true);
      cmd = 'nginx';
      args = ['-p', dir.path, '-c', dir.write('nginx.conf', conf), '-e', logs];
      break;
    }
  }
  const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  child.on('error', (e) => (out += String(e)));
  try {
    if (port === null) {
      port = await new Promise<number>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`${stack} peer did not start: ${out.slice(0, 800)}`)), 10_000);
        const look = () => {
          const m = /(?:LISTEN |ACCEPT [^\n]*:)(\d+)/.exec(out);
          if (m) {
            clearTimeout(t);
            resolve(Number(m[1]));
          }
        };
        child.stdout!.on('data', look);
        child.once('exit', (code) => reject(new Error(`${stack} peer exited (${code}): ${out.slice(0, 800)}`)));
      });
    } else {
      await waitForPort(port, child, () => out);
    }
  } catch (e) {
    await stopChild(child, dir, 'SIGKILL');
    throw e;
  }
  return {
    kind: stack,
    port,
    address: `${LOOPBACK}:${port}`,
    connections: () => 0,
    stop: () => stopChild(child, dir, stack === 'nginx' ? 'SIGQUIT' : 'SIGTERM'),
  };
}
