/** POST /v1/diagnoses and GET /v1/diagnoses/{id}: bearer tokens scoped to namespaces, the real library behind it. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request as httpRequest } from 'node:http';
import { defaultDiagnose } from '../../src/serve/deps.js';
import { mesh, NOW, type Issued } from '../support/pki.js';
import { api, audits, fakeReport, startServe, testConfig, until, TOKEN_A, TOKEN_B, type Harness } from './harness.js';

let m: { root: Issued; inter: Issued; leaf: Issued };
let lib: Harness;
beforeAll(async () => {
  m = await mesh({ inter: { notAfter: new Date(NOW - 3600_000) } });
  // The library's own diagnose() behind the server.
  lib = await startServe({ deps: { diagnose: defaultDiagnose } });
});
afterAll(() => lib.close());

describe('POST /v1/diagnoses', () => {
  it('answers the report JSON for PEM contents (the library request as JSON)', async () => {
    const r = await api(lib.url, 'POST', '/v1/diagnoses', { token: TOKEN_A, body: { chain: [m.leaf.pem, m.inter.pem], trust: m.root.pem, at: new Date(NOW).toISOString() } });
    expect(r.status).toBe(200);
    expect(r.json.schemaVersion).toBe(1);
    expect(r.json.verdict).toBe('failing');
    expect(r.json.findings[0].rule).toBe('expiry/intermediate-expired');
  });

  it('bad input is 400 with one line, not a stack trace', async () => {
    const r = await api(lib.url, 'POST', '/v1/diagnoses', { token: TOKEN_A, body: { chain: 'not a certificate' } });
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe('E_INPUT');
    expect(r.json.error.message).not.toMatch(/\n|at .*\.ts:/);
  });

  it('no token or a wrong token: 401, nothing runs', async () => {
    const h = await startServe();
    try {
      const none = await api(h.url, 'POST', '/v1/diagnoses', { body: {} });
      expect(none.status).toBe(401);
      expect(none.headers['www-authenticate']).toBe('Bearer');
      expect((await api(h.url, 'POST', '/v1/diagnoses', { token: 'nope-nope-nope-nope-nope-nope', body: {} })).status).toBe(401);
      expect((await api(h.url, 'POST', '/v1/diagnoses', { token: TOKEN_A.slice(0, -1), body: {} })).status).toBe(401);
      expect(h.calls).toHaveLength(0);
    } finally {
      await h.close();
    }
  });

  it('a token is scoped to its namespaces: outside them 403 naming the rule, nothing runs', async () => {
    const h = await startServe({ deps: { cluster: true, resolve: async () => [{ address: '10.244.3.7', family: 4 }] } });
    try {
      const a = await api(h.url, 'POST', '/v1/diagnoses', { token: TOKEN_A, body: { target: 'pod/pay-1', namespace: 'payments' } });
      expect(a.status).toBe(403);
      expect(a.json.error).toMatchObject({ code: 'E_FORBIDDEN', rule: 'tokens["bot-a"]' });
      expect(a.json.error.message).toMatch(/token "bot-a" may not diagnose namespace "payments"/);
      const peer = await api(h.url, 'POST', '/v1/diagnoses', { token: TOKEN_A, body: { peer: 'pay.payments:8443' } });
      expect(peer.status).toBe(403);
      expect(h.calls).toHaveLength(0);
      const b = await api(h.url, 'POST', '/v1/diagnoses', { token: TOKEN_B, body: { target: 'pod/pay-1', namespace: 'payments' } });
      expect(b.status).toBe(200);
      expect(h.calls).toHaveLength(1);
      // Cluster requests carry an impersonation derived from the caller.
      expect(h.calls[0]!.ctx.impersonate).toEqual({ user: 'mtls-doctor:token:bot-b', groups: ['mtls-doctor:token:bot-b'], extra: {} });
      const line = audits(h.logs).find((x) => x.outcome === 'refused' && x.rule === 'tokens["bot-a"]');
      expect(line).toMatchObject({ caller: { kind: 'token', name: 'bot-a' }, target: 'pod/pay-1', namespace: 'payments', status: 403 });
    } finally {
      await h.close();
    }
  });

  it('a cluster target in a build without cluster mode is 501, after authorization', async () => {
    const a = await api(lib.url, 'POST', '/v1/diagnoses', { token: TOKEN_A, body: { target: 'pod/reviews-1', namespace: 'bookinfo' } });
    expect(a.status).toBe(501);
    expect(a.json.error.message).toMatch(/Cluster mode is not available/);
    expect((await api(lib.url, 'POST', '/v1/diagnoses', { token: TOKEN_A, body: { target: 'pod/x', namespace: 'payments' } })).status).toBe(403);
  });

  it('fields a remote caller may not send are refused by name; unknown fields and wrong types are 400', async () => {
    for (const k of ['kubeconfig', 'proxyRoot', 'envoyAdmin', 'saveEvidence', 'agent']) {
      const r = await api(lib.url, 'POST', '/v1/diagnoses', { token: TOKEN_A, body: { [k]: '/etc/passwd' } });
      expect(r.status, k).toBe(403);
      expect(r.json.error.message).toContain(`"${k}" is not accepted over the webhook`);
    }
    for (const body of [{ thresholds: { path: '/etc/passwd' } }, { evidence: { path: '/root/bundle.json' } }, { chain: [{ path: '/etc/ssl/private/key.pem' }] }]) {
      const r = await api(lib.url, 'POST', '/v1/diagnoses', { token: TOKEN_A, body });
      expect(r.status, JSON.stringify(body)).toBeGreaterThanOrEqual(400);
      expect(r.status).toBeLessThan(500);
    }
    expect((await api(lib.url, 'POST', '/v1/diagnoses', { token: TOKEN_A, body: { chainz: 'x' } })).json.error.message).toMatch(/unknown field "chainz"/);
    expect((await api(lib.url, 'POST', '/v1/diagnoses', { token: TOKEN_A, body: { chain: 42 } })).status).toBe(400);
    expect((await api(lib.url, 'POST', '/v1/diagnoses', { token: TOKEN_A, raw: '{"chain":' })).json.error.message).toMatch(/not valid JSON/);
    expect((await api(lib.url, 'POST', '/v1/diagnoses', { token: TOKEN_A, raw: '[]' })).status).toBe(400);
    expect((await api(lib.url, 'POST', '/v1/diagnoses', { token: TOKEN_A, raw: '{}', contentType: 'text/plain' })).status).toBe(400);
  });

  it('a body over limits.bodyBytes is 413', async () => {
    const h = await startServe({ config: testConfig({ extra: { limits: { bodyBytes: 4096, perCallerPerMinute: 1000 } } }) });
    try {
      const r = await api(h.url, 'POST', '/v1/diagnoses', { token: TOKEN_A, raw: JSON.stringify({ symptom: 'x'.repeat(10_000) }) });
      expect(r.status).toBe(413);
      expect(h.calls).toHaveLength(0);
      // Over the limit: read and discarded before the answer (up to LINGER_BYTES), the connection stays usable.
      expect(r.headers.connection).not.toBe('close');
      const huge = await api(h.url, 'POST', '/v1/diagnoses', { token: TOKEN_A, raw: JSON.stringify({ symptom: 'x'.repeat(3 * 1024 * 1024) }) });
      expect(huge.status).toBe(413);
      expect(huge.headers.connection).not.toBe('close');
      expect((await api(h.url, 'GET', '/healthz')).status).toBe(200);
    } finally {
      await h.close();
    }
  });

  it('a refusal sent while the client is still sending a large body reaches the client (lingering close, issue 22)', async () => {
    const h = await startServe({ config: testConfig({ extra: { limits: { bodyBytes: 4096, perCallerPerMinute: 1000 } } }) });
    try {
      // 12 MiB (inside the 16 MiB linger bound), written in 64 KiB chunks by a client that does not wait for the
      // answer: 413 over the limit, 401 without a token; chunked (no Content-Length) and declared alike. Each gets
      // its status and no reset; the body is drained before the answer, so the connection even stays usable.
      for (const [token, declared, status] of [[TOKEN_A, true, 413], [TOKEN_A, false, 413], [undefined, true, 401], [undefined, false, 401]] as const) {
        const r = await postSlowly(h.url, token, 12 * 1024 * 1024, declared);
        expect(r, `${status} ${declared ? 'with' : 'without'} Content-Length`).toEqual({ status, connection: 'keep-alive' });
      }
      expect(h.calls).toHaveLength(0);
      expect((await api(h.url, 'GET', '/healthz')).status).toBe(200);
    } finally {
      await h.close();
    }
  }, 30_000);

  it('the per-caller rate limit answers 429 with Retry-After, per token', async () => {
    const h = await startServe({ config: testConfig({ extra: { limits: { perCallerPerMinute: 2 } } }) });
    try {
      expect((await api(h.url, 'POST', '/v1/diagnoses', { token: TOKEN_A, body: {} })).status).toBe(200);
      expect((await api(h.url, 'POST', '/v1/diagnoses', { token: TOKEN_A, body: {} })).status).toBe(200);
      const third = await api(h.url, 'POST', '/v1/diagnoses', { token: TOKEN_A, body: {} });
      expect(third.status).toBe(429);
      expect(Number(third.headers['retry-after'])).toBeGreaterThan(0);
      expect((await api(h.url, 'POST', '/v1/diagnoses', { token: TOKEN_B, body: {} })).status).toBe(200);
    } finally {
      await h.close();
    }
  });
});

describe('long diagnoses: 202 and GET /v1/diagnoses/{id}', () => {
  it('past limits.syncWaitSeconds the answer is 202 with an id; the owner polls it; other tokens cannot', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const h = await startServe({ config: testConfig({ extra: { limits: { syncWaitSeconds: 0, perCallerPerMinute: 1000 } } }), answer: async () => (await gate, fakeReport('healthy')) });
    try {
      const r = await api(h.url, 'POST', '/v1/diagnoses', { token: TOKEN_A, body: {} });
      expect(r.status).toBe(202);
      expect(r.headers.location).toBe(`/v1/diagnoses/${r.json.id}`);
      expect((await api(h.url, 'GET', r.json.poll, { token: TOKEN_A })).status).toBe(202);
      expect((await api(h.url, 'GET', r.json.poll, { token: TOKEN_B })).status).toBe(404);
      expect((await api(h.url, 'GET', r.json.poll)).status).toBe(401);
      release();
      await until(() => audits(h.logs).some((a) => a.id === r.json.id && a.outcome === 'answered (polled)'));
      const done = await api(h.url, 'GET', r.json.poll, { token: TOKEN_A });
      expect(done.status).toBe(200);
      expect(done.json.verdict).toBe('healthy');
    } finally {
      await h.close();
    }
  });
});

describe('health, readiness, metrics', () => {
  it('GET /healthz, /readyz and /metrics (Prometheus text: requests by route and status, diagnoses by verdict, findings by rule)', async () => {
    expect((await api(lib.url, 'GET', '/healthz')).status).toBe(200);
    expect((await api(lib.url, 'GET', '/readyz')).json.status).toBe('ready');
    const text = (await api(lib.url, 'GET', '/metrics')).json as string;
    expect(text).toMatch(/^mtls_doctor_serve_requests_total\{route="diagnoses",status="200"\} \d+$/m);
    expect(text).toMatch(/^mtls_doctor_serve_diagnoses_total\{kind="certificates",verdict="failing"\} \d+$/m);
    expect(text).toMatch(/^mtls_doctor_serve_findings_total\{rule="expiry\/intermediate-expired",severity="critical"\} \d+$/m);
    expect(text).toMatch(/^mtls_doctor_serve_diagnosis_duration_seconds_bucket\{le="\+Inf",kind="certificates"\} \d+$/m);
    expect(text).toMatch(/^mtls_doctor_serve_process_resident_memory_bytes \d+/m);
    expect(text).toMatch(/^mtls_doctor_serve_queue_depth 0$/m);
  });

  it('unknown paths are 404 and wrong methods 405', async () => {
    expect((await api(lib.url, 'GET', '/v1/nothing')).status).toBe(404);
    const r = await api(lib.url, 'GET', '/v1/diagnoses');
    expect(r.status).toBe(405);
    expect(r.headers.allow).toBe('POST');
  });
});

/** POSTs `bytes` of body in 64 KiB writes with node:http, as a client that does not wait for the server. */
function postSlowly(base: string, token: string | undefined, bytes: number, declared: boolean): Promise<{ status?: number; connection?: string; error?: string }> {
  return new Promise((resolve) => {
    const u = new URL('/v1/diagnoses', base);
    const headers: Record<string, string | number> = { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) };
    if (declared) headers['content-length'] = bytes;
    const req = httpRequest({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', headers });
    let answered: { status: number; connection?: string } | null = null;
    let error: string | undefined;
    // Settles when the whole exchange is over: a reset while still sending counts, even after the answer came.
    req.on('response', (res) => {
      answered = { status: res.statusCode!, connection: res.headers.connection };
      res.resume();
    });
    req.on('error', (e: NodeJS.ErrnoException) => (error = e.code ?? e.message));
    req.on('close', () => resolve({ ...answered, ...(error ? { error } : {}) }));
    const chunk = Buffer.alloc(64 * 1024, 0x78);
    let sent = 0;
    const pump = () => {
      while (sent < bytes) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}
