import { beforeAll, describe, expect, it } from 'vitest';
import { diagnose } from '../../src/index.js';
import { loadRenderer, renderReport } from '../../src/report/render.js';
import { colorEnabled } from '../../src/report/style.js';
import { HOUR, NOW, intermediate, leaf, root, t } from '../support/pki.js';

async function brokenReport() {
  const r = await root('Mesh Root CA');
  const i = await intermediate(r, 'Istio Intermediate', { notAfter: t(-13 * 60_000) });
  const l = await leaf(i, { eku: ['serverAuth'] });
  return diagnose({ chain: l.pem + i.pem, trust: [r.pem], at: NOW });
}


// markdown and Slack are imported on demand (the files path's code size): the CLI awaits this before rendering.
beforeAll(async () => {
  await loadRenderer('markdown');
  await loadRenderer('slack');
});
describe('text report', () => {
  it('ranks findings with fix and verify, draws the chain tree and a timeline', async () => {
    const text = renderReport(await brokenReport(), 'text', { color: false });
    expect(text).toMatch(/^mtls-doctor FAILING/);
    expect(text).toMatch(/ 1\. CRITICAL Intermediate CA certificate expired \[expiry\/intermediate-expired, local\]/);
    expect(text).toMatch(/ 2\. CRITICAL .*\[key-usage\/missing-client-auth, local\]/);
    expect(text).toMatch(/fix: 1\. Renew the intermediate/);
    expect(text).toMatch(/verify: openssl x509 -in chain\.pem -noout/);
    expect(text).toMatch(/└─ intermediate "Istio Intermediate"/);
    expect(text).toMatch(/└─ root "Mesh Root CA" \[trusted by us\] \(not presented\)/);
    expect(text).toMatch(/intermediate │·+│ EXPIRED 13m ago/);
    expect(text).toMatch(/leaf +│█+·+│ 22h left/);
    expect(text).not.toMatch(/\x1b\[/);
  });

  it('colours only when enabled', async () => {
    const text = renderReport(await brokenReport(), 'text', { color: true });
    expect(text).toMatch(/\x1b\[31m/);
  });

  it('a healthy report says so and lists what was not evaluated and why', async () => {
    const r = await root();
    const l = await leaf(r, { notBefore: t(-HOUR), notAfter: t(23 * HOUR) });
    const text = renderReport(await diagnose({ chain: l.pem, trust: [r.pem], at: NOW }), 'text', { color: false });
    expect(text).toMatch(/HEALTHY/);
    expect(text).toMatch(/No problems found\./);
    expect(text).toMatch(/needs the private key \(--key FILE\): chain\/key-mismatch/);
  });
});

describe('a symptom nothing explains', () => {
  it('is never reported as "no problems"', async () => {
    const r = await root();
    const l = await leaf(r, { notBefore: t(-HOUR), notAfter: t(23 * HOUR) });
    const report = await diagnose({ chain: l.pem, trust: [r.pem], at: NOW });
    const withSymptom = { ...report, symptom: { source: 'stats' as const, code: 'envoy:connection_error', detail: 'outbound connection_error rose by 12' } };
    for (const format of ['text', 'markdown']) {
      const out = renderReport(withSymptom, format, { color: false });
      expect(out).not.toMatch(/No problems found/);
      expect(out).toMatch(/Nothing in this evidence explains the symptom/);
    }
  });
});

describe('colour decision', () => {
  it('TTY only, never with NO_COLOR, forced by FORCE_COLOR', () => {
    expect(colorEnabled({ isTTY: true }, {})).toBe(true);
    expect(colorEnabled({ isTTY: false }, {})).toBe(false);
    expect(colorEnabled({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(colorEnabled({ isTTY: true }, { NO_COLOR: '' })).toBe(true);
    expect(colorEnabled({ isTTY: false }, { FORCE_COLOR: '1' })).toBe(true);
    expect(colorEnabled({ isTTY: true }, { TERM: 'dumb' })).toBe(false);
  });
});

describe('markdown and slack', () => {
  it('markdown has a findings table and fenced verify commands', async () => {
    const md = renderReport(await brokenReport(), 'markdown', { color: false });
    expect(md).toMatch(/^## mtls-doctor: FAILING/);
    expect(md).toMatch(/\| 1 \| 🔴 critical \| `expiry\/intermediate-expired` \| local \|/);
    expect(md).toMatch(/```sh\nopenssl x509 -in chain\.pem -noout/);
  });

  it('slack is Block Kit JSON with the top finding first', async () => {
    const blocks = JSON.parse(renderReport(await brokenReport(), 'slack', { color: false })).blocks;
    expect(blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'mtls-doctor: FAILING' } });
    const sections = blocks.filter((b: { type: string }) => b.type === 'section');
    expect(sections[0].text.text).toMatch(/^\*1\. Intermediate CA certificate expired\* `expiry\/intermediate-expired`/);
    for (const s of sections) expect(s.text.text.length).toBeLessThanOrEqual(3000);
  });
});
