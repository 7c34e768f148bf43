/** POST /slack/commands: Slack's v0 signature, the ephemeral acknowledgement, the answer on response_url. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/report/types.js';
import { slackSignature } from '../../src/serve/slack-signature.js';
import { api, audits, fakeReport, postSlack, responseUrlStandIn, slackForm, startServe, testConfig, until, SIGNING_SECRET, type Harness } from './harness.js';

let stand: Awaited<ReturnType<typeof responseUrlStandIn>>;
let h: Harness;
const finding = (i: number) => ({
  rank: i, rule: 'expiry/intermediate-expired' as Finding['rule'], stage: 'expiry' as const, subject: 'local', severity: 'critical' as const, confidence: 1, explainsSymptom: true,
  title: `Intermediate CA certificate expired ${i}`, explanation: 'The intermediate expired at 02:47.', evidence: [{ source: 'chain#2', detail: 'notAfter 2026-11-29T02:47:00Z' }],
  remediation: ['Re-issue the intermediate'], verify: 'openssl x509 -in chain.pem -noout -enddate', docs: 'https://example.invalid/#x', causedBy: null,
});

beforeAll(async () => {
  stand = await responseUrlStandIn();
  h = await startServe({ config: testConfig({ responseUrlPrefix: stand.url }), answer: async () => fakeReport('failing', [1, 2, 3, 4, 5].map(finding)), deps: { resolve: async () => [{ address: '10.96.0.20', family: 4 }] } });
});
afterAll(async () => {
  await h.close();
  await stand.close();
});

const form = (text: string, extra: Record<string, string> = {}) => slackForm({ text, response_url: `${stand.url}commands/T1/1/${Math.random().toString(36).slice(2)}`, ...extra });

describe('Slack request signing (v0)', () => {
  it('accepts a correctly signed request', async () => {
    const r = await postSlack(h.url, form('help'));
    expect(r.status).toBe(200);
    expect(r.json.response_type).toBe('ephemeral');
    expect(r.json.text).toContain('/mtls diagnose');
  });

  it('refuses an unsigned request with 401', async () => {
    const r = await postSlack(h.url, form('help'), { sign: false });
    expect(r.status).toBe(401);
    expect(r.json.error.code).toBe('E_UNAUTHENTICATED');
  });

  it('refuses a request signed with another secret, and a tampered body', async () => {
    const body = form('help');
    expect((await postSlack(h.url, body, { secret: 'not-the-secret-0123456789abcdef' })).status).toBe(401);
    const ts = Math.floor(Date.now() / 1000);
    const sig = slackSignature(SIGNING_SECRET, ts, body);
    const r = await postSlack(h.url, body.replace('help', 'diagnose'), { timestamp: ts, signature: sig });
    expect(r.status).toBe(401);
    expect(r.json.error.message).toMatch(/Wrong X-Slack-Signature/);
  });

  it('refuses a replayed request (same signature twice)', async () => {
    const body = form('help');
    const ts = Math.floor(Date.now() / 1000);
    const sig = slackSignature(SIGNING_SECRET, ts, body);
    expect((await postSlack(h.url, body, { timestamp: ts, signature: sig })).status).toBe(200);
    const again = await postSlack(h.url, body, { timestamp: ts, signature: sig });
    expect(again.status).toBe(401);
    expect(again.json.error.code).toBe('E_REPLAYED');
  });

  it('refuses stale and future timestamps (more than 5 minutes off), even when correctly signed', async () => {
    // A fixed server clock: the boundary is exact, whatever the load on the machine.
    const now = 1_796_000_000;
    const fixed = await startServe({ config: testConfig({ responseUrlPrefix: stand.url }), deps: { now: () => now * 1000 } });
    try {
      for (const ts of [now - 301, now + 301, now - 3600]) {
        const r = await postSlack(fixed.url, form('help'), { timestamp: ts });
        expect(r.status, String(ts - now)).toBe(401);
        expect(r.json.error.message).toMatch(/Stale/);
      }
      for (const ts of [now - 300, now + 300]) expect((await postSlack(fixed.url, form('help'), { timestamp: ts })).status, String(ts - now)).toBe(200);
    } finally {
      await fixed.close();
    }
  });

  it("answers Slack's ssl_check with an empty 200, running nothing", async () => {
    const r = await postSlack(h.url, 'ssl_check=1&token=x', { sign: false });
    expect(r.status).toBe(200);
    expect(r.text).toBe('');
  });

  it('writes one audit line per request, naming the refusal', async () => {
    const before = audits(h.logs).length;
    await postSlack(h.url, form('help'), { sign: false });
    const lines = audits(h.logs).slice(before);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ route: 'slack', outcome: 'refused', error: 'E_UNAUTHENTICATED', status: 401 });
  });
});

describe('slash commands', () => {
  it('diagnose: acknowledges at once (ephemeral), then posts the summary and the full report to response_url', async () => {
    const url = `${stand.url}commands/T1/1/diag-1`;
    const before = stand.posts.length;
    const r = await postSlack(h.url, slackForm({ text: 'diagnose --peer ratings.bookinfo:9080', response_url: url }));
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ response_type: 'ephemeral' });
    expect(r.json.text).toMatch(/Diagnosing peer ratings\.bookinfo:9080/);
    await until(() => stand.posts.filter((p) => p.path === '/commands/T1/1/diag-1').length >= 2);
    const mine = stand.posts.slice(before).filter((p) => p.path === '/commands/T1/1/diag-1');
    expect(mine).toHaveLength(2);
    expect(mine[0]!.body.response_type).toBe('in_channel');
    expect(mine[0]!.body.blocks[0].text.text).toMatch(/^mtls-doctor: FAILING/);
    // Top three findings, then "… 2 more".
    const sections = mine[0]!.body.blocks.filter((b: any) => b.type === 'section').map((b: any) => b.text.text).join('\n');
    expect(sections).toContain('*3. Intermediate CA certificate expired 3*');
    expect(sections).not.toContain('*4. ');
    expect(JSON.stringify(mine[0]!.body)).toContain('… 2 more finding(s)');
    expect(mine[1]!.body.blocks[0].type).toBe('markdown');
    expect(mine[1]!.body.blocks[0].text).toContain('### 5. Intermediate CA certificate expired 5');
    // The probe gets the in-cluster name and a transport pinned to the checked address: nothing else resolves or connects.
    const call = h.calls.at(-1)!;
    expect(call.request).toMatchObject({ peer: 'ratings.bookinfo.svc.cluster.local:9080' });
    expect(call.request.sni).toBeUndefined();
    expect(call.ctx.peerName).toBe('ratings.bookinfo:9080');
    expect(await call.ctx.transport!.lookup('ratings.bookinfo.svc.cluster.local')).toBe('10.96.0.20');
    await expect(call.ctx.transport!.lookup('metadata.google.internal')).rejects.toMatchObject({ code: 'EACCES' });
    await expect(call.ctx.transport!.connect('169.254.169.254', 80)).rejects.toMatchObject({ code: 'EACCES' });
    await expect(call.ctx.transport!.connect('10.96.0.20', 22)).rejects.toMatchObject({ code: 'EACCES' });
    await until(() => audits(h.logs).some((a) => a.command === 'diagnose' && a.outcome === 'posted'));
    const a = audits(h.logs).find((x) => x.command === 'diagnose' && x.outcome === 'posted');
    expect(a).toMatchObject({ caller: { kind: 'slack', user: 'U1', channel: 'C1' }, peer: 'ratings.bookinfo:9080', verdict: 'failing' });
  });

  it('explain answers in the channel at once, with the likely causes', async () => {
    const r = await postSlack(h.url, form('explain "TLS error: 268436504:SSL routines:OPENSSL_internal:TLSV1_ALERT_UNKNOWN_CA"'));
    expect(r.status).toBe(200);
    expect(r.json.response_type).toBe('in_channel');
    expect(JSON.stringify(r.json.blocks)).toContain('chain/unknown-authority');
  });

  it('/metrics counts an explain by the signal its text proves, never its candidates as findings', async () => {
    const metrics = async () => (await api(h.url, 'GET', '/metrics')).json as string;
    const findingLines = (t: string) => t.split('\n').filter((l) => l.startsWith('mtls_doctor_serve_findings_total'));
    const explained = (t: string) => Number(/^mtls_doctor_serve_explains_total\{signal="verify:failed"\} (\d+)$/m.exec(t)?.[1] ?? 0);
    const before = await metrics();
    expect((await postSlack(h.url, form('explain "CERTIFICATE_VERIFY_FAILED"'))).status).toBe(200);
    const after = await metrics();
    expect(findingLines(after)).toEqual(findingLines(before));
    expect(after).not.toMatch(/^mtls_doctor_serve_findings_total\{rule="chain\/unknown-authority"/m);
    expect(explained(after)).toBe(explained(before) + 1);
    expect(after).toMatch(/^mtls_doctor_serve_diagnoses_total\{kind="explain",verdict="unknown"\} \d+$/m);
  });

  it('a channel not in slack.channels is refused naming the rule, and nothing runs', async () => {
    const calls = h.calls.length;
    const r = await postSlack(h.url, form('diagnose --peer ratings.bookinfo:9080', { channel_id: 'C9' }));
    expect(r.status).toBe(200);
    expect(r.json.response_type).toBe('ephemeral');
    expect(r.json.text).toMatch(/channel C9 is not in slack\.channels/);
    expect(h.calls.length).toBe(calls);
  });

  it('a namespace the channel may not diagnose is refused naming the rule', async () => {
    const calls = h.calls.length;
    const r = await postSlack(h.url, form('diagnose --peer ratings.bookinfo:9080', { channel_id: 'C2' }));
    expect(r.json.text).toMatch(/namespace "bookinfo" is not allowed by slack\.channels\.C2/);
    const s = await postSlack(h.url, form('scan -n bookinfo', { channel_id: 'C2' }));
    expect(s.json.text).toMatch(/may not scan namespace "bookinfo" \(slack\.channels\.C2 allows payments\)/);
    expect(h.calls.length).toBe(calls);
  });

  it('flags chat may never use are refused by name (files, kubeconfig, proxy root, evidence)', async () => {
    const calls = h.calls.length;
    for (const flag of ['--kubeconfig /root/.kube/config', '--chain /etc/passwd', '--key /var/run/secrets/key.pem', '--proxy-root /', '--save-evidence /tmp/x', '--evidence /tmp/b.json', '--envoy-admin http://169.254.169.254/', '--trust=/etc/ssl/certs/ca.pem', '-o json', '--debug', '--help']) {
      const r = await postSlack(h.url, form(`diagnose --peer ratings.bookinfo:9080 ${flag}`));
      expect(r.json.response_type, flag).toBe('ephemeral');
      expect(r.json.text, flag).toMatch(/^:no_entry: Refused: --?[a-z-]+ is not allowed from chat/);
    }
    expect(h.calls.length).toBe(calls);
  });

  it('a pod target is answered "not available" in a build without cluster mode, after authorization', async () => {
    const calls = h.calls.length;
    const r = await postSlack(h.url, form('diagnose pod/reviews-v1-7f9c -n bookinfo'));
    expect(r.json.text).toMatch(/Cluster mode is not available in this build/);
    const refused = await postSlack(h.url, form('diagnose pod/reviews-v1-7f9c -n kube-system'));
    expect(refused.json.text).toMatch(/may not diagnose namespace "kube-system"/);
    expect(h.calls.length).toBe(calls);
  });

  it('scan and rotation status say they need cluster access in a build without it, after authorization', async () => {
    expect((await postSlack(h.url, form('scan -n bookinfo'))).json.text).toMatch(/`scan` needs cluster access, and this server has none/);
    expect((await postSlack(h.url, form('rotation status -n bookinfo'))).json.text).toMatch(/`rotation status` needs cluster access/);
    expect((await postSlack(h.url, form('rotation status -n kube-system'))).json.text).toMatch(/may not read the rotation of namespace "kube-system"/);
  });

  it('bad usage gets one clear line', async () => {
    expect((await postSlack(h.url, form('diagnose'))).json.text).toMatch(/Give what to diagnose/);
    expect((await postSlack(h.url, form('frobnicate'))).json.text).toMatch(/Unknown command "frobnicate"/);
    expect((await postSlack(h.url, form('diagnose --role sideways --peer a.bookinfo:1'))).json.text).toMatch(/role/i);
  });

  it('what a reply echoes cannot mention @channel or forge a link (Slack sends the text escaped; the reply is escaped again)', async () => {
    for (const text of ['&lt;!channel&gt; now', 'diagnose --peer &lt;https://evil.example|ratings.bookinfo:9080&gt; --peer-id x &lt;!here&gt;', 'scan -n bookinfo -l &lt;!channel&gt;']) {
      const r = await postSlack(h.url, form(text));
      expect(r.json.response_type, text).toBe('ephemeral');
      expect(r.json.text, text).not.toMatch(/<!channel>|<!here>|<https?:/);
    }
    const unknown = await postSlack(h.url, form('&lt;!channel&gt;'));
    expect(unknown.json.text).toBe(':no_entry: Unknown command "&lt;!channel&gt;": use diagnose, explain, scan, rotation status or help');
    // The help text's own placeholders are escaped too, so Slack shows them as typed.
    expect((await postSlack(h.url, form('help'))).json.text).toContain('/mtls explain "&lt;error text&gt;"');
  });

  it('a response_url outside slack.responseUrlPrefix is refused before anything runs', async () => {
    const calls = h.calls.length;
    for (const url of ['https://evil.example/commands/1', 'http://169.254.169.254/latest/meta-data/', `${stand.url.replace(/\/$/, '')}.evil.example/x`]) {
      const r = await postSlack(h.url, slackForm({ text: 'diagnose --peer ratings.bookinfo:9080', response_url: url }));
      expect(r.json.text, url).toMatch(/response_url is not under slack\.responseUrlPrefix/);
    }
    expect(h.calls.length).toBe(calls);
  });
});

describe('slack.users', () => {
  it('when set, the user must be allowed too: both lists must name the namespace', async () => {
    const config = testConfig({ extra: { slack: undefined } });
    const withUsers = testConfig({ responseUrlPrefix: stand.url });
    withUsers.slack!.users = { U1: ['bookinfo'] };
    const h2 = await startServe({ config: withUsers, deps: { resolve: async () => [{ address: '10.96.0.21', family: 4 }] } });
    try {
      const ok = await postSlack(h2.url, form('diagnose --peer ratings.bookinfo:9080'));
      expect(ok.json.text).toMatch(/Diagnosing/);
      const other = await postSlack(h2.url, form('diagnose --peer ratings.bookinfo:9080', { user_id: 'U2' }));
      expect(other.json.text).toMatch(/user U2 is not in slack\.users/);
      const ns = await postSlack(h2.url, form('diagnose --peer pay.payments:9080'));
      expect(ns.json.text).toMatch(/namespace "payments" is not allowed by slack\.channels\.C1 and slack\.users\.U1/);
    } finally {
      await h2.close();
    }
    expect(config.slack).toBeNull();
  });
});

describe('cluster requests from Slack (a build with cluster mode)', () => {
  it('run with an impersonation derived from the channel, the user as an extra', async () => {
    const h3 = await startServe({ config: testConfig({ responseUrlPrefix: stand.url }), deps: { cluster: true } });
    try {
      const r = await postSlack(h3.url, form('diagnose reviews-v1-7f9c -n bookinfo'));
      expect(r.json.text).toMatch(/Diagnosing reviews-v1-7f9c -n bookinfo/);
      await until(() => h3.calls.length === 1);
      expect(h3.calls[0]!.request).toMatchObject({ target: 'reviews-v1-7f9c', namespace: 'bookinfo' });
      expect(h3.calls[0]!.ctx.impersonate).toEqual({ user: 'mtls-doctor:slack-channel:C1', groups: ['mtls-doctor:slack-channel:C1'], extra: { 'mtls-doctor.io/slack-user': ['U1'], 'mtls-doctor.io/slack-team': ['T1'] } });
    } finally {
      await h3.close();
    }
  });
});
