import { describe, expect, it } from 'vitest';
import { normalizeSerial, parseAdminJson, parseCerts, parsePrometheus, parseSecrets, parseStatsJson } from '../../src/evidence/envoy-parse.js';
import { classifyStat } from '../../src/evidence/stats.js';
import { mesh, root } from '../support/pki.js';
import { certsPayload, configDumpPayload, istioStats, statsPayload } from '../support/fake-envoy-admin.js';

describe('parseSecrets', () => {
  it('reads the resource= form: default chain (leaf, intermediate, root) and ROOTCA, never the key', async () => {
    const m = await mesh();
    const json = configDumpPayload({ chain: [m.leaf, m.inter, m.root], roots: [m.root] }, 'dynamic_active_secrets');
    const r = parseSecrets(json, 'active');
    expect(r.problems).toEqual([]);
    expect(r.secrets.map((s) => [s.name, s.state, s.kind, s.pems.length])).toEqual([
      ['default', 'active', 'tls-certificate', 3],
      ['ROOTCA', 'active', 'validation-context', 1],
    ]);
    expect(r.secrets[0]!.pems[0]).toBe(m.leaf.pem.replace(/\r/g, ''));
    expect(JSON.stringify(r.secrets)).not.toMatch(/redacted|private/i);
  });

  it('reads the full config_dump with warming secrets, and the same in camelCase (istioctl -o json)', async () => {
    const m = await mesh();
    for (const camel of [false, true]) {
      const json = configDumpPayload({ chain: [m.leaf, m.inter], roots: [m.root], warming: ['kubernetes://gw-cred'], camel }, null);
      const r = parseSecrets(json);
      expect(r.sawSecretsDump).toBe(true);
      expect(r.secrets.map((s) => `${s.name}:${s.state}:${s.pems.length}`), `camel=${camel}`).toEqual(['default:active:2', 'ROOTCA:active:1', 'kubernetes://gw-cred:warming:0']);
      expect(r.secrets[2]!.versionInfo).toBe('uninitialized');
    }
  });

  it('reads a bare SecretsConfigDump and SPIRE per-trust-domain bundles beside an empty trusted_ca', async () => {
    const m = await mesh();
    const west = await root('West Root');
    const dump = (configDumpPayload({ chain: [m.leaf], spire: { 'east.local': [m.root], 'west.local': [west] }, camel: true }, null) as { configs: unknown[] }).configs[1];
    const r = parseSecrets(dump);
    const ca = r.secrets.find((s) => s.name === 'ROOTCA')!;
    expect(ca.pems).toEqual([]);
    expect(ca.trustDomains.map((t) => [t.name, t.pems.length])).toEqual([['east.local', 1], ['west.local', 1]]);
  });

  it('accepts inline_string redaction of the key (older Envoy)', async () => {
    const m = await mesh();
    const r = parseSecrets(configDumpPayload({ chain: [m.leaf], inlineStringRedaction: true }, 'dynamic_active_secrets'));
    expect(r.secrets[0]!.pems).toHaveLength(1);
  });

  it('names base64 that is not PEM as a problem, with no certificates', async () => {
    const m = await mesh();
    const r = parseSecrets(configDumpPayload({ chain: [m.leaf], roots: [m.root] }, 'dynamic_active_secrets', true));
    expect(r.secrets.every((s) => s.pems.length === 0)).toBe(true);
    expect(r.problems.join('\n')).toMatch(/secret "default" certificate_chain: inline_bytes decodes to \d+ bytes that are not PEM/);
    expect(r.problems.join('\n')).toMatch(/secret "ROOTCA" trusted_ca/);
  });
});

describe('parseAdminJson', () => {
  it('tells HTML, truncated JSON and empty bodies apart', () => {
    expect(parseAdminJson('<!DOCTYPE html><html>', '/certs')).toMatchObject({ ok: false, reason: expect.stringMatching(/returned HTML, not JSON/) });
    expect(parseAdminJson('{"configs":[{"name":"def', '/config_dump')).toMatchObject({ ok: false, reason: expect.stringMatching(/returned truncated JSON/) });
    expect(parseAdminJson('  ', '/stats')).toMatchObject({ ok: false, reason: '/stats returned an empty body' });
  });
});

describe('parseCerts', () => {
  it('dedupes by serial across TLS contexts and keeps expiration_time, not the day count', async () => {
    const m = await mesh();
    const served = parseCerts(certsPayload({ chain: [m.leaf, m.inter], roots: [m.root], contexts: 7 }));
    expect(served).toHaveLength(2);
    const leaf = served.find((s) => s.kind === 'leaf')!;
    expect(leaf).toMatchObject({ serial: normalizeSerial(m.leaf.cert.serialNumber), contexts: 7, sans: ['spiffe://cluster.local/ns/demo/sa/web'] });
    expect(Date.parse(leaf.expirationTime!)).toBe(m.leaf.cert.notAfter.getTime());
  });

  it('reads the real App Mesh sample (serial "0", escaped <inline>)', () => {
    const text =
      '{"certificates":[{"ca_cert":[{"path":"\\u003cinline\\u003e","serial_number":"0","subject_alt_names":[{"uri":"spiffe://howto-k8s-mtls-sds-based.com"}],"days_until_expiration":"0","valid_from":"2020-11-11T20:49:06Z","expiration_time":"2020-11-12T20:49:16Z"}],"cert_chain":[{"path":"\\u003cinline\\u003e","serial_number":"7b177c736290d0fe5527a7ccf0ecee4c","subject_alt_names":[{"uri":"spiffe://howto-k8s-mtls-sds-based.com/front"}],"days_until_expiration":"0","valid_from":"2020-11-11T23:19:45Z","expiration_time":"2020-11-12T00:19:55Z"}]}]}';
    const served = parseCerts(JSON.parse(text));
    expect(served.map((s) => [s.kind, s.serial, s.sans[0]])).toEqual([
      ['leaf', '7b177c736290d0fe5527a7ccf0ecee4c', 'spiffe://howto-k8s-mtls-sds-based.com/front'],
      ['ca', '0', 'spiffe://howto-k8s-mtls-sds-based.com'],
    ]);
  });
});

describe('parseStatsJson', () => {
  it('skips the histograms element in the middle of the array and accepts numeric strings', () => {
    const payload = statsPayload({ ...istioStats(), 'listener.0.0.0.0_15006.ssl.fail_verify_san': '3', 'control_plane.identifier': 'istiod-5d8b' }, null);
    const values = parseStatsJson(payload)!;
    expect(values['listener.0.0.0.0_15006.ssl.fail_verify_san']).toBe(3);
    expect(values['server.days_until_first_cert_expiring']).toBe(0);
    expect('control_plane.identifier' in values).toBe(false);
    expect(Object.keys(values).some((k) => k.includes('histograms'))).toBe(false);
  });
  it('returns null for JSON without a stats list', () => expect(parseStatsJson({ configs: [] })).toBeNull());
});

describe('classifyStat', () => {
  it.each([
    ['listener.0.0.0.0_15006.ssl.fail_verify_error', 'inbound', '0.0.0.0_15006', 'fail_verify_error'],
    ['listener.0.0.0.0_15006.no_filter_chain_match', 'inbound', '0.0.0.0_15006', 'no_filter_chain_match'],
    ['listener.[__]_15006.ssl.versions.TLSv1.3', 'inbound', '[__]_15006', 'versions.TLSv1.3'],
    ['listener.0.0.0.0_15006.server_ssl_socket_factory.downstream_context_secrets_not_ready', 'inbound', '0.0.0.0_15006', 'downstream_context_secrets_not_ready'],
    ['cluster.outbound|9080||reviews.default.svc.cluster.local;.ssl.handshake', 'outbound', 'outbound|9080||reviews.default.svc.cluster.local', 'handshake'],
    ['cluster.outbound|9080||reviews.default.svc.cluster.local.ssl.fail_verify_san', 'outbound', 'outbound|9080||reviews.default.svc.cluster.local', 'fail_verify_san'],
    ['cluster.outbound|443||ssl.example.com.ssl.connection_error', 'outbound', 'outbound|443||ssl.example.com', 'connection_error'],
    ['cluster.outbound|443||api.example.com.ssl.versions.TLSv1.2', 'outbound', 'outbound|443||api.example.com', 'versions.TLSv1.2'],
    ['cluster.outbound|9080||reviews.default.svc.cluster.local;.client_ssl_socket_factory.upstream_context_secrets_not_ready', 'outbound', 'outbound|9080||reviews.default.svc.cluster.local', 'upstream_context_secrets_not_ready'],
  ])('%s', (name, direction, scope, counter) => {
    expect(classifyStat(name)).toEqual({ name, direction, scope, counter });
  });
  it.each(['server.days_until_first_cert_expiring', 'cluster.xds-grpc;.upstream_cx_active', 'cluster.outbound|9080||reviews.default.svc.cluster.local;.upstream_cx_active'])('%s is not an SSL counter', (name) => {
    expect(classifyStat(name)).toBeNull();
  });
});

describe('parsePrometheus', () => {
  it('reads the agent cert expiry (negative when expired) and failure counters', () => {
    const r = parsePrometheus(
      [
        '# TYPE istio_agent_cert_expiry_seconds gauge',
        'istio_agent_cert_expiry_seconds{resource_name="default"} -3600.5',
        'istio_agent_num_failed_outgoing_requests{request_type="csr"} 12',
        'istio_requests_total{reporter="destination"} 99',
      ].join('\n'),
    );
    expect(r.certExpirySeconds).toEqual({ default: -3600.5 });
    expect(r.metrics).toEqual({ 'istio_agent_num_failed_outgoing_requests{request_type="csr"}': 12 });
  });
});
