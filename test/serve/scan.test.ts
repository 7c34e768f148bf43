/**
 * `/mtls scan -n NS` and `/mtls rotation status` through serve, and the --scan-interval exporter, with the fleet
 * scan injected (its own tests are test/fleet; the end-to-end run against the fake API server is
 * test/serve/cluster.test.ts). What is checked here: who may scan what, which namespaces and identity the scan
 * gets, the one answer per command on response_url, and the gauges /metrics exports.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { judgeFleet as analyseFleet } from '../../src/diagnose/fleet-model.js';
import { judgeWhatIf } from '../../src/diagnose/what-if.js';
import type { PodRecord } from '../../src/evidence/cluster.js';
import type { ScanReport } from '../../src/fleet/types.js';
import { createLogger } from '../../src/serve/log.js';
import { createMetrics } from '../../src/serve/metrics.js';
import { FleetExporter, parseScanInterval } from '../../src/serve/exporter.js';
import type { ScanContext, ServeScanRequest } from '../../src/serve/deps.js';
import { NOW } from '../support/pki.js';
import { fleetPki, pods, type FleetPki } from '../fleet/fleet-pki.js';
import { api, audits, postSlack, responseUrlStandIn, slackForm, startServe, testConfig, until, type Harness } from './harness.js';

let pki: FleetPki;
let stand: Awaited<ReturnType<typeof responseUrlStandIn>>;
let healthy: ScanReport;
let drifting: ScanReport;
beforeAll(async () => {
  pki = await fleetPki();
  stand = await responseUrlStandIn();
  healthy = analyseFleet({ pods: await pods(pki, 4, () => ({ serves: 'old', trusts: ['old'] })) }, { now: NOW, scope: { namespaces: ['bookinfo'] } });
  // Half-way through a root rotation: some pods already trust the new root, one serves a leaf under it.
  drifting = analyseFleet({ pods: await pods(pki, 6, (i) => (i === 0 ? { serves: 'new', trusts: ['old', 'new'] } : i < 3 ? { serves: 'old', trusts: ['old', 'new'] } : { serves: 'old', trusts: ['old'] })) }, { now: NOW, scope: { namespaces: ['bookinfo', 'payments'] } });
});
afterAll(async () => {
  await stand.close();
});

const harnesses: Harness[] = [];
afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.close()));
});

interface ScanCall {
  request: ServeScanRequest;
  ctx: ScanContext;
}

async function serveWithScan(answer: (request: ServeScanRequest, ctx: ScanContext) => Promise<ScanReport>, extra: Record<string, unknown> = {}) {
  const scans: ScanCall[] = [];
  const h = await startServe({
    config: testConfig({ responseUrlPrefix: stand.url, extra }),
    deps: {
      cluster: true,
      scan: async (request, ctx) => {
        scans.push({ request, ctx });
        return answer(request, ctx);
      },
    },
  });
  harnesses.push(h);
  return { h, scans };
}

let n = 0;
const responseUrl = () => `${stand.url}scan/${++n}`;
const postsTo = (url: string) => stand.posts.filter((p) => p.path === new URL(url).pathname);

describe('/mtls scan -n NS', () => {
  it('scans the namespace as the channel, acknowledges at once and posts the summary and the full scan', async () => {
    const { h, scans } = await serveWithScan(async () => healthy);
    const url = responseUrl();
    const r = await postSlack(h.url, slackForm({ text: 'scan -n bookinfo -l app=reviews --at 2026-11-29T03:00:00Z', response_url: url }));
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ response_type: 'ephemeral', text: expect.stringMatching(/^:stethoscope: Scanning namespace bookinfo -l app=reviews… the answer will be posted here\.$/) });
    await until(() => postsTo(url).length >= 2);
    expect(scans).toHaveLength(1);
    expect(scans[0]!.request).toEqual({ namespaces: ['bookinfo'], selector: 'app=reviews', at: '2026-11-29T03:00:00Z' });
    // The cluster's RBAC has the last word: the scan runs as the channel's identity.
    expect(scans[0]!.ctx.impersonate).toMatchObject({ user: 'mtls-doctor:slack-channel:C1', groups: ['mtls-doctor:slack-channel:C1'] });
    const [summary, full] = postsTo(url);
    expect(summary!.body.response_type).toBe('in_channel');
    expect(summary!.body.blocks[0]).toMatchObject({ type: 'header' });
    expect(summary!.body.blocks[0].text.text).toMatch(/HEALTHY/);
    expect(JSON.stringify(summary!.body.blocks)).toContain('4 of 4');
    expect(full!.body.blocks[0]).toMatchObject({ type: 'markdown', text: expect.stringContaining('Fleet scan: 4 of 4 pods read') });
    await new Promise((res) => setTimeout(res, 100));
    expect(postsTo(url)).toHaveLength(2);
    await until(() => audits(h.logs).some((a) => a.command === 'scan' && a.outcome === 'posted'));
    expect(audits(h.logs).find((a) => a.command === 'scan')).toMatchObject({ namespace: 'bookinfo', verdict: 'healthy', rule: 'slack.channels.C1', caller: { user: 'U1', channel: 'C1' } });
  });

  it('--what-if strict: the scan is asked for the what-if, and the answer leads with the connections it would break, pods named', async () => {
    const rec = (name: string, app: string, sidecar = true): PodRecord => ({ name, namespace: 'bookinfo', serviceAccount: app, labels: { app, ...(sidecar ? { 'security.istio.io/tlsMode': 'istio' } : {}) }, sidecar, containers: [{ name: 'app', ports: [{ port: 9080, name: 'http' }] }], phase: 'Running', ready: true, ip: null });
    const whatIf = judgeWhatIf(
      { pods: [rec('reviews-1', 'reviews'), rec('legacy-0', 'legacy', false)], services: [{ namespace: 'bookinfo', name: 'reviews', selector: { app: 'reviews' }, clusterIP: null, ports: [{ port: 9080, targetPort: 9080, name: 'http', appProtocol: null }] }], peerAuthentications: [], destinationRules: [], meshConfig: null, telemetry: [], problems: [] },
      { kind: 'namespace', namespaces: ['bookinfo'] },
      { now: NOW, allNamespaces: false },
    );
    const { h, scans } = await serveWithScan(async () => ({ ...healthy, whatIf }));
    const url = responseUrl();
    const r = await postSlack(h.url, slackForm({ text: 'scan --what-if strict -n bookinfo', response_url: url }));
    expect(r.status).toBe(200);
    await until(() => postsTo(url).length >= 2);
    expect(scans[0]!.request).toEqual({ namespaces: ['bookinfo'], whatIf: 'strict' });
    const [first] = postsTo(url);
    expect(first!.body.blocks[0].text.text).toMatch(/^mtls-doctor what-if STRICT: 1 connection would break/);
    const text = JSON.stringify(first!.body.blocks);
    expect(text).toContain('bookinfo/legacy-0');
    expect(text).toContain('bookinfo/reviews-1');
    expect(text).toContain('policy/strict-plaintext-client');
  });

  it('a namespace outside the channel, and -A, are refused naming the rule; nothing is scanned', async () => {
    const { h, scans } = await serveWithScan(async () => healthy);
    const other = await postSlack(h.url, slackForm({ text: 'scan -n kube-system', response_url: responseUrl() }));
    expect(other.json.text).toMatch(/^:no_entry: Refused: Slack user U1 in channel C1 may not scan namespace "kube-system" \(slack\.channels\.C1 allows bookinfo, payments\)/);
    const c2 = await postSlack(h.url, slackForm({ text: 'scan -n bookinfo', channel_id: 'C2', response_url: responseUrl() }));
    expect(c2.json.text).toMatch(/slack\.channels\.C2 allows payments/);
    const all = await postSlack(h.url, slackForm({ text: 'scan -A', response_url: responseUrl() }));
    expect(all.json.text).toMatch(/-A \(every namespace\) is not allowed from chat/);
    const file = await postSlack(h.url, slackForm({ text: 'scan -n bookinfo --evidence /tmp/scan.json', response_url: responseUrl() }));
    expect(file.json.text).toMatch(/Refused: --evidence is not allowed from chat/);
    expect(scans).toHaveLength(0);
    expect(audits(h.logs).filter((a) => a.command === 'scan' || a.error === 'E_FORBIDDEN').every((a) => a.outcome === 'refused')).toBe(true);
  });

  it('a scan that fails gets one error message, without the internals', async () => {
    const { h } = await serveWithScan(async () => {
      throw Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:443 at /app/dist/x.js:1:2'), { code: 'ECONNREFUSED' });
    });
    const url = responseUrl();
    await postSlack(h.url, slackForm({ text: 'scan -n payments', response_url: url }));
    await until(() => postsTo(url).length >= 1);
    await new Promise((res) => setTimeout(res, 100));
    const posted = postsTo(url);
    expect(posted).toHaveLength(1);
    expect(posted[0]!.body.text).toBe(':warning: Could not scan namespace payments: Internal error (the server log has the details)');
    // The operator's log has the cause.
    await until(() => h.logs.some((l) => l.msg === 'request failed'));
    expect(h.logs.find((l) => l.msg === 'request failed').error).toContain('ECONNREFUSED 10.0.0.1:443');
  });

  it('a scan that finds nothing says so, in one line', async () => {
    const { MtlsDoctorError } = await import('../../src/errors.js');
    const { h } = await serveWithScan(async () => {
      throw new MtlsDoctorError('E_NO_EVIDENCE', 'No pods matched -l app=nope in namespaces bookinfo');
    });
    const url = responseUrl();
    await postSlack(h.url, slackForm({ text: 'scan -n bookinfo -l app=nope', response_url: url }));
    await until(() => postsTo(url).length >= 1);
    expect(postsTo(url)[0]!.body.text).toBe(':warning: Could not scan namespace bookinfo -l app=nope: No pods matched -l app=nope in namespaces bookinfo');
  });

  it('a scan past the deadline is answered at the deadline and its signal is aborted', async () => {
    let aborted = false;
    const { h } = await serveWithScan(
      (_r, ctx) =>
        new Promise((_res, reject) => {
          ctx.signal.addEventListener('abort', () => {
            aborted = true;
            reject(new Error('stopped'));
          });
        }),
      { limits: { deadlineSeconds: 1, perCallerPerMinute: 1000 } },
    );
    const url = responseUrl();
    await postSlack(h.url, slackForm({ text: 'scan -n bookinfo', response_url: url }));
    await until(() => postsTo(url).length >= 1, 10_000);
    expect(postsTo(url)[0]!.body.text).toMatch(/ran past the 1 s deadline/);
    expect(aborted).toBe(true);
  });
});

describe('/mtls rotation status', () => {
  it('without -n reads every namespace the channel may read, and posts one message with the phase', async () => {
    const { h, scans } = await serveWithScan(async () => drifting);
    const url = responseUrl();
    const r = await postSlack(h.url, slackForm({ text: 'rotation status', response_url: url }));
    expect(r.json.text).toMatch(/Reading the CA rotation of namespaces bookinfo, payments…/);
    await until(() => postsTo(url).length >= 1);
    expect(scans[0]!.request).toEqual({ namespaces: ['bookinfo', 'payments'] });
    await new Promise((res) => setTimeout(res, 100));
    const posted = postsTo(url);
    expect(posted).toHaveLength(1);
    expect(posted[0]!.body.blocks[0].type).toBe('header');
    expect(posted[0]!.body.blocks[0].text.text).toContain(`phase ${drifting.rotation.phase} of 5`);
    expect(drifting.rotation.phase).toBeGreaterThan(0);
  });

  it('C2 gets only its namespace; -n narrows to one allowed namespace', async () => {
    const { h, scans } = await serveWithScan(async () => healthy);
    await postSlack(h.url, slackForm({ text: 'rotation status', channel_id: 'C2', response_url: responseUrl() }));
    await postSlack(h.url, slackForm({ text: 'rotation status -n bookinfo', response_url: responseUrl() }));
    await until(() => scans.length >= 2);
    expect(scans.map((s) => s.request.namespaces).sort()).toEqual([['bookinfo'], ['payments']]);
  });
});

describe('the queue is shared with diagnoses', () => {
  it('a full queue answers busy before the command is parsed or scanned', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { h, scans } = await serveWithScan(async () => (await gate, healthy), { limits: { concurrency: 1, queue: 0, perCallerPerMinute: 1000 } });
    await postSlack(h.url, slackForm({ text: 'scan -n bookinfo', response_url: responseUrl() }));
    await until(() => scans.length === 1);
    const busy = await postSlack(h.url, slackForm({ text: 'rotation status', response_url: responseUrl() }));
    expect(busy.json.text).toMatch(/^:no_entry: Busy: 1 diagnoses running/);
    expect(scans).toHaveLength(1);
    release();
  });
});

describe('--scan-interval: the fleet exporter', () => {
  const exporterFor = (scan: (r: ServeScanRequest, c: ScanContext) => Promise<ScanReport>, intervalMs = 50) => {
    const metrics = createMetrics({ queue: () => 0, active: () => 0, abandoned: () => 0, defaults: false });
    const logs: any[] = [];
    const calls: ScanCall[] = [];
    const exporter = new FleetExporter({
      intervalMs,
      request: { allNamespaces: true },
      impersonate: { user: 'mtls-doctor:exporter', groups: ['mtls-doctor:exporter'], extra: {} },
      scan: async (request, ctx) => (calls.push({ request, ctx }), scan(request, ctx)),
      logger: createLogger((l) => void logs.push(JSON.parse(l))),
      metrics,
      now: Date.now,
    });
    return { exporter, metrics, logs, calls };
  };

  it('keeps the last good scan when one fails, counts both, and never runs two scans at once', async () => {
    let k = 0;
    let running = 0;
    let most = 0;
    const { exporter, metrics, logs, calls } = exporterFor(async () => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, 80)); // slower than the interval
      running--;
      if (++k === 2) throw new Error('the API server went away');
      return healthy;
    });
    exporter.start();
    exporter.start(); // a second start while scanning does nothing
    await until(() => k >= 3, 5000);
    await exporter.stop();
    expect(most).toBe(1);
    expect(calls[0]!.ctx.impersonate?.user).toBe('mtls-doctor:exporter');
    expect(exporter.gauges).toContain('mtls_doctor_cert_expiry_timestamp_seconds{level="root"');
    expect(exporter.gauges).toContain('mtls_doctor_scan_pods{status="ok"} 4');
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/mtls_doctor_serve_fleet_scans_total\{outcome="failed"\} 1/);
    expect(text).toMatch(/mtls_doctor_serve_fleet_scans_total\{outcome="ok"\} [2-9]/);
    expect(logs.find((l) => l.msg === 'fleet scan failed')).toMatchObject({ level: 'warn', detail: 'the API server went away' });
    const after = k;
    await new Promise((r) => setTimeout(r, 200));
    expect(k).toBe(after); // stopped: no more scans
  });

  it('stop() aborts the scan in progress', async () => {
    let aborted = false;
    const { exporter } = exporterFor((_r, ctx) => new Promise((_res, reject) => ctx.signal.addEventListener('abort', () => ((aborted = true), reject(new Error('aborted'))))));
    exporter.start();
    await new Promise((r) => setTimeout(r, 20));
    await exporter.stop();
    expect(aborted).toBe(true);
    expect(exporter.gauges).toBe('');
  });

  it('serve --scan-interval: /metrics carries the fleet gauges of the config scope beside the server metrics', async () => {
    const scans: ScanCall[] = [];
    const h = await startServe({
      config: testConfig({ extra: { scan: { namespaces: ['bookinfo', 'payments'], selector: 'app=web', readCaSecrets: true } } }),
      deps: { cluster: true, scan: async (request, ctx) => (scans.push({ request, ctx }), healthy) },
      options: { scanIntervalSeconds: 3600 },
    });
    harnesses.push(h);
    await until(() => scans.length === 1);
    expect(scans[0]!.request).toEqual({ namespaces: ['bookinfo', 'payments'], selector: 'app=web', readCaSecrets: true, concurrency: 8, podTimeoutMs: 10_000 });
    expect(scans[0]!.ctx.impersonate).toMatchObject({ user: 'mtls-doctor:exporter', groups: ['mtls-doctor:exporter'] });
    await until(() => h.serve.exporter!.gauges !== '');
    const r = await api(h.url, 'GET', '/metrics');
    const text: string = r.json;
    expect(r.status).toBe(200);
    expect(text).toMatch(/^# TYPE mtls_doctor_serve_requests_total counter$/m);
    expect(text).toMatch(/^mtls_doctor_cert_expiry_timestamp_seconds\{level="intermediate",/m);
    expect(text).toMatch(/^mtls_doctor_rotation_phase 0$/m);
    expect(text).toMatch(/^mtls_doctor_serve_fleet_scan_last_success_timestamp_seconds [1-9]\d+$/m);
    // Every metric family is declared once (a scrape with a repeated HELP/TYPE is rejected).
    const types = text.split('\n').filter((l) => l.startsWith('# TYPE '));
    expect(new Set(types).size).toBe(types.length);
  });

  it('without --scan-interval nothing is scanned and /metrics has no fleet gauges', async () => {
    const { h, scans } = await serveWithScan(async () => healthy);
    const r = await api(h.url, 'GET', '/metrics');
    expect(r.json).not.toMatch(/^mtls_doctor_cert_expiry_timestamp_seconds/m);
    expect(r.json).toMatch(/^mtls_doctor_serve_fleet_scan_last_success_timestamp_seconds 0$/m);
    expect(scans).toHaveLength(0);
  });

  it('parses the interval: seconds or s/m/h, from 10 s to 24 h', () => {
    expect([parseScanInterval('300'), parseScanInterval('5m'), parseScanInterval('1h'), parseScanInterval('90s'), parseScanInterval(' 2.5m ')]).toEqual([300, 300, 3600, 90, 150]);
    for (const bad of ['5', '0', '25h', 'soon', '-5m', '5d', '']) expect(parseScanInterval(bad), bad).toBeNaN();
  });
});
