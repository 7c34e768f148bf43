/**
 * The connection judgement on its own: classes built from the test PKI, judged both ways by the real rules.
 */
import { describe, expect, it } from 'vitest';
import { intermediate, leaf, NOW, root, spiffe } from '../support/pki.js';
import { classify } from '../../src/connection/classes.js';
import { judgeConnection } from '../../src/connection/judge.js';
import type { ConnectionRecord, WorkloadObservation } from '../../src/model/workload.js';
import { rules as allRules } from '../../rules/index.js';
import { ruleRunner } from '../../src/engine/evaluate.js';
import { emptyClusterEvidence } from '../../src/evidence/cluster.js';
import { pa, pod as podRecord } from '../support/cluster-evidence.js';
import { sourceLabel } from '../../src/report/source-label.js';

const obs = (ns: string, name: string, sa: string, chain: string[], trust: string[], o: Partial<WorkloadObservation> = {}): WorkloadObservation => ({
  pod: { namespace: ns, name, serviceAccount: sa, ready: true, revision: null, labels: {} },
  status: 'read',
  chain,
  trust,
  verifier: 'envoy',
  trustDomain: 'cluster.local',
  ...o,
});

async function pkis() {
  const oldRoot = await root('Old Root CA');
  const newRoot = await root('New Root CA');
  const oldInter = await intermediate(oldRoot, 'Old Intermediate');
  const newInter = await intermediate(newRoot, 'New Intermediate');
  return { oldRoot, newRoot, oldInter, newInter };
}

const conn = (client: string, server: string, o: Partial<ConnectionRecord> = {}): ConnectionRecord => ({
  client,
  server,
  service: { namespace: 'bank', name: 'ledger', port: 8080, targetPort: 8080 },
  expectedServerIds: [spiffe('bank', 'ledger')],
  expectedFrom: 'secure-naming',
  destinationRule: null,
  acceptedTrustDomains: [],
  clientTls: 'ISTIO_MUTUAL',
  clientTlsWhy: 'auto mTLS',
  serverMode: 'STRICT',
  serverModeWhy: 'mesh default',
  ...o,
});

const runner = ruleRunner(allRules, sourceLabel);
const rules = allRules;

describe('judgeConnection', () => {
  it('caller ahead: the client serves a new-root chain the server does not trust yet → rotation-order-violation, client-to-server', async () => {
    const p = await pkis();
    const payL = await leaf(p.newInter, { uris: [spiffe('checkout', 'payments')] });
    const ledL = await leaf(p.oldInter, { uris: [spiffe('bank', 'ledger')] });
    const classes = classify([
      obs('checkout', 'payments-1', 'payments', [payL.pem, p.newInter.pem], [p.oldRoot.pem, p.newRoot.pem]),
      obs('bank', 'ledger-1', 'ledger', [ledL.pem, p.oldInter.pem], [p.oldRoot.pem]),
    ]);
    expect(classes).toHaveLength(2);
    const [pay, led] = classes;
    const j = judgeConnection(conn(pay!.id, led!.id), new Map(classes.map((c) => [c.id, c])), { at: NOW, rules, runner });
    expect(j.status).toBe('broken');
    const rov = j.findings.find((f) => f.rule === 'chain/rotation-order-violation')!;
    expect(rov.connection.direction).toBe('client-to-server');
    expect(rov.subject).toBe('local');
    expect(rov.connection.server.pods).toEqual(['pod/ledger-1']);
    // The reverse direction is fine: the client trusts both roots.
    expect(j.findings.filter((f) => f.connection.direction === 'server-to-client' && f.severity !== 'info')).toEqual([]);
  });

  it('server ahead: judged with the server as the presenter; from the server perspective it is local', async () => {
    const p = await pkis();
    const payL = await leaf(p.oldInter, { uris: [spiffe('checkout', 'payments')] });
    const ledL = await leaf(p.newInter, { uris: [spiffe('bank', 'ledger')] });
    const classes = classify([
      obs('checkout', 'payments-1', 'payments', [payL.pem, p.oldInter.pem], [p.oldRoot.pem]),
      obs('bank', 'ledger-1', 'ledger', [ledL.pem, p.newInter.pem], [p.oldRoot.pem, p.newRoot.pem]),
    ]);
    const m = new Map(classes.map((c) => [c.id, c]));
    const j = judgeConnection(conn(classes[0]!.id, classes[1]!.id), m, { at: NOW, rules, runner, perspective: 'server' });
    const rov = j.findings.find((f) => f.rule === 'chain/rotation-order-violation')!;
    expect(rov.connection.direction).toBe('server-to-client');
    expect(rov.subject).toBe('local');
  });

  it('EKU per direction: a leaf without clientAuth breaks the calls it makes, not the calls it serves', async () => {
    const p = await pkis();
    const a = await leaf(p.oldInter, { uris: [spiffe('checkout', 'payments')], eku: ['serverAuth'] });
    const b = await leaf(p.oldInter, { uris: [spiffe('bank', 'ledger')] });
    const classes = classify([obs('checkout', 'payments-1', 'payments', [a.pem, p.oldInter.pem], [p.oldRoot.pem]), obs('bank', 'ledger-1', 'ledger', [b.pem, p.oldInter.pem], [p.oldRoot.pem])]);
    const m = new Map(classes.map((c) => [c.id, c]));
    const out = judgeConnection(conn(classes[0]!.id, classes[1]!.id), m, { at: NOW, rules, runner });
    expect(out.findings.map((f) => `${f.rule} ${f.connection.direction}`)).toContain('key-usage/missing-client-auth client-to-server');
    // payments as the server of a call from ledger: its serverAuth-only leaf is fine there.
    const back = judgeConnection(conn(classes[1]!.id, classes[0]!.id, { expectedServerIds: [spiffe('checkout', 'payments')] }), m, { at: NOW, rules, runner });
    expect(back.findings.filter((f) => f.rule.startsWith('key-usage/'))).toEqual([]);
    expect(back.status).toBe('ok');
  });

  it('identity the other way: a client from a trust domain the server does not accept (no alias)', async () => {
    const p = await pkis();
    const a = await leaf(p.oldInter, { uris: [spiffe('checkout', 'payments', 'old.example')] });
    const b = await leaf(p.oldInter, { uris: [spiffe('bank', 'ledger')] });
    const classes = classify([obs('checkout', 'payments-1', 'payments', [a.pem, p.oldInter.pem], [p.oldRoot.pem]), obs('bank', 'ledger-1', 'ledger', [b.pem, p.oldInter.pem], [p.oldRoot.pem])]);
    const m = new Map(classes.map((c) => [c.id, c]));
    const out = judgeConnection(conn(classes[0]!.id, classes[1]!.id, { acceptedTrustDomains: ['cluster.local'] }), m, { at: NOW, rules, runner });
    expect(out.findings.map((f) => `${f.rule} ${f.connection.direction}`)).toEqual(['san/trust-domain-mismatch client-to-server']);
    // With the alias, accepted.
    expect(judgeConnection(conn(classes[0]!.id, classes[1]!.id, { acceptedTrustDomains: ['cluster.local', 'old.example'] }), m, { at: NOW, rules, runner }).status).toBe('ok');
  });

  it('identity: a server SPIFFE id outside the expected subjectAltNames', async () => {
    const p = await pkis();
    const a = await leaf(p.oldInter, { uris: [spiffe('checkout', 'payments')] });
    const b = await leaf(p.oldInter, { uris: [spiffe('bank', 'ledger-v2')] });
    const classes = classify([obs('checkout', 'payments-1', 'payments', [a.pem, p.oldInter.pem], [p.oldRoot.pem]), obs('bank', 'ledger-1', 'ledger-v2', [b.pem, p.oldInter.pem], [p.oldRoot.pem])]);
    const m = new Map(classes.map((c) => [c.id, c]));
    const out = judgeConnection(conn(classes[0]!.id, classes[1]!.id, { expectedServerIds: [spiffe('bank', 'ledger')], expectedFrom: 'destination-rule' }), m, { at: NOW, rules, runner });
    const f = out.findings.find((x) => x.rule === 'san/identity-mismatch')!;
    expect(f.connection.direction).toBe('server-to-client');
    expect(f.subject).toBe('peer');
  });

  it('policy per connection: given the cluster objects, the policy rules judge this pair only', async () => {
    const p = await pkis();
    const a = await leaf(p.oldInter, { uris: [spiffe('demo', 'legacy')] });
    const b = await leaf(p.oldInter, { uris: [spiffe('demo', 'ledger')] });
    const classes = classify([obs('demo', 'ledger-1', 'ledger', [b.pem, p.oldInter.pem], [p.oldRoot.pem]), obs('demo', 'legacy-1', 'legacy', [a.pem, p.oldInter.pem], [p.oldRoot.pem])]);
    const m = new Map(classes.map((c) => [c.id, c]));
    const [ledger, legacy] = [classes.find((c) => c.serviceAccount === 'ledger')!, classes.find((c) => c.serviceAccount === 'legacy')!];
    const cluster = { ...emptyClusterEvidence(), pod: podRecord('legacy-1', { sidecar: false }), peerAuthentications: [pa('istio-system', 'default', 'STRICT')], peer: { name: 'ledger', namespace: 'demo', port: 9080, targetPort: 9080, selector: { app: 'ledger' }, pods: [podRecord('ledger-1'), podRecord('ledger-2')] } };
    const out = judgeConnection(conn(legacy.id, ledger.id, { service: { namespace: 'demo', name: 'ledger', port: 9080, targetPort: 9080 } }), m, { at: NOW, rules, runner, cluster });
    const f = out.findings.find((x) => x.rule === 'policy/strict-plaintext-client')!;
    expect(f.connection.direction).toBe('policy');
    // Only this server class's pods (ledger-1), not every pod of the service.
    expect(f.explanation).toMatch(/pod\/ledger-1/);
    expect(f.explanation).not.toMatch(/ledger-2/);
    expect(out.status).toBe('broken');
  });
});
