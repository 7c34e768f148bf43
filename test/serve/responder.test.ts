/** Posts to response_url: only under the prefix, at most 5 per URL in 30 minutes, never following a redirect. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Responder, underPrefix } from '../../src/serve/responder.js';
import { responseUrlStandIn } from './harness.js';

let stand: Awaited<ReturnType<typeof responseUrlStandIn>>;
let elsewhere: { hits: number; url: string; close: () => void };
let redirector: { url: string; close: () => void };
beforeAll(async () => {
  stand = await responseUrlStandIn();
  const e = createServer((_q, s) => (elsewhere.hits++, s.end('ok')));
  await new Promise<void>((r) => e.listen(0, '127.0.0.1', r));
  elsewhere = { hits: 0, url: `http://127.0.0.1:${(e.address() as AddressInfo).port}/`, close: () => e.close() };
  const d = createServer((_q, s) => s.writeHead(307, { location: `${elsewhere.url}stolen` }).end());
  await new Promise<void>((r) => d.listen(0, '127.0.0.1', r));
  redirector = { url: `http://127.0.0.1:${(d.address() as AddressInfo).port}/`, close: () => d.close() };
});
afterAll(async () => {
  await stand.close();
  elsewhere.close();
  redirector.close();
});

describe('Responder', () => {
  it('accepts only URLs under the prefix (same origin, path below it)', () => {
    const p = 'https://hooks.slack.com/';
    expect(underPrefix('https://hooks.slack.com/commands/T1/2/x', p)).toBe(true);
    for (const u of ['http://hooks.slack.com/commands/x', 'https://hooks.slack.com.evil.example/x', 'https://evil@hooks.slack.com/x', 'https://hooks.slack.com:8443/x', 'not a url', '']) expect(underPrefix(u, p), u).toBe(false);
    expect(underPrefix('https://hooks.slack.com/commands/x', 'https://hooks.slack.com/commands/')).toBe(true);
    expect(underPrefix('https://hooks.slack.com/other/x', 'https://hooks.slack.com/commands/')).toBe(false);
    for (const u of ['https://hooks.slack.com/commands/%2e%2e/other', 'https://hooks.slack.com/commands/../other', 'https://hooks.slack.com/commands/%2F..%2Fother']) expect(underPrefix(u, 'https://hooks.slack.com/commands/'), u).toBe(false);
  });

  it('posts at most 5 times to one response_url within 30 minutes', async () => {
    let now = 0;
    const r = new Responder({ prefix: stand.url, now: () => now });
    const url = `${stand.url}five`;
    const outcomes = [];
    for (let i = 0; i < 7; i++) outcomes.push(await r.post(url, { text: String(i) }));
    expect(outcomes.map((o) => o.ok)).toEqual([true, true, true, true, true, false, false]);
    expect(outcomes[5]!.error).toMatch(/already used 5 times/);
    expect(stand.posts.filter((p) => p.path === '/five')).toHaveLength(5);
    now += 31 * 60 * 1000;
    expect((await r.post(url, { text: 'later' })).ok).toBe(true);
  });

  it('does not follow a redirect, and refuses a URL outside the prefix without connecting', async () => {
    const r = new Responder({ prefix: redirector.url, now: Date.now });
    const o = await r.post(`${redirector.url}x`, { text: 'hi' });
    expect(o).toMatchObject({ ok: false, status: 307 });
    expect((await r.post(`${elsewhere.url}x`, { text: 'hi' })).ok).toBe(false);
    expect(elsewhere.hits).toBe(0);
  });
});
