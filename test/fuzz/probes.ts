/**
 * Limit probes for `npm run fuzz`: the largest inputs the limits table admits (src/limits.ts), each run in a
 * fresh process through the whole pipeline, so that the runner can report the peak RSS of the worst admitted
 * input of every kind. Distinct certificates are made fast by changing the last bytes of a real one's signature
 * (it still parses; only its signature no longer verifies), which is the expensive case for the chain builder.
 */
import 'reflect-metadata';
import { MockAgent } from 'undici';
import { LIMITS } from '../../src/limits.js';
import { decodeCertificates, toPem } from '../../src/x509/pem.js';
import { evidenceFromInputs } from '../../src/evidence/from-inputs.js';
import { evaluate } from '../../src/engine/evaluate.js';
import { rules } from '../../rules/index.js';
// The pipeline passes the pasted-text decoder to evaluate() when there is symptom text; so do the targets.
import { pastedSymptom } from '../../src/explain/symptom-deriver.js';
import { parseEvidence, serializeEvidence } from '../../src/evidence/bundle.js';
import { loadRenderer, renderReport } from '../../src/report/render.js';
import { explainText } from '../../src/explain/explain.js';
import { redact } from '../../src/redact.js';
import { collectProxy, proxyCertInputs, withProxyEvidence } from '../../src/collect/proxy.js';
import { diagnose } from '../../src/index.js';
import { mesh, NOW } from '../support/pki.js';
import { crlWithIssuer, int, nameWith, seq, tlv, utc, ECDSA_SHA256 } from '../hostile/der.js';
import { sourceLabel } from '../../src/report/source-label.js';

// markdown and Slack are imported on demand (src/report/render.ts): every format is rendered here.
await loadRenderer('markdown');
await loadRenderer('slack');

export interface Probe {
  name: string;
  /** Runs the probe; returns what it fed in, for the report. */
  run(): Promise<string>;
}

async function distinctCerts(n: number): Promise<{ pems: string[]; chain: string; root: string }> {
  const m = await mesh();
  const der = Buffer.from(decodeCertificates(m.inter.pem, 'x')[0]!.der);
  const pems: string[] = [];
  for (let i = 0; i < n; i++) {
    const d = Buffer.from(der);
    d.writeUInt32BE(i, d.length - 4);
    pems.push(toPem(d));
  }
  return { pems, chain: m.leaf.pem + m.inter.pem, root: m.root.pem };
}

const renderAll = (r: ReturnType<typeof evaluate>) => ['text', 'json', 'markdown', 'slack'].map((f) => renderReport(r, f, { color: false })).join('').length;
const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;

export const PROBES: readonly Probe[] = [
  {
    name: 'library-max-certificates',
    async run() {
      // The chain, then trust lists filled to the total: every certificate the limits admit in one diagnosis.
      const c = await distinctCerts(LIMITS.certificatesTotal);
      const per = LIMITS.certificatesPerSource;
      const room = LIMITS.certificatesTotal - 2;
      const trust = [c.root + c.pems.slice(0, per - 1).join(''), c.pems.slice(per - 1, room - 1).join('')];
      const r = await diagnose({ chain: c.chain, trust, at: NOW });
      return `diagnose(): 2 chain + ${room} trust certificates (${trust.length} inputs), ${r.findings.length} findings, ${renderAll(r)} chars rendered`;
    },
  },
  {
    name: 'bundle-max',
    async run() {
      // A bundle at the limits: the total of distinct certificates, each twice (trust and ca), big stats.
      const c = await distinctCerts(LIMITS.certificatesTotal - 2);
      const per = LIMITS.certificatesPerSource;
      const sets = (prefix: string) => [0, 1].map((k) => ({ name: `${prefix}${k}`, data: c.pems.slice(k * per, (k + 1) * per - (k ? 2 : 0)).join('') }));
      const ev = evidenceFromInputs({ label: sourceLabel, chain: { name: 'chain', data: c.chain }, trust: sets('t'), target: { kind: 'files' }, at: NOW, now: () => NOW, symptom: 'TLSV1_ALERT_UNKNOWN_CA '.repeat(40_000) });
      const values = Object.fromEntries(Array.from({ length: LIMITS.adminItems }, (_, i) => [`cluster.outbound|80||svc-${i}.ns.svc.cluster.local.ssl.fail_verify_error`, i]));
      const bundle = {
        ...ev,
        certificates: { ...ev.certificates, ca: ev.certificates.trust.map((t) => ({ ...t, source: `ca-${t.source}` })) },
        proxy: { secretsRead: true, secrets: [], served: [], stats: [{ at: new Date(NOW).toISOString(), values }, { at: new Date(NOW + 10_000).toISOString(), values }], statsFilter: null, agent: null, files: [], root: null, identity: null },
      };
      const text = serializeEvidence(bundle as never);
      if (text.length > LIMITS.bundleBytes) throw new Error(`probe bundle is ${mib(text.length)}, over the limit`);
      const parsed = parseEvidence(text, 'probe.json');
      const r = evaluate(parsed, rules, { label: sourceLabel, pasted: pastedSymptom });
      return `a ${mib(text.length)} bundle: ${LIMITS.certificatesTotal} certificates × 2 sets, ${LIMITS.adminItems} stats × 2 samples, 1 MiB symptom; ${r.findings.length} findings, ${renderAll(r)} chars rendered`;
    },
  },
  {
    name: 'envoy-admin-max',
    async run() {
      // A config_dump at the certificate total (2 secrets × 2,000) padded to the body limit, /certs and /stats
      // with the item limit, through the collector (undici) and the whole pipeline.
      const c = await distinctCerts(LIMITS.certificatesTotal);
      const per = LIMITS.certificatesPerSource;
      const b64 = (pems: string[]) => Buffer.from(pems.join('')).toString('base64');
      const secret = (name: string, body: unknown) => ({ '@type': 'type.googleapis.com/envoy.admin.v3.SecretsConfigDump.DynamicSecret', name, secret: { name, ...(body as object) } });
      const dump = {
        configs: [
          secret('default', { tls_certificate: { certificate_chain: { inline_bytes: b64([c.chain, ...c.pems.slice(0, per - 2)]) } } }),
          secret('ROOTCA', { validation_context: { trusted_ca: { inline_bytes: b64([c.root, ...c.pems.slice(per, 2 * per - 1)]) } } }),
        ],
        padding: '',
      };
      let body = JSON.stringify(dump);
      dump.padding = 'x'.repeat(Math.max(0, LIMITS.adminBodyBytes - body.length - 16));
      body = JSON.stringify(dump);
      const certs = JSON.stringify({ certificates: Array.from({ length: LIMITS.adminItems }, (_, i) => ({ cert_chain: [{ serial_number: (i + 1).toString(16), subject_alt_names: [{ uri: `spiffe://cluster.local/ns/a/sa/s${i}` }], expiration_time: '2026-11-30T00:00:00Z' }] })) });
      const stats = JSON.stringify({ stats: Array.from({ length: LIMITS.adminItems }, (_, i) => ({ name: `cluster.outbound|80||s${i}.ssl.fail_verify_error`, value: i })) });
      const mock = new MockAgent();
      mock.disableNetConnect();
      const answers: Record<string, string> = { config_dump: body, certs, stats };
      mock
        .get('http://admin.probe:15000')
        .intercept({ path: () => true, method: 'GET' })
        .reply((o) => ({ statusCode: 200, data: answers[String(o.path).split('?')[0]!.slice(1)] ?? '{}' }))
        .persist();
      const col = await collectProxy({ label: sourceLabel, envoyAdmin: 'http://admin.probe:15000', auto: false, env: {}, now: () => NOW, dispatcher: mock, timeoutMs: 60_000, budgetMs: 120_000 });
      const inputs = proxyCertInputs(col);
      const ev = withProxyEvidence(evidenceFromInputs({ label: sourceLabel, chain: inputs.chain, trust: inputs.trust, target: { kind: 'pod' }, at: NOW, now: () => NOW }), col);
      const r = evaluate(ev, rules, { label: sourceLabel, pasted: pastedSymptom });
      const saved = serializeEvidence(ev).length;
      await mock.close();
      return `config_dump ${mib(body.length)} (${col.proxy.secrets.reduce((a, s) => a + s.pems.length, 0)} certificates), /certs and /stats with ${LIMITS.adminItems} items; ${r.findings.length} findings, bundle ${mib(saved)}`;
    },
  },
  {
    name: 'crl-max',
    async run() {
      // One CRL file at the byte limit: as many revoked entries as fit (below the entry limit).
      const m = await mesh();
      // 20-byte serials (RFC 5280's maximum, what CAs use): the most bytes per entry.
      const entry = (i: number) => seq(tlv(0x02, [0x01, ...Array(16).fill(0x5a), (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff]), utc('261128000000Z'));
      const n = Math.min(LIMITS.crlEntries, Math.floor((LIMITS.fileBytes * 0.97) / entry(0).length));
      // Built with one concat (a spread of 200,000 arguments would overflow the stack).
      const body = Buffer.concat(Array.from({ length: n }, (_, i) => entry(i)));
      const entries = Buffer.concat([Buffer.from([0x30, 0x83, (body.length >> 16) & 0xff, (body.length >> 8) & 0xff, body.length & 0xff]), body]);
      const issuer = nameWith(0x0c, [...Buffer.from('Mesh Intermediate CA')]);
      const tbs = seq(int(1), ECDSA_SHA256, issuer, utc('261129000000Z'), utc('261206000000Z'), entries);
      const crl = seq(tbs, ECDSA_SHA256, tlv(0x03, [0x00]));
      void crlWithIssuer;
      const r = await diagnose({ chain: m.leaf.pem + m.inter.pem, trust: m.root.pem, crls: crl, at: NOW });
      return `a ${mib(crl.length)} CRL with ${n} entries; ${r.findings.length} findings`;
    },
  },
  {
    name: 'pasted-text-max',
    async run() {
      // 1 MiB of log: certificate-like base64 runs, words starting with M, TLS errors, and keys, through explain
      // and the redactor.
      const m = await mesh();
      const line = (i: number) =>
        i % 7 === 0
          ? m.leaf.pem.replace(/\n/g, ' ')
          : `2026-11-29T02:47:${String(i % 60).padStart(2, '0')}Z Mesh Manager: upstream connect error TLS error: 268436504:SSL routines:OPENSSL_internal:TLSV1_ALERT_UNKNOWN_CA MIIB${'A'.repeat(i % 90)}`;
      let text = '';
      for (let i = 0; text.length < LIMITS.textBytes - 2000; i++) text += line(i) + '\n';
      const t0 = Date.now();
      const red = redact(text);
      const redactMs = Date.now() - t0;
      const r = explainText(text, { at: NOW });
      return `explain of ${mib(text.length)} (redact ${redactMs} ms, ${red.length} chars out); ${r.findings.length} findings`;
    },
  },
];
