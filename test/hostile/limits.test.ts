/**
 * The limits table (src/limits.ts) at every edge (issue 15): bundles, library inputs, Envoy answers, the
 * collection deadline. Each refusal is one clear E_INPUT line that names the limit, and comes before the
 * expensive part (a 58 MiB bundle of 80,000 certificates took 1 GB and 12.6 s; 100,000 library trust inputs
 * 1.1 GB; an Envoy dump of 12 secrets × 2,000 certificates 559 MB).
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMITS, jsonNestingDepth } from '../../src/limits.js';
import { parseEvidence, serializeEvidence } from '../../src/evidence/bundle.js';
import { parseSecrets } from '../../src/evidence/envoy-parse.js';
import { collectProxy } from '../../src/collect/proxy.js';
import { diagnose } from '../../src/index.js';
import { evidenceFromInputs } from '../../src/evidence/from-inputs.js';
import { mesh, NOW, type Issued } from '../support/pki.js';
import { sourceLabel } from '../../src/report/source-label.js';

let m: { root: Issued; inter: Issued; leaf: Issued };
beforeAll(async () => {
  m = await mesh();
});

const bundleOf = (trust: string[][]) =>
  evidenceFromInputs({ label: sourceLabel, chain: { name: 'chain', data: m.leaf.pem + m.inter.pem }, trust: trust.map((pems, i) => ({ name: `t${i}`, data: pems.join('') })), target: { kind: 'library' }, at: NOW });

describe('evidence bundles', () => {
  it('a bundle with more PEM blocks than one diagnosis allows is refused before it is parsed', () => {
    const one = serializeEvidence(bundleOf([[m.root.pem]]));
    // 2 × the total in one set: what the 80,000-certificate bundle is, scaled to the limit.
    const many = JSON.stringify(Array.from({ length: 2 * LIMITS.certificatesTotal + 1 }, () => m.root.pem));
    const text = one.replace('"trust": [', `"trust": [{"source": "big", "pems": ${many}},`);
    expect(() => parseEvidence(text, 'big.json')).toThrow(new RegExp(`^Cannot read evidence bundle big\\.json: it holds more than ${2 * LIMITS.certificatesTotal} PEM blocks`));
  });

  it('one set over the per-source limit is refused', () => {
    const one = serializeEvidence(bundleOf([[m.root.pem]]));
    const text = one.replace('"trust": [', `"trust": [{"source": "big", "pems": ${JSON.stringify(Array.from({ length: LIMITS.certificatesPerSource + 1 }, () => m.root.pem))}},`);
    expect(() => parseEvidence(text, 'b.json')).toThrow(`"trust[0]" holds ${LIMITS.certificatesPerSource + 1} PEM blocks, over the limit of ${LIMITS.certificatesPerSource} per source`);
  });

  it('too big, and nested too deep, are refused', () => {
    expect(() => parseEvidence(' '.repeat(LIMITS.bundleBytes + 1), 'huge.json')).toThrow(/over the 16\.0 MiB limit for a bundle/);
    const deep = '{"kind":' + '['.repeat(100_000) + ']'.repeat(100_000) + '}';
    expect(() => parseEvidence(deep, 'deep.json')).toThrow(/nests more than 64 levels deep/);
    expect(jsonNestingDepth('{"a": "[[[[[[", "b": [[1]]}')).toBe(3);
  });

  it('a bundle within the limits still replays', () => {
    const b = bundleOf([[m.root.pem]]);
    expect(parseEvidence(serializeEvidence(b), 'ok.json').certificates.trust[0]!.pems).toHaveLength(1);
  });
});

describe('library inputs', () => {
  it('100,000 trust inputs: refused at once, before any is decoded', async () => {
    const trust = Array.from({ length: 100_000 }, () => m.root.pem);
    await expect(diagnose({ chain: m.leaf.pem, trust, at: NOW })).rejects.toMatchObject({ code: 'E_INPUT', message: expect.stringMatching(new RegExp(`^Cannot diagnose: "trust" has 100000 inputs, over the limit of ${LIMITS.inputsPerList} in one list`)) });
  });

  it('certificates in total across inputs: the input that crosses the limit is named', async () => {
    const block = Array.from({ length: LIMITS.certificatesPerSource }, () => m.root.pem).join('');
    await expect(diagnose({ chain: m.leaf.pem, trust: [block, block, block], at: NOW })).rejects.toMatchObject({
      code: 'E_INPUT',
      message: expect.stringMatching(new RegExp(`^Cannot read trust\\[1\\]: it takes the diagnosis over ${LIMITS.certificatesTotal} certificates in total`)),
    });
  });

  it('pasted symptom text over 1 MiB is refused', async () => {
    await expect(diagnose({ chain: m.leaf.pem, trust: m.root.pem, symptom: 'x'.repeat(LIMITS.textBytes + 1), at: NOW })).rejects.toMatchObject({ code: 'E_INPUT' });
  });
});

describe('Envoy admin answers', () => {
  it('12 secrets × the per-source limit: read up to the total, the rest named as a problem', () => {
    const inline = Buffer.from(Array.from({ length: LIMITS.certificatesPerSource }, () => m.root.pem).join('')).toString('base64');
    const configs = Array.from({ length: 12 }, (_, i) => ({
      '@type': 'type.googleapis.com/envoy.admin.v3.SecretsConfigDump.DynamicSecret',
      name: `s${i}`,
      secret: { name: `s${i}`, validation_context: { trusted_ca: { inline_bytes: inline } } },
    }));
    const r = parseSecrets({ configs });
    const read = r.secrets.reduce((a, s) => a + s.pems.length, 0);
    expect(read).toBeLessThanOrEqual(LIMITS.certificatesTotal);
    expect(r.problems.some((p) => new RegExp(`more than ${LIMITS.certificatesTotal} certificates in total`).test(p))).toBe(true);
  });
});

describe('one deadline for the whole collection', () => {
  let server: Server;
  const sockets: Socket[] = [];
  let url = '';
  beforeAll(async () => {
    // Accepts connections and never answers.
    server = createServer((s) => void sockets.push(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => {
    for (const s of sockets) s.destroy();
    return new Promise<void>((r) => server.close(() => r()));
  });

  it('admin and agent that never answer share one budget instead of adding their timeouts up', async () => {
    const started = Date.now();
    const c = await collectProxy({ label: sourceLabel, envoyAdmin: url, agent: url, auto: false, env: {}, now: () => NOW, timeoutMs: 1000, budgetMs: 1500 });
    const took = Date.now() - started;
    const admin = c.sources.find((s) => s.name === 'envoy admin secrets')!.reason!;
    const agent = c.sources.find((s) => s.name === 'pilot-agent metrics')!.reason!;
    expect(admin).toMatch(/no complete answer within 1s/);
    // Asked at once (issue 22), each within min(its 1 s cap, what is left of the 1.5 s budget): the collection
    // ends within the budget, not after 1 s per endpoint one after another.
    expect(agent).toMatch(/no complete answer within (1|0\.\d)s|budget for the whole collection was used up/);
    expect(took).toBeLessThan(1500 + 400);
  });
});
