/**
 * Test harness for `serve`: a config with secrets in a temp dir, the server on 127.0.0.1:0 with injected deps,
 * a loopback stand-in for Slack's response_url that records every post, and a Slack request signer.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { parseOnly } from '../../src/cli/main.js';
import { parseConfig, type ServeConfig } from '../../src/serve/config.js';
import { defaultServeDeps, type DiagnoseContext, type ServeDeps } from '../../src/serve/deps.js';
import { createServe, type ServeHandle, type ServeOptions } from '../../src/serve/server.js';
import { slackSignature } from '../../src/serve/slack-signature.js';
import type { ServeDiagnoseRequest } from '../../src/serve/request.js';
import type { Report } from '../../src/report/types.js';

export const SIGNING_SECRET = 'test-signing-secret-0123456789abcdef';
export const TOKEN_A = 'token-a-0123456789abcdef0123456789';
export const TOKEN_B = 'token-b-0123456789abcdef0123456789';

export interface Posted {
  path: string;
  body: any;
}

/** A loopback HTTP server standing in for https://hooks.slack.com/: records posts, answers 200. */
export async function responseUrlStandIn(): Promise<{ url: string; posts: Posted[]; close: () => Promise<void>; waitFor: (n: number, ms?: number) => Promise<Posted[]> }> {
  const posts: Posted[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      posts.push({ path: req.url ?? '', body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    posts,
    close: () => new Promise((r) => server.close(() => r())),
    waitFor: async (n, ms = 20_000) => {
      const until = Date.now() + ms;
      while (posts.length < n && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      return posts;
    },
  };
}

export interface Harness {
  serve: ServeHandle;
  url: string;
  config: ServeConfig;
  logs: any[];
  calls: Array<{ request: ServeDiagnoseRequest; ctx: DiagnoseContext }>;
  close: () => Promise<void>;
}

/** Config text → config, with the secret files written to a temp dir. `extra` is merged over the defaults. */
export function testConfig(o: { responseUrlPrefix?: string; extra?: Record<string, unknown> } = {}): ServeConfig {
  const dir = mkdtempSync(join(tmpdir(), 'serve-test-'));
  try {
    writeFileSync(join(dir, 'slack'), SIGNING_SECRET + '\n');
    writeFileSync(join(dir, 'a'), TOKEN_A);
    writeFileSync(join(dir, 'b'), TOKEN_B);
    const cfg = {
      slack: { signingSecretFile: join(dir, 'slack'), responseUrlPrefix: o.responseUrlPrefix ?? 'https://hooks.slack.com/', channels: { C1: ['bookinfo', 'payments'], C2: ['payments'] } },
      tokens: [
        { name: 'bot-a', tokenFile: join(dir, 'a'), namespaces: ['bookinfo'] },
        { name: 'bot-b', tokenFile: join(dir, 'b'), namespaces: ['payments'] },
      ],
      limits: { perCallerPerMinute: 1000, syncWaitSeconds: 2 },
      cluster: { peerCidrs: ['10.96.0.0/12', '10.244.0.0/16'] },
      ...o.extra,
    };
    return parseConfig(JSON.stringify(cfg), 'test.json');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A fake diagnosis: records the call and answers a fixed report (or what `answer` returns). */
export function fakeReport(verdict: Report['verdict'] = 'failing', findings: Report['findings'] = []): Report {
  return {
    schemaVersion: 1,
    tool: { name: 'mtls-doctor', version: 'test' },
    evaluatedAt: '2026-11-29T03:00:00.000Z',
    target: { kind: 'library' },
    verdict,
    symptom: null,
    findings,
    notEvaluated: [],
    chains: [],
    sources: [],
  };
}

export async function startServe(o: { config?: ServeConfig; deps?: Partial<ServeDeps>; options?: ServeOptions; answer?: (request: ServeDiagnoseRequest, ctx: DiagnoseContext) => Promise<Report> } = {}): Promise<Harness> {
  const logs: any[] = [];
  const calls: Harness['calls'] = [];
  const config = o.config ?? testConfig();
  const deps = defaultServeDeps({
    parseArgv: parseOnly,
    // Tests say which kind of build they stand for (default: one without cluster mode).
    cluster: false,
    log: (line) => void logs.push(JSON.parse(line)),
    resolve: async () => {
      throw Object.assign(new Error('no DNS in tests'), { code: 'ENOTFOUND' });
    },
    diagnose: async (request, ctx) => {
      calls.push({ request, ctx });
      return o.answer ? o.answer(request, ctx) : fakeReport();
    },
    ...o.deps,
  });
  const serve = createServe(config, deps, o.options);
  await serve.listen('127.0.0.1', 0);
  return { serve, url: serve.url(), config, logs, calls, close: () => serve.close() };
}

/** A Slack slash-command body, signed (unless `sign: false`) as Slack signs it. */
export function slackForm(fields: Record<string, string>): string {
  return new URLSearchParams({ command: '/mtls', team_id: 'T1', user_id: 'U1', channel_id: 'C1', response_url: 'https://hooks.slack.com/commands/T1/1/abc', ...fields }).toString();
}

export async function postSlack(
  base: string,
  body: string,
  o: { sign?: boolean; secret?: string; timestamp?: number; signature?: string } = {},
): Promise<{ status: number; json: any; text: string }> {
  const ts = String(o.timestamp ?? Math.floor(Date.now() / 1000));
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (o.sign !== false) {
    headers['x-slack-request-timestamp'] = ts;
    headers['x-slack-signature'] = o.signature ?? slackSignature(o.secret ?? SIGNING_SECRET, ts, body);
  }
  const res = await request(`${base}/slack/commands`, { method: 'POST', headers, body });
  const text = await res.body.text();
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: res.statusCode, json, text };
}

export async function api(base: string, method: 'GET' | 'POST', path: string, o: { token?: string; body?: unknown; raw?: string; contentType?: string } = {}): Promise<{ status: number; json: any; headers: Record<string, string | string[] | undefined> }> {
  const headers: Record<string, string> = {};
  if (o.token) headers.authorization = `Bearer ${o.token}`;
  if (method === 'POST') headers['content-type'] = o.contentType ?? 'application/json';
  const res = await request(`${base}${path}`, { method, headers, body: method === 'POST' ? (o.raw ?? JSON.stringify(o.body ?? {})) : undefined });
  const text = await res.body.text();
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.statusCode, json, headers: res.headers };
}

export const audits = (logs: any[]) => logs.filter((l) => l.msg === 'audit');

export async function until(cond: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
