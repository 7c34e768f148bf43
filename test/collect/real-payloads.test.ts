/**
 * The collectors against real captured Envoy/Istio admin payloads (test/fixtures/istio/README.md: istioctl's
 * testdata secret dumps, istiod-issued and SPIRE; the App Mesh `/certs` sample), served by a bare HTTP server
 * that behaves like the proxies that produced them: an older Envoy that ignores `?resource=` and answers every
 * `/config_dump` with the whole dump, and a locked-down proxy whose admin answers `/certs` but not the secrets.
 * Issue 9 points 9 and 12 (WARMING duplicates).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { collectProxy } from '../../src/collect/proxy.js';
import { BIN } from '../support/cli.js';
import { sourceLabel } from '../../src/report/source-label.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'istio');
const ISTIO = readFileSync(join(FIXTURES, 'secret-istio-config_dump.json'), 'utf8');
const SPIRE = readFileSync(join(FIXTURES, 'secret-spire-config_dump.json'), 'utf8');
/** Envoy `/certs` from an AWS App Mesh SDS setup (the same sample test/evidence/envoy-parse.test.ts reads). */
const APP_MESH_CERTS =
  '{"certificates":[{"ca_cert":[{"path":"\\u003cinline\\u003e","serial_number":"0","subject_alt_names":[{"uri":"spiffe://howto-k8s-mtls-sds-based.com"}],"days_until_expiration":"0","valid_from":"2020-11-11T20:49:06Z","expiration_time":"2020-11-12T20:49:16Z"}],"cert_chain":[{"path":"\\u003cinline\\u003e","serial_number":"7b177c736290d0fe5527a7ccf0ecee4c","subject_alt_names":[{"uri":"spiffe://howto-k8s-mtls-sds-based.com/front"}],"days_until_expiration":"0","valid_from":"2020-11-11T23:19:45Z","expiration_time":"2020-11-12T00:19:55Z"}]}]}';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => (s.closeAllConnections(), s.close(() => r())))));
});

/** An admin API on 127.0.0.1: path (without query) → [status, body]; anything else 404. */
async function admin(routes: Record<string, [number, string]>): Promise<{ url: string; asked: string[] }> {
  const asked: string[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    asked.push(url.pathname + url.search);
    const [status, body] = routes[url.pathname] ?? [404, 'invalid path\n'];
    res.writeHead(status, { 'content-type': status === 200 ? 'application/json' : 'text/plain' });
    res.end(body);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, asked };
}

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1', COLUMNS: '' } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), 30_000);
    p.on('close', (code) => (clearTimeout(timer), resolve({ code, stdout, stderr })));
  });
}

const opts = (envoyAdmin: string) => ({ envoyAdmin, auto: false, env: {}, now: () => Date.parse('2023-05-15T12:00:00Z'), timeoutMs: 5000, label: sourceLabel });

describe('an admin API that ignores ?resource= (the istiod-issued dump from istioctl testdata)', () => {
  it('lists each secret once, with its own state: active default and ROOTCA, one warming configmap secret', async () => {
    const a = await admin({ '/config_dump': [200, ISTIO], '/certs': [404, 'invalid path\n'] });
    const c = await collectProxy(opts(a.url));
    expect(c.proxy.secrets.map((s) => [s.name, s.state])).toEqual([
      ['default', 'active'],
      ['ROOTCA', 'active'],
      ['configmap://some/thing', 'warming'],
    ]);
    expect(c.sources.find((s) => s.name === 'envoy admin secrets')?.detail).toMatch(/default: 2 certificates; ROOTCA: 1 certificate; configmap:\/\/some\/thing: WARMING$/);
    expect(c.chain?.source).toBe('envoy secret "default"');
    expect(c.trust.map((t) => t.source)).toEqual(['envoy secret "ROOTCA"']);
  });

  it('diagnoses the real certificate end to end: valid inside its 24 h (the warming secret is the finding), expired today', async () => {
    const a = await admin({ '/config_dump': [200, ISTIO] });
    const inside = await cli(['diagnose', '--envoy-admin', a.url, '--at', '2023-05-15T12:00:00Z', '-o', 'json']);
    expect(inside.stderr).toBe('');
    const r = JSON.parse(inside.stdout);
    // The dump's only fault: "configmap://some/thing" was asked for and never delivered.
    expect(r.findings.map((f: { rule: string; explanation: string }) => [f.rule, /configmap:\/\/some\/thing/.test(f.explanation)])).toEqual([['transport/sds-not-delivered', true]]);
    expect(r.chains[0].certificates.map((x: { serial: string; trustedBy: string[] }) => [x.serial, x.trustedBy])).toEqual([
      ['6fbee254c22900615cb1f74e3d2f1713', []],
      ['0193a543fe2b0d9cd4847675394dfc54', ['trust']],
    ]);
    const today = await cli(['diagnose', '--envoy-admin', a.url, '-o', 'json']);
    expect(today.code).toBe(1);
    expect(JSON.parse(today.stdout).findings[0].rule).toBe('expiry/leaf-expired');
  });
});

describe('the SPIRE dump from istioctl testdata, through the admin API', () => {
  it('takes each trust domain bundle as a trust bundle and finds the leaf anchored in none', async () => {
    const a = await admin({ '/config_dump': [200, SPIRE] });
    const c = await collectProxy(opts(a.url));
    expect(c.trust.map((t) => t.source)).toEqual(['envoy secret "ROOTCA" trust domain east.local', 'envoy secret "ROOTCA" trust domain west.local']);
    const out = await cli(['diagnose', '--envoy-admin', a.url, '--at', '2023-05-15T12:00:00Z', '-o', 'json']);
    const r = JSON.parse(out.stdout);
    expect(r.findings[0]).toMatchObject({ rule: 'chain/unknown-authority' });
  });
});

describe('an admin API that answers /certs but not the secrets (point 9)', () => {
  const locked = () => admin({ '/config_dump': [403, 'forbidden\n'], '/certs': [200, APP_MESH_CERTS] });

  it('judges the served leaf from /certs as the chain of last resort: expired years ago is FAILING, exit 1', async () => {
    const a = await locked();
    const out = await cli(['diagnose', '--envoy-admin', a.url, '-o', 'json']);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(1);
    const r = JSON.parse(out.stdout);
    expect(r.verdict).toBe('failing');
    expect(r.findings[0]).toMatchObject({ rule: 'expiry/leaf-expired', subject: 'local' });
    expect(r.chains[0].certificates[0]).toMatchObject({ serial: '7b177c736290d0fe5527a7ccf0ecee4c', identities: ['spiffe://howto-k8s-mtls-sds-based.com/front'], notAfter: '2020-11-12T00:19:55Z' });
    // Says what /certs cannot show, where the certificate is named and in the source record.
    expect(r.chains[0].certificates[0].source).toBe('envoy admin /certs (serial, SANs and validity only)');
    expect(r.findings[0].verify).toMatch(/^istioctl proxy-config secret POD -n NS -o json \| jq -r .*"default".* \| base64 -d \| openssl x509 -noout -enddate -checkend 0$/);
    expect(r.sources.find((s: { name: string }) => s.name === 'envoy admin /certs').detail).toMatch(/used as the chain of last resort .* so the chain and key-usage checks cannot judge it/);
  });

  it('inside its validity, the identity is still checked against --expect-id', async () => {
    const a = await locked();
    const out = await cli(['diagnose', '--envoy-admin', a.url, '--at', '2020-11-11T23:30:00Z', '--expect-id', 'spiffe://howto-k8s-mtls-sds-based.com/back', '-o', 'json']);
    const r = JSON.parse(out.stdout);
    expect(r.findings.map((f: { rule: string }) => f.rule)).toContain('san/identity-mismatch');
    expect(r.findings.map((f: { rule: string }) => f.rule)).not.toContain('expiry/leaf-expired');
  });
});
