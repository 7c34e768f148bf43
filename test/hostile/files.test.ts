/**
 * Files that are not what they seem (issue 15, and issue 9's FIFO point): a FIFO with no writer as --chain or
 * at a credential path under --proxy-root blocked in open(2) forever; --save-evidence renamed its temporary file
 * over a symlink (which became a regular file), a FIFO (its reader got nothing) or a device.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readInputFile } from '../../src/collect/files.js';
import { readCredentialFiles } from '../../src/collect/proxy-files.js';
import { runCli, tempDir } from '../support/cli.js';
import { mesh, NOW } from '../support/pki.js';

const mkfifo = (path: string) => execFileSync('mkfifo', [path]);
const AT = ['--at', new Date(NOW).toISOString()];

let tmp: ReturnType<typeof tempDir>;
let chainPem = '';
let files: { chain: string; trust: string };
beforeAll(async () => {
  tmp = tempDir();
  const m = await mesh();
  chainPem = m.leaf.pem + m.inter.pem;
  files = { chain: tmp.file('chain.pem', chainPem), trust: tmp.file('root.pem', m.root.pem) };
});
afterAll(() => tmp.cleanup());

describe('reading a FIFO never hangs', () => {
  it('--chain FIFO with no writer: one clear line, exit 2, at once', () => {
    const fifo = join(tmp.dir, 'chain.fifo');
    mkfifo(fifo);
    const r = runCli(['diagnose', '--chain', fifo, '--trust', files.trust, ...AT], { timeoutMs: 30_000 });
    expect(r.code, `${r.stderr} (killed by the timeout: ${r.code === null})`).toBe(2);
    expect(r.stderr).toMatch(/^mtls-doctor: Cannot read --chain file ".*chain\.fifo": it is a named pipe \(FIFO\) and nothing is writing to it/);
  });

  it('a pipe with a writer is read to its end (--chain <(cat chain.pem))', async () => {
    const fifo = join(tmp.dir, 'writer.fifo');
    mkfifo(fifo);
    // The writer opens the FIFO first (blocking until the reader arrives), then writes slowly.
    const writer = spawn(process.execPath, ['-e', `const fs=require('fs');process.stdout.write('ready');const fd=fs.openSync(${JSON.stringify(fifo)},'w');setTimeout(()=>{fs.writeSync(fd,${JSON.stringify(chainPem)});fs.closeSync(fd)},300)`]);
    // Wait until the writer runs (it then blocks in open until a reader comes; ours releases it).
    await new Promise((r) => writer.stdout.once('data', r));
    await new Promise((r) => setTimeout(r, 50));
    const data = await new Promise<Buffer>((resolve, reject) => {
      // Opening for reading releases the writer; the read then waits for its data (bounded).
      setImmediate(() => {
        try {
          resolve(readInputFile(fifo, '--chain', undefined, { timeoutMs: 20_000 }));
        } catch (e) {
          reject(e);
        }
      });
    });
    writer.kill();
    expect(data.toString()).toBe(chainPem);
  });

  it('a pipe whose writer never writes: refused after the timeout, not forever', () => {
    const fifo = join(tmp.dir, 'stuck.fifo');
    mkfifo(fifo);
    const writer = spawn(process.execPath, ['-e', `require('fs').openSync(${JSON.stringify(fifo)},'w');setTimeout(()=>{},60000)`]);
    try {
      // Give the writer time to open its end (it blocks until a reader exists; ours is non-blocking).
      execFileSync('sleep', ['0.3']);
      let err: Error | undefined;
      for (let i = 0; i < 50 && !err; i++) {
        try {
          readInputFile(fifo, '--chain', undefined, { timeoutMs: 300 });
        } catch (e) {
          err = e as Error;
        }
      }
      expect(err?.message).toMatch(/no data arrived within|nothing is writing to it/);
    } finally {
      writer.kill();
    }
  });

  it('a FIFO at a credential path under --proxy-root is refused (regular files only), the others are read', () => {
    const root = join(tmp.dir, 'proxy-root');
    const dir = join(root, 'etc', 'certs');
    mkdirSync(dir, { recursive: true });
    mkfifo(join(dir, 'cert-chain.pem'));
    mkfifo(join(dir, 'key.pem'));
    writeFileSync(join(dir, 'root-cert.pem'), readFileSync(files.trust));
    const r = readCredentialFiles(root);
    const byName = Object.fromEntries(r.files.map((f) => [f.path.split('/').pop(), f]));
    expect(byName['cert-chain.pem']?.error).toMatch(/it is a named pipe \(FIFO\), not a regular file/);
    expect(byName['key.pem']?.error).toMatch(/not a regular file/);
    expect(byName['root-cert.pem']?.pems.length).toBe(1);
    const cli = runCli(['diagnose', '--proxy-root', root, '-o', 'json', ...AT], { timeoutMs: 30_000 });
    expect(cli.code, cli.stderr).not.toBeNull();
    expect(cli.stdout + cli.stderr).toMatch(/not a regular file/);
  });

  it('/dev/zero as --chain is cut at the size limit', () => {
    const r = runCli(['diagnose', '--chain', '/dev/zero', '--trust', files.trust, ...AT], { timeoutMs: 30_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/over the 4\.0 MiB limit/);
  });
});

describe('--save-evidence never replaces what is not a regular file', () => {
  const save = (target: string) => runCli(['diagnose', '--chain', files.chain, '--trust', files.trust, '--save-evidence', target, ...AT], { timeoutMs: 30_000 });

  it('a symlink: refused, the link and its target untouched', () => {
    const real = tmp.file('real.json', 'keep me');
    const link = join(tmp.dir, 'link.json');
    symlinkSync(real, link);
    const r = save(link);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^mtls-doctor: Cannot write evidence bundle ".*link\.json": it is a symbolic link, not a regular file/);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe(real);
    expect(readFileSync(real, 'utf8')).toBe('keep me');
  });

  it('a FIFO: refused, still a FIFO', () => {
    const fifo = join(tmp.dir, 'ev.fifo');
    mkfifo(fifo);
    const r = save(fifo);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/it is a named pipe \(FIFO\), not a regular file/);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
  });

  it('a device: refused, never renamed over', (ctx) => {
    // A device node of our own (the null device, 1:3) in the temporary directory: never the system's /dev/null,
    // which a regression (or older code) run as root would replace with a regular file.
    const dev = join(tmp.dir, 'null-device');
    try {
      execFileSync('mknod', ['-m', '666', dev, 'c', '1', '3']);
    } catch {
      ctx.skip(); // not root: no device node can be made here
    }
    const r = save(dev);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/it is a character device, not a regular file/);
    expect(lstatSync(dev).isCharacterDevice()).toBe(true);
  });

  it('a directory, or a missing directory: one clear line', () => {
    expect(save(tmp.dir).stderr).toMatch(/it is a directory, not a regular file/);
    expect(save(join(tmp.dir, 'nope', 'ev.json')).stderr).toMatch(/the directory ".*nope" does not exist/);
  });

  it('a regular file is replaced atomically, nothing left beside it', () => {
    const target = tmp.file('old.json', 'old');
    const r = save(target);
    expect([0, 1]).toContain(r.code);
    expect(JSON.parse(readFileSync(target, 'utf8')).kind).toBe('mtls-doctor-evidence');
    expect(existsSync(`${target}.tmp-${process.pid}`)).toBe(false);
    expect(execFileSync('ls', [tmp.dir]).toString()).not.toMatch(/\.tmp-/);
  });
});
