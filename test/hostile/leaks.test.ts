/**
 * Key material pasted by a user or sent by a remote never leaves (issue 15): `--symptom` text saved in the
 * evidence bundle (the old guard looked only for a PEM header, and made --save-evidence exit 70 when it saw
 * one), `explain`'s quotes of the paste, an Envoy error body quoted into the report — in every output format.
 */
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diagnose, explain } from '../../src/index.js';
import { collectProxy } from '../../src/collect/proxy.js';
import { runCli, tempDir } from '../support/cli.js';
import { mesh, NOW } from '../support/pki.js';
import { sourceLabel } from '../../src/report/source-label.js';

const ed = generateKeyPairSync('ed25519').privateKey;
const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
const KEYS = {
  'Ed25519 PKCS#8 PEM': ed.export({ type: 'pkcs8', format: 'pem' }) as string,
  'Ed25519 bare base64 lines': (ed.export({ type: 'pkcs8', format: 'der' }) as Buffer).toString('base64').replace(/(.{40})/g, '$1\n'),
  'EC SEC1 PEM': ec.export({ type: 'sec1', format: 'pem' }) as string,
  'EC SEC1 base64 without the BEGIN line': (ec.export({ type: 'sec1', format: 'pem' }) as string).split('\n').slice(1).join('\n'),
};
/** The redactor's marker (src/redact.ts REDACTED; spelled out so that this test also runs against older code). */
const REDACTED = '[REDACTED private key]';
const bodyOf = (k: string) => k.replace(/-{5}[^-]+-{5}/g, '').replace(/\s+/g, '');

function expectNoKey(text: string, key: string, where: string) {
  const body = bodyOf(key);
  const flat = text.replace(/\\+[nrt]|\s+/g, '');
  for (let i = 0; i + 12 <= body.length; i += 6) expect(flat.includes(body.slice(i, i + 12)), `${where} holds key material "${body.slice(i, i + 12)}"`).toBe(false);
  expect(text, `${where} holds a private-key PEM line`).not.toMatch(/PRIVATE KEY-{5}/);
}

const log = (key: string) =>
  `[2026-11-29T02:47:12.000Z] "GET /reviews HTTP/1.1" 503 UF upstream_reset_before_response_started{connection_failure,TLS_error:_268436504:SSL_routines:OPENSSL_internal:TLSV1_ALERT_UNKNOWN_CA}\nsomeone pasted the mounted key too:\n${key}\nend of paste`;

let tmp: ReturnType<typeof tempDir>;
let files: { chain: string; trust: string };
beforeAll(async () => {
  tmp = tempDir();
  const m = await mesh();
  files = { chain: tmp.file('chain.pem', m.leaf.pem + m.inter.pem), trust: tmp.file('root.pem', m.root.pem) };
});
afterAll(() => tmp.cleanup());

describe('--symptom text holding a private key', () => {
  for (const [name, key] of Object.entries(KEYS)) {
    it(`${name}: redacted in the saved bundle and every output format; --save-evidence still works`, () => {
      for (const o of ['text', 'json', 'markdown', 'slack']) {
        const ev = join(tmp.dir, `ev-${o}.json`);
        const r = runCli(['diagnose', '--chain', files.chain, '--trust', files.trust, '--symptom', log(key), '--save-evidence', ev, '-o', o, '--at', new Date(NOW).toISOString()]);
        expect(r.stderr).toBe('');
        expect([0, 1]).toContain(r.code);
        expectNoKey(r.stdout, key, `-o ${o}`);
        const saved = readFileSync(ev, 'utf8');
        expectNoKey(saved, key, 'the saved bundle');
        const bundle = JSON.parse(saved) as { symptomText: string };
        expect(bundle.symptomText).toContain(REDACTED);
        expect(bundle.symptomText).toContain('TLSV1_ALERT_UNKNOWN_CA');
      }
    });
  }

  it('the library report does not carry it either, and the symptom still ranks', async () => {
    const key = KEYS['Ed25519 PKCS#8 PEM'];
    const r = await diagnose({ chain: readFileSync(files.chain, 'utf8'), trust: readFileSync(files.trust, 'utf8'), symptom: log(key), at: NOW });
    expectNoKey(JSON.stringify(r), key, 'the library report');
    expect(r.symptom?.source).toBe('pasted');
  });
});

describe('explain quoting a paste that holds a private key', () => {
  for (const [name, key] of Object.entries(KEYS)) {
    it(`${name}: no quote carries it (library and CLI, every format)`, async () => {
      const paste = `TLS error: 268436504:SSL routines:OPENSSL_internal:TLSV1_ALERT_UNKNOWN_CA ${key}`;
      const r = await explain(paste);
      expect(r.findings[0]?.rule).toBe('chain/unknown-authority');
      expectNoKey(JSON.stringify(r), key, 'explain()');
      for (const o of ['text', 'json', 'markdown', 'slack']) {
        const c = runCli(['explain', '-', '-o', o], { input: log(key) });
        expect(c.code, c.stderr).toBe(0);
        expectNoKey(c.stdout + c.stderr, key, `explain -o ${o}`);
      }
    });
  }
});

describe('an Envoy error body holding a private key', () => {
  let server: Server;
  let url = '';
  const key = KEYS['EC SEC1 PEM'];
  beforeAll(async () => {
    server = await new Promise<Server>((resolve) => {
      const s = createServer((_req, res) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(key);
      });
      s.listen(0, '127.0.0.1', () => resolve(s));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('the quoted reason is redacted (collector and CLI report)', async () => {
    const c = await collectProxy({ label: sourceLabel, envoyAdmin: url, auto: false, env: {}, now: () => NOW });
    const reasons = c.sources.map((s) => s.reason ?? '').join('\n');
    expect(reasons).toMatch(/HTTP 500/);
    expectNoKey(reasons, key, 'source reasons');
    for (const o of ['text', 'json']) {
      const r = runCli(['diagnose', '--chain', files.chain, '--trust', files.trust, '--envoy-admin', url, '-o', o]);
      expect([0, 1]).toContain(r.code);
      expectNoKey(r.stdout + r.stderr, key, `diagnose --envoy-admin -o ${o}`);
    }
  });
});
