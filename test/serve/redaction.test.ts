/** Nothing from a Secret reaches chat: a private key pasted into a symptom or an explain text never leaves the server. */
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultDiagnose } from '../../src/serve/deps.js';
import { outgoing, redactText } from '../../src/serve/outgoing.js';
import { mesh, NOW, type Issued } from '../support/pki.js';
import { api, postSlack, responseUrlStandIn, slackForm, startServe, testConfig, until, TOKEN_A, type Harness } from './harness.js';

const keys = (() => {
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const ed = generateKeyPairSync('ed25519').privateKey;
  const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
  return [
    ec.export({ type: 'sec1', format: 'pem' }).toString(),
    ec.export({ type: 'pkcs8', format: 'pem' }).toString(),
    ed.export({ type: 'pkcs8', format: 'pem' }).toString(),
    rsa.export({ type: 'pkcs1', format: 'pem' }).toString(),
  ];
})();
/** The base64 body lines of a PEM block: what must never be found in anything we send. */
const bodyLines = (pem: string) => pem.split('\n').filter((l) => l && !l.startsWith('-----'));
const leaks = (text: string, pem: string) => bodyLines(pem).some((l) => l.length > 16 && text.includes(l)) || /PRIVATE KEY/.test(text);

let stand: Awaited<ReturnType<typeof responseUrlStandIn>>;
let h: Harness;
let m: { root: Issued; inter: Issued; leaf: Issued };
beforeAll(async () => {
  m = await mesh();
  stand = await responseUrlStandIn();
  h = await startServe({ config: testConfig({ responseUrlPrefix: stand.url }), deps: { diagnose: defaultDiagnose, resolve: async () => [{ address: '10.96.0.1', family: 4 }] } });
});
afterAll(async () => {
  await h.close();
  await stand.close();
});

describe('redaction of everything sent out', () => {
  it('a key pasted with its lines joined by spaces is caught by the project-wide redactor behind chat\'s own pass', () => {
    for (const k of keys) {
      const mangled = `symptom: ${bodyLines(k).join(' ')} end`;
      expect(leaks(redactText(mangled), k), k.split('\n')[0]).toBe(false);
    }
  });

  it('redactText removes private-key PEM blocks of every type, also when cut off, and long base64 runs', () => {
    for (const k of keys) {
      expect(leaks(redactText(`before ${k} after`), k)).toBe(false);
      expect(leaks(redactText(`log: ${k.slice(0, k.length / 2)}`), k)).toBe(false);
      expect(leaks(redactText(bodyLines(k).join('')), k)).toBe(false);
    }
    expect(redactText('TLS error: 268436504:SSL routines:OPENSSL_internal:TLSV1_ALERT_UNKNOWN_CA')).toBe('TLS error: 268436504:SSL routines:OPENSSL_internal:TLSV1_ALERT_UNKNOWN_CA');
    expect(outgoing({ a: [{ b: keys[0]! }] }).a[0]!.b.trim()).toBe('[REDACTED private key]');
  });

  it('a key pasted into /mtls explain is not in the channel', async () => {
    for (const k of keys) {
      const r = await postSlack(h.url, slackForm({ text: `explain "TLSV1_ALERT_UNKNOWN_CA ${k}"` }));
      expect(r.status).toBe(200);
      expect(leaks(JSON.stringify(r.json), k)).toBe(false);
    }
  });

  it('a key in --symptom is neither in the posted messages nor in the log', async () => {
    const k = keys[2]!;
    const url = `${stand.url}commands/red`;
    const symptom = `upstream reset: TLSV1_ALERT_UNKNOWN_CA ${bodyLines(k).join('')}`;
    const r = await postSlack(h.url, slackForm({ text: `diagnose --peer ratings.bookinfo:1 --symptom "${symptom}"`, response_url: url }));
    expect(r.json.text).toMatch(/Diagnosing/);
    await until(() => stand.posts.filter((p) => p.path === '/commands/red').length >= 1);
    await until(() => h.logs.some((l) => l.msg === 'audit' && l.command === 'diagnose' && l.outcome));
    const posted = JSON.stringify(stand.posts.filter((p) => p.path === '/commands/red'));
    expect(posted.length).toBeGreaterThan(100);
    expect(leaks(posted, k)).toBe(false);
    expect(leaks(JSON.stringify(h.logs), k)).toBe(false);
  });

  it('the webhook report for a request carrying a private key contains no key material', async () => {
    const key = await m.leaf.keyPem();
    const r = await api(h.url, 'POST', '/v1/diagnoses', { token: TOKEN_A, body: { chain: [m.leaf.pem, m.inter.pem], key, trust: m.root.pem, at: new Date(NOW).toISOString(), symptom: `oops ${key}` } });
    expect(r.status).toBe(200);
    expect(leaks(JSON.stringify(r.json), key)).toBe(false);
    expect(leaks(JSON.stringify(h.logs), key)).toBe(false);
  });
});
