/**
 * What a flood can fill in `serve`, bounded (docs/chat.md#memory-under-a-flood): the webhook's answers kept for
 * polling (count and bytes), request bodies being received across connections, the response_urls whose posts
 * are counted, and the connections open at once.
 */
import { createServer, request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BodyBudget, readBody } from '../../src/serve/http.js';
import { Responder } from '../../src/serve/responder.js';
import { JOB_STORE_BYTES, JobStore, type Job } from '../../src/serve/webhook.js';
import { ServeError } from '../../src/serve/errors.js';
import { MAX_CONNECTIONS } from '../../src/serve/server.js';
import { responseUrlStandIn, startServe } from './harness.js';

const job = (id: string, owner = 'token:a'): Job => ({ id, owner, state: 'running', done: Promise.resolve() });

describe('JobStore', () => {
  it('keeps the answers within its byte bound: the oldest ended answers go first, running jobs and the newest stay', () => {
    let now = 0;
    const store = new JobStore(() => now, { maxJobs: 100, maxBytes: 1000 });
    const running = job('running');
    store.remember(running);
    const ended = ['a', 'b', 'c', 'd'].map((id) => job(id));
    for (const j of ended) {
      store.remember(j);
      now += 10;
      j.state = 'done';
      j.finishedAt = now;
      store.settled(j, 400);
    }
    // 4 × 400 bytes against 1000: a and b went, c and d (800 bytes) stay, and so does the running job.
    expect(['a', 'b', 'c', 'd', 'running'].map((id) => store.find(id, 'token:a') !== undefined)).toEqual([false, false, true, true, true]);
    expect(store.bytes).toBe(800);
    // An answer larger than the bound on its own is kept (it is the one being answered), alone.
    const big = job('big');
    store.remember(big);
    store.settled(big, 5000);
    expect(store.find('big', 'token:a')).toBe(big);
    expect(store.find('d', 'token:a')).toBeUndefined();
    expect(store.bytes).toBe(5000);
  });

  it('keeps at most maxJobs, forgets answers after 15 minutes, and gives their bytes back', () => {
    let now = 0;
    const store = new JobStore(() => now, { maxJobs: 3, maxBytes: JOB_STORE_BYTES });
    for (const id of ['a', 'b', 'c', 'd']) {
      const j = job(id);
      store.remember(j);
      j.finishedAt = now;
      store.settled(j, 100);
    }
    expect(store.size).toBe(3);
    expect(store.find('a', 'token:a')).toBeUndefined();
    expect(store.bytes).toBe(300);
    now += 16 * 60 * 1000;
    store.remember(job('e'));
    expect(store.size).toBe(1);
    expect(store.bytes).toBe(0);
  });
});

describe('readBody with a BodyBudget (bodies being received, every connection together)', () => {
  let url: string;
  let budget: BodyBudget;
  let outcome: Promise<Buffer | ServeError>;
  const server = createServer((req: IncomingMessage, res) => {
    outcome = readBody(req, 64 * 1024, budget).catch((e: ServeError) => e);
    void outcome.then((v) => res.writeHead(v instanceof ServeError ? 429 : 200).end());
  });
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => server.close());
  const post = (body: Buffer) =>
    new Promise<number>((resolve, reject) => {
      const q = request(url, { method: 'POST', headers: { 'content-length': body.length } }, (res) => (res.resume(), resolve(res.statusCode!)));
      q.on('error', reject);
      q.end(body);
    });

  it('refuses a body whose bytes do not fit as busy, and gives every byte back once a body is read or refused', async () => {
    budget = new BodyBudget(16 * 1024);
    expect(await post(Buffer.alloc(8 * 1024, 1))).toBe(200);
    expect(((await outcome) as Buffer).length).toBe(8 * 1024);
    expect(budget.inUse).toBe(0);
    // Under the 64 KiB body limit, over what the budget has room for.
    expect(await post(Buffer.alloc(40 * 1024, 1))).toBe(429);
    expect(await outcome).toMatchObject({ code: 'E_BUSY' });
    expect(budget.inUse).toBe(0);
    budget.take(12 * 1024); // another connection's body being read
    expect(await post(Buffer.alloc(8 * 1024, 1))).toBe(429);
    budget.give(12 * 1024);
    expect(await post(Buffer.alloc(8 * 1024, 1))).toBe(200);
    expect(budget.inUse).toBe(0);
  });
});

describe('Responder', () => {
  let stand: Awaited<ReturnType<typeof responseUrlStandIn>>;
  beforeAll(async () => (stand = await responseUrlStandIn()));
  afterAll(() => stand.close());

  it('counts the posts of at most maxTracked response_urls, forgetting the oldest first', async () => {
    const r = new Responder({ prefix: stand.url, now: () => 0, maxTracked: 3 });
    for (let i = 0; i < 6; i++) expect((await r.post(`${stand.url}u${i}`, { text: String(i) })).ok).toBe(true);
    expect(r.tracked).toBe(3);
  });
});

describe('the server', () => {
  it('keeps at most MAX_CONNECTIONS connections open', async () => {
    const h = await startServe();
    try {
      expect(MAX_CONNECTIONS).toBe(1024);
      expect(h.serve.server.maxConnections).toBe(MAX_CONNECTIONS);
    } finally {
      await h.close();
    }
  });
});
