/** Queue-full and deadline behaviour: a bounded queue answers 429 / "busy" at once; a diagnosis past its deadline is 504. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RateLimiter, WorkQueue } from '../../src/serve/limits.js';
import { ServeError } from '../../src/serve/errors.js';
import { api, audits, postSlack, responseUrlStandIn, slackForm, startServe, testConfig, until, TOKEN_A } from './harness.js';

const never = () => new Promise<never>(() => undefined);

describe('WorkQueue', () => {
  it('runs at most `concurrency` jobs, queues `capacity` more, and refuses the next with E_BUSY without running it', async () => {
    const q = new WorkQueue({ concurrency: 1, capacity: 1, deadlineMs: 60_000 });
    const releases: Array<() => void> = [];
    let started = 0;
    const job = () => new Promise<string>((r) => (started++, releases.push(() => r('ok'))));
    const a = q.submit(job);
    const b = q.submit(job);
    expect(q.active).toBe(1);
    expect(q.depth).toBe(1);
    let ran = false;
    expect(() => q.submit(async () => ((ran = true), 'x'))).toThrow(ServeError);
    try {
      q.submit(async () => 'x');
    } catch (e) {
      expect((e as ServeError).code).toBe('E_BUSY');
    }
    expect(ran).toBe(false);
    releases[0]!();
    expect(await a).toBe('ok');
    await until(() => started === 2);
    releases[1]!();
    expect(await b).toBe('ok');
  });

  it('answers E_DEADLINE at the deadline, aborts the signal and frees the worker for the next job', async () => {
    const q = new WorkQueue({ concurrency: 1, capacity: 0, deadlineMs: 200 });
    let aborted = false;
    const stuck = q.submit(({ signal }) => (signal.addEventListener('abort', () => (aborted = true)), never()));
    await expect(stuck).rejects.toMatchObject({ code: 'E_DEADLINE' });
    expect(aborted).toBe(true);
    expect(q.abandoned).toBe(1);
    expect(await q.submit(async () => 'next')).toBe('next');
  });

  it('a job that throws synchronously is a rejected job, not a crash', async () => {
    const q = new WorkQueue({ concurrency: 1, capacity: 0, deadlineMs: 1000 });
    await expect(q.submit(() => { throw new Error('boom'); })).rejects.toThrow('boom');
    expect(q.active).toBe(0);
  });
});

describe('RateLimiter', () => {
  it('allows perMinute requests in any 60 s window, per caller', () => {
    const r = new RateLimiter(2);
    r.take('a', 0);
    r.take('a', 1000);
    expect(() => r.take('a', 2000)).toThrow(/at most 2 a minute/);
    r.take('b', 2000);
    r.take('a', 60_001);
  });
});

describe('the server when full or slow', () => {
  let stand: Awaited<ReturnType<typeof responseUrlStandIn>>;
  beforeAll(async () => (stand = await responseUrlStandIn()));
  afterAll(() => stand.close());

  it('queue full: the webhook answers 429 busy and Slack an ephemeral "Busy", and nothing more runs', async () => {
    const h = await startServe({ config: testConfig({ responseUrlPrefix: stand.url, extra: { limits: { concurrency: 1, queue: 1, syncWaitSeconds: 0, perCallerPerMinute: 1000 } } }), answer: never, deps: { resolve: async () => [{ address: '10.96.0.9', family: 4 }] } });
    try {
      expect((await api(h.url, 'POST', '/v1/diagnoses', { token: TOKEN_A, body: {} })).status).toBe(202);
      expect((await api(h.url, 'POST', '/v1/diagnoses', { token: TOKEN_A, body: {} })).status).toBe(202);
      const full = await api(h.url, 'POST', '/v1/diagnoses', { token: TOKEN_A, body: {} });
      expect(full.status).toBe(429);
      expect(full.json.error.code).toBe('E_BUSY');
      const slack = await postSlack(h.url, slackForm({ text: 'diagnose --peer r.bookinfo:9080', response_url: `${stand.url}busy` }));
      expect(slack.json.text).toMatch(/Busy: 1 diagnoses running and 1 waiting/);
      await new Promise((r) => setTimeout(r, 100));
      expect(h.calls).toHaveLength(1);
      expect(stand.posts.filter((p) => p.path === '/busy')).toHaveLength(0);
      expect((await api(h.url, 'GET', '/metrics')).json).toMatch(/^mtls_doctor_serve_refusals_total\{reason="E_BUSY"\} 2$/m);
    } finally {
      h.serve.server.closeAllConnections();
      h.serve.server.close();
    }
  });

  it('deadline: the webhook answers 504, Slack gets one post saying so, and the server keeps serving', async () => {
    const h = await startServe({ config: testConfig({ responseUrlPrefix: stand.url, extra: { limits: { deadlineSeconds: 1, syncWaitSeconds: 5, perCallerPerMinute: 1000 } } }), answer: never, deps: { resolve: async () => [{ address: '10.96.0.9', family: 4 }] } });
    try {
      const r = await api(h.url, 'POST', '/v1/diagnoses', { token: TOKEN_A, body: {} });
      expect(r.status).toBe(504);
      expect(r.json.error).toMatchObject({ code: 'E_DEADLINE' });
      await postSlack(h.url, slackForm({ text: 'diagnose --peer r.bookinfo:9080', response_url: `${stand.url}late` }));
      await stand.waitFor(1);
      await until(() => stand.posts.some((p) => p.path === '/late'));
      await new Promise((r) => setTimeout(r, 200));
      const posts = stand.posts.filter((p) => p.path === '/late');
      expect(posts).toHaveLength(1);
      expect(posts[0]!.body.text).toMatch(/ran past the 1 s deadline/);
      expect((await api(h.url, 'GET', '/healthz')).status).toBe(200);
      await until(() => audits(h.logs).some((a) => a.route === 'slack' && a.error === 'E_DEADLINE'));
    } finally {
      h.serve.server.closeAllConnections();
      h.serve.server.close();
    }
  });

  it('a diagnosis that throws a non-library error is answered with a generic line; the details go to the log only', async () => {
    const h = await startServe({ answer: async () => { throw new Error('secret internal detail /var/run/x'); } });
    try {
      const r = await api(h.url, 'POST', '/v1/diagnoses', { token: TOKEN_A, body: {} });
      expect(r.status).toBe(500);
      expect(JSON.stringify(r.json)).not.toContain('secret internal detail');
      expect(h.logs.some((l) => l.level === 'error' && String(l.error).includes('secret internal detail'))).toBe(true);
    } finally {
      await h.close();
    }
  });
});
