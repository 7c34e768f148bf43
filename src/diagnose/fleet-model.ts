/**
 * The fleet as workloads and connections (DESIGN.md "Workloads and connections"): what a scan read, grouped into
 * classes of identical pods and judged by the same rules `diagnose` runs (rules/, through the engine) — once per
 * class, once per pod for its own leaf's validity, once over every CA certificate the fleet holds (expiry at every
 * CA level), and once per pair of classes that can talk, each way. What comes out is plain data (no certificate
 * object): src/fleet aggregates it (drift, trust gaps, the rotation phase) without judging a certificate itself.
 *
 * Certificates are parsed once per distinct PEM text; a class is judged once however many pods it has, so the
 * connection judgement grows with classes², not with pods.
 */
import { buildFacts } from '../facts/build.js';
import type { Facts } from '../facts/types.js';
import { DEFAULT_THRESHOLDS, type Thresholds } from '../model/thresholds.js';
import { analyseFleet } from '../fleet/analyse.js';
import { runRules, verdictOf, type RawFinding } from '../engine/run.js';
import type { Rule } from '../engine/define-rule.js';
import { ruleRunner } from '../engine/evaluate.js';
import { EVIDENCE_KIND, EVIDENCE_VERSION, type CertSet, type EvidenceBundle, type Role } from '../evidence/types.js';
import { buildChain, type BundleFact, type ChainFact } from '../x509/chain.js';
import { parseCertificate, type ParsedCert } from '../x509/certificate.js';
import { decodeCertificates, toPem } from '../x509/pem.js';
import type { CertFact } from '../x509/types.js';
import type { Source } from '../model/source.js';
import { sourceLabel } from '../report/source-label.js';
import type { ClassRow, ConnectionRow, ExpiryStatus, FleetFinding, FleetInput, FleetModel, ModelCert, PodModel, ScanReport } from '../fleet/types.js';
import type { ConnectionRecord, WorkloadClass } from '../model/workload.js';
import { classKey, leafProfile } from '../connection/classes.js';
import { judgeConnections, type ConnectionJudgement } from '../connection/judge.js';
import { rules as ALL_RULES } from '../../rules/index.js';

/**
 * The connection judgement the fleet uses: src/connection/judge.ts `judgeConnections` (the one `diagnose pod/A
 * --peer` and `diagnose svc/B` use). Injectable for tests and benchmarks.
 */
export type ConnectionJudge = typeof judgeConnections;

export interface FleetModelOptions {
  now: number;
  thresholds: Thresholds;
  rules?: readonly Rule[];
  judgeConnections?: ConnectionJudge;
}

const LEAF_RULES = new Set(['expiry/leaf-expired', 'expiry/leaf-expiring', 'expiry/not-yet-valid']);

/** A root's identity for a verifier: same subject and key is the same root, whatever its serial (a re-issued root). */
const rootKey = (c: CertFact): string => `${c.subjectKey}\u0000${c.spkiSha256}`;
/** A sidecar's Envoy secret (`default`, `ROOTCA`) of the pod `NS/NAME`. */
const secret = (name: string, pod: string): Source => {
  const [namespace, podName] = pod.split('/');
  return { kind: 'envoy-secret', name, pod: { namespace: namespace!, name: podName! } };
};

function evidenceOf(o: { now: number; thresholds: Thresholds; role?: Role; chain?: CertSet | null; trust?: CertSet[]; peerTrust?: CertSet[] | null; ca?: CertSet[] }): EvidenceBundle {
  const at = new Date(o.now).toISOString();
  return {
    kind: EVIDENCE_KIND,
    version: EVIDENCE_VERSION,
    collectedAt: at,
    evaluatedAt: at,
    target: { kind: 'library' },
    options: { role: o.role ?? 'both', expectId: null, peerId: null, thresholds: o.thresholds },
    sources: [],
    certificates: { chain: o.chain ?? null, trust: o.trust ?? [], peerTrust: o.peerTrust ?? null, ca: o.ca ?? [] },
    key: null,
    symptomText: null,
  };
}

function fleetFinding(f: RawFinding): FleetFinding {
  return {
    rule: f.rule,
    stage: f.stage,
    subject: f.subject,
    severity: f.severity,
    confidence: f.confidence,
    title: f.title,
    explanation: f.explanation,
    evidence: f.evidence,
    remediation: f.remediation,
    verify: f.verify,
    docs: f.docs,
    causedBy: f.causedBy,
    ...(f.forecast ? { forecast: true } : {}),
    ...(f.about ? { about: f.about } : {}),
  };
}

/** What the expiry rules said about one certificate, as the scan's status word. */
function statusOf(findings: readonly FleetFinding[], fingerprint: string): ExpiryStatus {
  const mine = findings.filter((f) => f.about === fingerprint && f.stage === 'expiry');
  if (mine.some((f) => /-expired$/.test(f.rule))) return 'expired';
  if (mine.some((f) => f.rule === 'expiry/not-yet-valid')) return 'not-yet-valid';
  const expiring = mine.filter((f) => /-expiring$/.test(f.rule));
  if (expiring.some((f) => f.severity === 'critical' || f.severity === 'error')) return 'critical';
  if (expiring.length) return 'warning';
  return 'ok';
}

const sevOrder = { critical: 0, error: 1, warning: 2, info: 3 } as const;
const byWeight = (a: FleetFinding, b: FleetFinding) => Number(!!a.forecast) - Number(!!b.forecast) || sevOrder[a.severity] - sevOrder[b.severity] || a.rule.localeCompare(b.rule);

interface Cls {
  row: ClassRow;
  /** The class in the model shape the connection judgement takes (src/model/workload.ts). */
  wc: WorkloadClass;
  rep: { served: readonly string[]; trusted: readonly string[]; pod: string };
  facts: Facts | null;
  /** The representative's served certificates, parsed; the chain path to the root it reaches among every root. */
  served: ParsedCert[];
  path: CertFact[];
  to: string | null;
}

export function buildFleetModel(input: FleetInput, o: FleetModelOptions): FleetModel {
  const now = o.now;
  const rules = o.rules ?? ALL_RULES;
  const problems: string[] = [];
  // Shared PEM texts (roots, intermediates, ConfigMaps) parse once; a pod's own leaf is parsed for it alone.
  const cache = new Map<string, ParsedCert[]>();
  const parse = (pems: readonly string[] | undefined, source: string, keep: boolean): ParsedCert[] => {
    const out: ParsedCert[] = [];
    for (const pem of pems ?? []) {
      let certs = cache.get(pem);
      if (!certs) {
        try {
          certs = decodeCertificates(pem, source).map((b) => parseCertificate(b.der, source));
        } catch (e) {
          problems.push(`${source}: ${(e as Error).message}`);
          certs = [];
        }
        if (keep || certs.every((c) => c.fact.basicConstraints?.ca)) cache.set(pem, certs);
      }
      out.push(...certs);
    }
    return out;
  };

  // Every root known anywhere: pods' bundles, the root ConfigMaps, the CA Secrets' self-signed certificates.
  const roots = new Map<string, { parsed: ParsedCert; trustedBy: string[]; alsoIn: Set<string> }>();
  const addRoot = (p: ParsedCert, where: { pod?: string; also?: string }) => {
    const k = rootKey(p.fact);
    let r = roots.get(k);
    if (!r) roots.set(k, (r = { parsed: p, trustedBy: [], alsoIn: new Set() }));
    if (where.pod) r.trustedBy.push(where.pod);
    if (where.also) r.alsoIn.add(where.also);
  };
  const trustKeyCache = new Map<readonly string[] | string, string[]>();
  const podTrust = new Map<string, string[]>();
  const fpCache = new Map<string, string[]>();
  const trustFps = (pems: readonly string[], id: string): string[] => {
    const sig = pems.join('');
    let fps = fpCache.get(sig);
    if (!fps) fpCache.set(sig, (fps = [...new Set(parse(pems, `${id} ROOTCA`, true).map((c) => c.fact.fingerprint))].sort()));
    return fps;
  };
  for (const pod of input.pods) {
    if (pod.status !== 'ok') continue;
    const id = `${pod.namespace}/${pod.name}`;
    const certs = parse(pod.trusted, `${id} ROOTCA`, true);
    for (const c of certs) addRoot(c, { pod: id });
    const sig = (pod.trusted ?? []).join('');
    let keys = trustKeyCache.get(sig);
    if (!keys) trustKeyCache.set(sig, (keys = [...new Set(certs.map((c) => rootKey(c.fact)))].sort()));
    podTrust.set(id, keys);
  }
  const configMaps: FleetModel['configMaps'] = [];
  for (const cm of input.rootConfigMaps ?? []) {
    const where = `configmap ${cm.namespace}/istio-ca-root-cert`;
    const certs = parse([cm.pem], where, true);
    for (const c of certs) addRoot(c, { also: where });
    configMaps.push({ namespace: cm.namespace, roots: [...new Set(certs.map((c) => rootKey(c.fact)))].sort() });
  }
  const caCerts: Array<{ parsed: ParsedCert; where: string; issuing: boolean }> = [];
  const caSecretRoots: FleetModel['caSecretRoots'] = [];
  for (const s of input.caSecrets ?? []) {
    for (const entry of s.certs) {
      const where = `secret ${s.namespace}/${s.name} ${entry.key}`;
      const certs = parse([entry.pem], where, true);
      if (entry.key === 'root-cert.pem') caSecretRoots.push({ where: `${s.namespace}/${s.name} root-cert.pem`, namespace: s.namespace, roots: [...new Set(certs.map((c) => rootKey(c.fact)))].sort() });
      for (const c of certs) {
        if (c.fact.selfIssued && c.fact.basicConstraints?.ca) addRoot(c, { also: where });
        else caCerts.push({ parsed: c, where, issuing: entry.key === 'ca-cert.pem' || entry.key === 'tls.crt' });
      }
    }
  }
  const rootList = [...roots.values()];
  const anchors: BundleFact = { name: 'fleet', source: 'every root the fleet holds', certs: rootList.map((r) => r.parsed.fact) };
  const pool = [...rootList.map((r) => r.parsed), ...caCerts.map((c) => c.parsed)];
  const fpToKey = new Map(rootList.map((r) => [r.parsed.fact.fingerprint, rootKey(r.parsed.fact)]));
  const display = (k: string) => roots.get(k)!.parsed.fact.fingerprint;
  const reaches = (presented: ParsedCert[]) => {
    const chain = buildChain({ subject: 'local', usage: 'both', expectedId: null, presented, pool, bundles: [anchors], verifierBundle: 'fleet', at: now });
    const anchor = chain.verifier?.anchor ?? null;
    return { chain, to: anchor ? (fpToKey.get(anchor.fingerprint) ?? rootKey(anchor)) : null };
  };

  // Pods into classes: identity, the chain above the leaf, the trusted roots, the leaf properties the rules judge.
  const classes = new Map<string, Cls>();
  const pods: PodModel[] = [];
  const leafOf = new Map<string, { leaf: ParsedCert; cls: Cls }>();
  for (const pod of input.pods) {
    const id = `${pod.namespace}/${pod.name}`;
    const base = { namespace: pod.namespace, name: pod.name, ...(pod.workload ? { workload: pod.workload } : {}) };
    if (pod.status !== 'ok') {
      pods.push({ ...base, status: 'failed', reason: pod.reason ?? 'unknown', class: null, leaf: null, trust: [], chainsTo: null });
      continue;
    }
    const trust = podTrust.get(id) ?? [];
    const served = parse(pod.served, `${id} default`, false);
    if (!served.length) {
      pods.push({ ...base, status: 'ok', reason: 'serves no certificate (SDS not delivered?)', class: null, leaf: null, trust, chainsTo: null });
      continue;
    }
    const leaf = served[0]!.fact;
    const shared = {
      spiffeId: leaf.spiffe.find((x) => x.ok)?.uri ?? null,
      namespace: pod.namespace,
      serviceAccount: pod.serviceAccount ?? leaf.spiffe.find((x) => x.ok)?.serviceAccount ?? 'unknown',
      caFingerprints: served.slice(1).map((c) => c.fact.fingerprint),
      trustRoots: trustFps(pod.trusted ?? [], id),
      verifier: 'envoy' as const,
      leaf: leafProfile(leaf),
      from: 'sidecar' as const,
    };
    const key = classKey(shared);
    let cls = classes.get(key);
    if (!cls) {
      const { chain, to } = reaches(served);
      cls = {
        row: {
          id: key,
          identity: shared.spiffeId,
          namespace: pod.namespace,
          serviceAccount: shared.serviceAccount,
          pods: [],
          chain: chain.path.slice(1).filter((c) => !(c.selfIssued && roots.has(rootKey(c)))).map((c) => c.fingerprint),
          roots: trust.map(display).sort(),
          chainsTo: to ? display(to) : null,
          services: [],
          findings: [],
        },
        wc: { id: key, ...shared, chain: [...(pod.served ?? [])], trust: [...(pod.trusted ?? [])], source: `pod/${pod.name} istio-proxy`, chainOrigin: { kind: 'envoy-secret', name: 'default', pod: { namespace: pod.namespace, name: pod.name } }, trustOrigin: { kind: 'envoy-secret', name: 'ROOTCA', pod: { namespace: pod.namespace, name: pod.name } }, pods: [] },
        rep: { served: pod.served ?? [], trusted: pod.trusted ?? [], pod: id },
        facts: null,
        served,
        path: chain.path,
        to,
      };
      classes.set(key, cls);
    }
    cls.wc.pods.push({ namespace: pod.namespace, name: pod.name, ready: true, revision: null, leaf: { fingerprint: leaf.fingerprint, serial: leaf.serial, notBefore: new Date(leaf.notBefore).toISOString(), notAfter: new Date(leaf.notAfter).toISOString() } });
    cls.row.pods.push(id);
    for (const s of pod.services ?? []) if (!cls.row.services.includes(s)) cls.row.services.push(s);
    leafOf.set(id, { leaf: served[0]!, cls });
    pods.push({ ...base, status: 'ok', class: cls.row.id, leaf: null, trust, chainsTo: cls.to });
  }

  // The workload rules, once per class (its first pod stands for it); then each pod's own leaf, by the same rules.
  const leafRules = rules.filter((r) => LEAF_RULES.has(r.meta.id));
  for (const cls of classes.values()) {
    const ev = evidenceOf({
      now,
      thresholds: o.thresholds,
      chain: { source: `${cls.rep.pod} default`, origin: secret('default', cls.rep.pod), pems: [...cls.rep.served] },
      trust: cls.rep.trusted.length ? [{ source: `${cls.rep.pod} ROOTCA`, origin: secret('ROOTCA', cls.rep.pod), pems: [...cls.rep.trusted] }] : [],
    });
    cls.facts = buildFacts(ev, { label: sourceLabel });
    cls.row.findings = runRules(rules, cls.facts).findings.map(fleetFinding).sort(byWeight);
  }
  const leafFindings: FleetFinding[] = [];
  for (const p of pods) {
    const got = leafOf.get(`${p.namespace}/${p.name}`);
    if (!got) continue;
    const facts = got.cls.facts!;
    const local = facts.local!;
    const leaf = { ...got.leaf.fact, origin: secret('default', `${p.namespace}/${p.name}`) };
    const chain: ChainFact = { ...local, leaf, presented: [leaf, ...local.presented.slice(1)], path: [leaf, ...local.path.slice(1)] };
    const found = runRules(leafRules, { ...facts, chains: [chain], local: chain }).findings.map(fleetFinding).filter((f) => f.about === leaf.fingerprint);
    leafFindings.push(...found);
    p.leaf = { ...certOf(leaf), status: statusOf(found, leaf.fingerprint) };
  }

  // Expiry at every CA level: the expiry rules over every CA certificate the fleet holds, each once.
  const intermediates = new Map<string, { cert: CertFact; pods: Set<string>; alsoIn: Set<string> }>();
  for (const cls of classes.values()) {
    for (const c of cls.path.slice(1)) {
      if (c.selfIssued && roots.has(rootKey(c))) continue;
      let e = intermediates.get(c.fingerprint);
      if (!e) intermediates.set(c.fingerprint, (e = { cert: c, pods: new Set(), alsoIn: new Set() }));
      for (const p of cls.row.pods) e.pods.add(p);
    }
  }
  for (const { parsed, where } of caCerts) {
    let e = intermediates.get(parsed.fact.fingerprint);
    if (!e) intermediates.set(parsed.fact.fingerprint, (e = { cert: parsed.fact, pods: new Set(), alsoIn: new Set() }));
    e.alsoIn.add(where);
  }
  const caPems = [...new Map([...rootList.map((r) => r.parsed), ...caCerts.map((c) => c.parsed)].map((p) => [p.fact.fingerprint, p])).values()];
  for (const e of intermediates.values()) if (!caPems.some((p) => p.fact.fingerprint === e.cert.fingerprint)) {
    const hit = [...classes.values()].flatMap((c) => c.served).find((p) => p.fact.fingerprint === e.cert.fingerprint);
    if (hit) caPems.push(hit);
  }
  const caFindings = caPems.length
    ? runRules(rules.filter((r) => r.meta.stage === 'expiry'), buildFacts(evidenceOf({ now, thresholds: o.thresholds, ca: [{ source: 'the fleet\'s CA certificates', origin: { kind: 'inline', name: 'fleet CA certificates' }, pems: caPems.map((p) => toPem(p.der)) }] }), { label: sourceLabel })).findings.map(fleetFinding)
    : [];

  // Connections: every class × every class that backs a Service, each judged both ways by the one judgement.
  const judge = o.judgeConnections ?? judgeConnections;
  const all = [...classes.values()];
  const servicesKnown = input.pods.some((p) => p.services !== undefined);
  const servers = servicesKnown ? all.filter((c) => c.row.services.length > 0) : all;
  const ports = new Map((input.services ?? []).map((x) => [`${x.namespace}/${x.name}`, x.port]));
  const records: ConnectionRecord[] = [];
  for (const client of all) {
    for (const server of servers) {
      const svc = server.row.services[0];
      const [svcNs, svcName] = svc ? svc.split('/') : [server.row.namespace, server.row.serviceAccount];
      records.push({
        client: client.row.id,
        server: server.row.id,
        service: { namespace: svcNs!, name: svcName!, port: (svc ? ports.get(svc) : undefined) ?? 0, targetPort: null },
        expectedServerIds: server.row.identity ? [server.row.identity] : [],
        expectedFrom: server.row.identity ? 'secure-naming' : 'none',
        destinationRule: null,
        acceptedTrustDomains: [],
        clientTls: 'ISTIO_MUTUAL',
        clientTlsWhy: 'auto mTLS (a scan reads no DestinationRule)',
        serverMode: 'PERMISSIVE',
        serverModeWhy: 'a scan reads no PeerAuthentication',
      });
    }
  }
  // Classes that differ only in name (the same chain and bundle in another namespace) are judged once: the
  // judgement reads certificates, bundles, verifiers and expected identities, nothing else.
  const byId = new Map(all.map((c) => [c.row.id, c]));
  const material = (c: Cls) => `${c.wc.chain.join('')}\u0001${c.wc.trust.join('')}\u0001${c.wc.verifier}`;
  const sig = (r: ConnectionRecord) => `${material(byId.get(r.client)!)}\u0002${material(byId.get(r.server)!)}\u0002${r.expectedServerIds.join(',')}`;
  const firstOf = new Map<string, ConnectionRecord>();
  for (const r of records) if (!firstOf.has(sig(r))) firstOf.set(sig(r), r);
  const unique = [...firstOf.values()];
  const judgedOnce = new Map(judge({ classes: all.map((c) => c.wc), connections: unique }, { at: now, rules, thresholds: o.thresholds, runner: ruleRunner(rules, sourceLabel) }).map((j, i) => [unique[i]!, j]));
  const judgements: ConnectionJudgement[] = records.map((r) => {
    const rep = firstOf.get(sig(r))!;
    const j = judgedOnce.get(rep)!;
    if (rep === r) return j;
    const names = (id: string) => byId.get(id)!.wc.pods.map((p) => (p.namespace === byId.get(id)!.wc.namespace ? `pod/${p.name}` : `pod/${p.namespace}/${p.name}`)).join(', ');
    const relabel = (text: string) => text.replace(names(rep.client), names(r.client)).replace(names(rep.server), names(r.server));
    return {
      ...j,
      connection: r,
      findings: j.findings.map((f) => ({
        ...f,
        evidence: f.evidence.map((e) => (e.source === 'connection' ? { ...e, detail: relabel(e.detail) } : e)),
        connection: { ...f.connection, client: { class: r.client, pods: byId.get(r.client)!.row.pods.map((p) => `pod/${p.split('/')[1]}`) }, server: { class: r.server, pods: byId.get(r.server)!.row.pods.map((p) => `pod/${p.split('/')[1]}`) } },
      })),
    };
  });
  const STATUS_VERDICT = { broken: 'failing', 'at-risk': 'at-risk', unknown: 'unknown', ok: 'healthy' } as const;
  const connections: ConnectionRow[] = judgements
    .filter((j) => j.status !== 'ok')
    .map((j) => {
      const c = byId.get(j.connection.client)!;
      const sv = byId.get(j.connection.server)!;
      return {
        client: { class: c.row.id, pods: c.row.pods },
        server: { class: sv.row.id, pods: sv.row.pods, services: sv.row.services },
        status: j.status,
        verdict: STATUS_VERDICT[j.status],
        findings: j.findings.map((f) => ({ ...fleetFinding(f), connection: f.connection })).sort(byWeight),
        ...(j.unjudged.length ? { unjudged: j.unjudged } : {}),
      };
    });
  const vOrder = { failing: 0, 'at-risk': 1, unknown: 2, healthy: 3 } as const;
  connections.sort((a, b) => vOrder[a.verdict] - vOrder[b.verdict]);
  const judged = records.length;

  const caIssuesUnder = caCerts
    .filter((c) => c.issuing && c.parsed.fact.basicConstraints?.ca)
    .map((c) => reaches([c.parsed]).to)
    .filter((k): k is string => !!k);

  const cert = (c: CertFact, findings: readonly FleetFinding[]): ModelCert => ({ ...certOf(c), status: statusOf(findings, c.fingerprint) });
  return {
    now,
    roots: rootList.map((r) => ({
      ...cert(r.parsed.fact, caFindings),
      key: rootKey(r.parsed.fact),
      trustedBy: [...new Set(r.trustedBy)].sort(),
      alsoIn: [...r.alsoIn].sort(),
    })),
    intermediates: [...intermediates.values()].map((e) => ({ ...cert(e.cert, caFindings), pods: e.pods.size, alsoIn: [...e.alsoIn].sort() })),
    pods,
    classes: all.map((c) => c.row),
    configMaps,
    caSecretRoots,
    caIssuesUnder,
    setup: (input.caSecrets ?? []).some((s) => s.name === 'cacerts') ? 'plug-in-cacerts' : (input.caSecrets ?? []).some((s) => s.name === 'istio-ca-secret') ? 'self-signed' : 'unknown',
    connections,
    connectionsJudged: judged,
    leafFindings,
    problems,
  };
}

function certOf(c: CertFact): Omit<ModelCert, 'status'> {
  return { fingerprint: c.fingerprint, name: c.name, subject: c.subject || c.name, serial: c.serial, issuer: c.issuer, notBefore: c.notBefore, notAfter: c.notAfter };
}

/** What a scan read → the scan report: the rules over classes and connections, then src/fleet's aggregation. */
export function judgeFleet(input: FleetInput, o: { now: number; thresholds?: Thresholds; scope?: ScanReport['scope']; durationSeconds?: number; judgeConnections?: ConnectionJudge }): ScanReport {
  const model = buildFleetModel(input, { now: o.now, thresholds: o.thresholds ?? DEFAULT_THRESHOLDS, ...(o.judgeConnections ? { judgeConnections: o.judgeConnections } : {}) });
  return analyseFleet(model, { ...(o.scope ? { scope: o.scope } : {}), ...(o.durationSeconds !== undefined ? { durationSeconds: o.durationSeconds } : {}) });
}
