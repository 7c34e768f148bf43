/**
 * diagnose(request, deps): every dependency is injected with a real default — the file reader, the undici
 * Dispatcher (Envoy admin), the probe's transport (DNS + TCP under node:tls) and the clock.
 */
import { MockAgent } from 'undici';
import { beforeAll, describe, expect, it } from 'vitest';
import { inputError } from '../../src/errors.js';
import { diagnose } from '../../src/index.js';
import { configDumpPayload, certsPayload, istioStats, statsPayload } from '../support/fake-envoy-admin.js';
import { NOW, mesh, type Issued } from '../support/pki.js';

let m: { root: Issued; inter: Issued; leaf: Issued };
beforeAll(async () => {
  m = await mesh();
});

describe('injected dependencies', () => {
  it('readFile: { path } inputs are read through it, and its errors surface as they are', async () => {
    const files: Record<string, string> = { '/virtual/chain.pem': m.leaf.pem + m.inter.pem, '/virtual/root.pem': m.root.pem };
    const asked: string[] = [];
    const readFile = (path: string, flag: string) => {
      asked.push(`${flag} ${path}`);
      if (!(path in files)) throw inputError(`Cannot read ${flag} file "${path}": no such file (virtual)`);
      return Buffer.from(files[path]!);
    };
    const r = await diagnose({ chain: { path: '/virtual/chain.pem' }, trust: [{ path: '/virtual/root.pem' }], at: NOW }, { readFile });
    expect(asked).toEqual(['--chain /virtual/chain.pem', '--trust /virtual/root.pem']);
    expect(r.target).toEqual({ kind: 'files', chain: '/virtual/chain.pem' });
    expect(r.chains[0]!.certificates[0]!.source).toBe('/virtual/chain.pem #1');
    await expect(diagnose({ chain: { path: '/virtual/missing.pem' } }, { readFile })).rejects.toMatchObject({ code: 'E_INPUT', message: 'Cannot read --chain file "/virtual/missing.pem": no such file (virtual)' });
  });

  it('now: the evaluation time when at is not given', async () => {
    const r = await diagnose({ chain: m.leaf.pem + m.inter.pem, trust: m.root.pem }, { now: () => NOW });
    expect(r.evaluatedAt).toBe(new Date(NOW).toISOString());
  });

  it('dispatcher: the Envoy admin is read through the injected undici Dispatcher, nothing else', async () => {
    const spec = { chain: [m.leaf, m.inter, m.root], roots: [m.root] };
    const agent = new MockAgent();
    agent.disableNetConnect();
    const asked: string[] = [];
    agent
      .get('http://envoy.invalid:15000')
      .intercept({ path: () => true, method: 'GET' })
      .reply((o) => {
        asked.push(o.path);
        const url = new URL(o.path, 'http://envoy.invalid');
        const body =
          url.pathname === '/config_dump' ? configDumpPayload(spec, url.searchParams.get('resource'))
          : url.pathname === '/certs' ? certsPayload(spec)
          : url.pathname === '/stats' ? statsPayload(istioStats(), url.searchParams.get('filter'))
          : null;
        return body === null ? { statusCode: 404, data: 'no' } : { statusCode: 200, data: JSON.stringify(body), responseOptions: { headers: { 'content-type': 'application/json' } } };
      })
      .persist();
    try {
      const r = await diagnose({ envoyAdmin: 'http://envoy.invalid:15000', at: NOW }, { dispatcher: agent, env: {} });
      expect(asked.length).toBeGreaterThan(0);
      expect(asked.some((p) => p.startsWith('/config_dump'))).toBe(true);
      expect(r.chains[0]!.certificates.map((c) => c.source)).toEqual(['envoy secret "default" #1', 'envoy secret "default" #2', 'envoy secret "default" #3']);
      expect(r.verdict).toBe('healthy');
    } finally {
      await agent.close();
    }
  });

  it('transport: the probe resolves and connects through the injected transport', async () => {
    const calls: string[] = [];
    const transport = {
      lookup: async (host: string) => (calls.push(`lookup ${host}`), '192.0.2.10'),
      connect: async (address: string, port: number) => {
        calls.push(`connect ${address}:${port}`);
        throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      },
    };
    const r = await diagnose({ chain: m.leaf.pem + m.inter.pem, key: await m.leaf.keyPem(), trust: m.root.pem, peer: 'ledger.invalid:8080', at: NOW }, { transport });
    // Resolved once; every attempt (as the workload, then without a certificate) connects to that address.
    expect(calls[0]).toBe('lookup ledger.invalid');
    expect(calls.length).toBeGreaterThan(1);
    expect(calls.slice(1).every((c) => c === 'connect 192.0.2.10:8080')).toBe(true);
    expect(r.target).toMatchObject({ kind: 'library', peer: 'ledger.invalid:8080' });
    expect(JSON.stringify(r.sources)).toMatch(/refused/);
  });
});
