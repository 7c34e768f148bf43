/**
 * The fleet view, from what every pod holds: expiry at every CA level (each distinct certificate once, however
 * many pods hold it), trust-bundle drift, who can no longer verify whom, and the CA rotation phase. Pure: the
 * scan collects, this judges. Certificates are parsed once per distinct PEM text, so 5,000 pods that trust the
 * same root parse it once.
 */
import { buildChain, type BundleFact } from '../x509/chain.js';
import { parseCertificate, type ParsedCert } from '../x509/certificate.js';
import { decodeCertificates } from '../x509/pem.js';
import type { CertFact } from '../x509/types.js';
import { DEFAULT_THRESHOLDS, type Thresholds } from '../model/thresholds.js';
import { VERSION } from '../version.js';
import { rotationStatus, type RootInfo } from './rotation.js';
import type { CertificateRow, ConfigMapDrift, DriftGroup, ExpiryStatus, FleetInput, Level, PodRow, ScanReport, TrustGap } from './types.js';

export interface AnalyseOptions {
  now: number;
  thresholds?: Thresholds;
  scope?: ScanReport['scope'];
  durationSeconds?: number;
}

const DAY = 86_400_000;

/** Parses PEM texts once each; a text that does not parse is recorded, never thrown. */
class CertCache {
  private readonly byText = new Map<string, ParsedCert[]>();
  readonly problems: string[] = [];
  parse(pems: readonly string[] | undefined, source: string): ParsedCert[] {
    const out: ParsedCert[] = [];
    for (const pem of pems ?? []) {
      let certs = this.byText.get(pem);
      if (!certs) {
        try {
          certs = decodeCertificates(pem, source).map((b) => parseCertificate(b.der, source));
        } catch (e) {
          this.problems.push(`${source}: ${(e as Error).message}`);
          certs = [];
        }
        this.byText.set(pem, certs);
      }
      out.push(...certs);
    }
    return out;
  }
}

/** A root's identity for a verifier: same subject and key is the same root, whatever its serial (a re-issued root). */
const rootKey = (c: CertFact): string => `${c.subjectKey}\u0000${c.spkiSha256}`;

export function expiryStatus(cert: CertFact, level: Level, now: number, t: Thresholds = DEFAULT_THRESHOLDS): ExpiryStatus {
  if (now < cert.notBefore) return 'not-yet-valid';
  if (now > cert.notAfter) return 'expired';
  const lifetime = cert.notAfter - cert.notBefore;
  const left = cert.notAfter - now;
  // Leaves, and CAs that live only days (SPIRE's 24 h CA), are judged by the fraction of their own lifetime.
  const byFraction = level === 'leaf' || lifetime < 2 * t[level === 'root' ? 'root' : 'intermediate'].warnDays * DAY;
  if (byFraction) {
    const f = lifetime > 0 ? left / lifetime : 0;
    return f < t.leaf.criticalFraction ? 'critical' : f < t.leaf.warnFraction ? 'warning' : 'ok';
  }
  const lt = t[level === 'root' ? 'root' : 'intermediate'];
  return left < lt.criticalDays * DAY ? 'critical' : left < lt.warnDays * DAY ? 'warning' : 'ok';
}

const STATUS_ORDER: Record<ExpiryStatus, number> = { expired: 0, 'not-yet-valid': 1, critical: 2, warning: 3, ok: 4 };

export function analyseFleet(input: FleetInput, opts: AnalyseOptions): ScanReport {
  const now = opts.now;
  const t = opts.thresholds ?? DEFAULT_THRESHOLDS;
  const cache = new CertCache();

  // Every root known anywhere: pods' bundles, the root ConfigMaps, the CA Secrets' root-cert.pem.
  const roots = new Map<string, { cert: CertFact; parsed: ParsedCert; trustedBy: Set<string>; alsoIn: Set<string> }>();
  const addRoot = (p: ParsedCert, where: { pod?: string; also?: string }) => {
    const k = rootKey(p.fact);
    let r = roots.get(k);
    if (!r) roots.set(k, (r = { cert: p.fact, parsed: p, trustedBy: new Set(), alsoIn: new Set() }));
    if (where.pod) r.trustedBy.add(where.pod);
    if (where.also) r.alsoIn.add(where.also);
  };

  const okPods = input.pods.filter((p) => p.status === 'ok');
  const podTrust = new Map<string, string[]>();
  for (const pod of okPods) {
    const id = `${pod.namespace}/${pod.name}`;
    const certs = cache.parse(pod.trusted, `${id} ROOTCA`);
    for (const c of certs) addRoot(c, { pod: id });
    podTrust.set(id, [...new Set(certs.map((c) => rootKey(c.fact)))].sort());
  }
  const cmRoots = new Map<string, string[]>();
  for (const cm of input.rootConfigMaps ?? []) {
    const certs = cache.parse([cm.pem], `configmap ${cm.namespace}/istio-ca-root-cert`);
    for (const c of certs) addRoot(c, { also: `configmap ${cm.namespace}/istio-ca-root-cert` });
    cmRoots.set(cm.namespace, [...new Set(certs.map((c) => rootKey(c.fact)))].sort());
  }
  const caCerts: Array<{ parsed: ParsedCert; where: string; issuing: boolean }> = [];
  for (const s of input.caSecrets ?? []) {
    for (const entry of s.certs) {
      const where = `secret ${s.namespace}/${s.name} ${entry.key}`;
      for (const c of cache.parse([entry.pem], where)) {
        if (c.fact.selfIssued && c.fact.basicConstraints?.ca) addRoot(c, { also: where });
        else caCerts.push({ parsed: c, where, issuing: entry.key === 'ca-cert.pem' || entry.key === 'tls.crt' });
      }
    }
  }

  const rootList = [...roots.values()];
  const anchors: BundleFact = { name: 'fleet', source: 'every root the fleet holds', certs: rootList.map((r) => r.cert) };
  const pool = [...rootList.map((r) => r.parsed), ...caCerts.map((c) => c.parsed)];
  const fpToKey = new Map(rootList.map((r) => [r.cert.fingerprint, rootKey(r.cert)]));
  const display = (k: string) => roots.get(k)!.cert.fingerprint;

  // Served chains: leaf per pod, intermediates deduplicated, the root each leaf chains to.
  const rows: PodRow[] = [];
  const intermediates = new Map<string, { cert: CertFact; pods: Set<string>; alsoIn: Set<string> }>();
  const leavesByWorkload = new Map<string, { cert: CertFact; namespace: string; workload: string; pods: number }>();
  const chainsTo = new Map<string, string | null>();
  for (const pod of input.pods) {
    const id = `${pod.namespace}/${pod.name}`;
    if (pod.status !== 'ok') {
      rows.push({ namespace: pod.namespace, name: pod.name, status: 'failed', reason: pod.reason ?? 'unknown', leaf: null, roots: [] });
      continue;
    }
    const served = cache.parse(pod.served, `${id} default`);
    const trust = (podTrust.get(id) ?? []).map(display);
    if (!served.length) {
      rows.push({ namespace: pod.namespace, name: pod.name, status: 'ok', reason: 'serves no certificate (SDS not delivered?)', leaf: null, roots: trust.sort(), chainsTo: null });
      continue;
    }
    const chain = buildChain({ subject: 'local', usage: 'both', expectedId: null, presented: served, pool, bundles: [anchors], verifierBundle: 'fleet', at: now });
    const anchor = chain.verifier?.anchor ?? null;
    const to = anchor ? (fpToKey.get(anchor.fingerprint) ?? rootKey(anchor)) : null;
    chainsTo.set(id, to);
    const leaf = chain.leaf;
    rows.push({
      namespace: pod.namespace,
      name: pod.name,
      status: 'ok',
      leaf: { serial: leaf.serial, notAfter: new Date(leaf.notAfter).toISOString(), issuer: leaf.issuer },
      roots: trust.sort(),
      chainsTo: to ? display(to) : null,
    });
    for (const c of chain.path.slice(1)) {
      if (roots.has(rootKey(c)) && c.selfIssued) continue;
      let e = intermediates.get(c.fingerprint);
      if (!e) intermediates.set(c.fingerprint, (e = { cert: c, pods: new Set(), alsoIn: new Set() }));
      e.pods.add(id);
    }
    const wl = `${pod.namespace}/${pod.workload ?? pod.name}`;
    const prev = leavesByWorkload.get(wl);
    if (!prev || leaf.notAfter < prev.cert.notAfter) leavesByWorkload.set(wl, { cert: leaf, namespace: pod.namespace, workload: pod.workload ?? pod.name, pods: (prev?.pods ?? 0) + 1 });
    else prev.pods++;
  }
  for (const { parsed, where } of caCerts) {
    let e = intermediates.get(parsed.fact.fingerprint);
    if (!e) intermediates.set(parsed.fact.fingerprint, (e = { cert: parsed.fact, pods: new Set(), alsoIn: new Set() }));
    e.alsoIn.add(where);
  }

  // Expiry at every level: CAs first (the one that expires is rarely the one you watch), earliest first.
  const row = (cert: CertFact, level: Level, pods: number, extra: Partial<CertificateRow> = {}): CertificateRow => ({
    level,
    subject: cert.subject || cert.name,
    serial: cert.serial,
    fingerprint: cert.fingerprint,
    notAfter: new Date(cert.notAfter).toISOString(),
    secondsLeft: Math.round((cert.notAfter - now) / 1000),
    pods,
    status: expiryStatus(cert, level, now, t),
    ...extra,
  });
  const caRows = [
    ...[...intermediates.values()].map((e) => row(e.cert, 'intermediate', e.pods.size, e.alsoIn.size ? { alsoIn: [...e.alsoIn].sort() } : {})),
    ...rootList.map((r) => row(r.cert, 'root', r.trustedBy.size, r.alsoIn.size ? { alsoIn: [...r.alsoIn].sort() } : {})),
  ].sort((a, b) => a.secondsLeft - b.secondsLeft || STATUS_ORDER[a.status] - STATUS_ORDER[b.status]);
  const leafRows = [...leavesByWorkload.values()]
    .map((l) => row(l.cert, 'leaf', l.pods, { namespace: l.namespace, workload: l.workload }))
    .sort((a, b) => a.secondsLeft - b.secondsLeft);
  const certificates = [...caRows, ...leafRows];

  // Trust-bundle drift: pods grouped by the set of roots they trust; the largest group is the consensus.
  const groups = new Map<string, { keys: string[]; pods: string[] }>();
  for (const [pod, keys] of podTrust) {
    const g = groups.get(keys.join(',')) ?? { keys, pods: [] };
    g.pods.push(pod);
    groups.set(keys.join(','), g);
  }
  const sortedGroups = [...groups.values()].sort((a, b) => b.pods.length - a.pods.length || a.keys.join().localeCompare(b.keys.join()));
  const names = (keys: string[]) => keys.map((k) => roots.get(k)!.cert.name);
  const drift: DriftGroup[] = sortedGroups.map((g, i) => ({ roots: g.keys.map(display).sort(), rootNames: names(g.keys), pods: g.pods.sort(), majority: i === 0 }));
  const configMapDrift: ConfigMapDrift[] = [];
  for (const [ns, keys] of cmRoots) {
    const pods = [...podTrust].filter(([id, k]) => id.startsWith(`${ns}/`) && k.join() !== keys.join()).map(([id]) => id).sort();
    if (pods.length) configMapDrift.push({ namespace: ns, configMapRoots: keys.map(display).sort(), rootNames: names(keys), pods });
  }
  const driftPods = new Set([...drift.filter((g) => !g.majority).flatMap((g) => g.pods), ...configMapDrift.flatMap((d) => d.pods)]);

  // Who can no longer talk to whom: leaves under a root that some pods do not trust.
  const trustGaps: TrustGap[] = [];
  for (const key of new Set([...chainsTo.values()].filter((k): k is string => !!k))) {
    const serving = [...chainsTo].filter(([, k]) => k === key).length;
    const untrusting = [...podTrust].filter(([, keys]) => !keys.includes(key)).map(([id]) => id).sort();
    if (untrusting.length) trustGaps.push({ root: display(key), rootSubject: roots.get(key)!.cert.name, servingPods: serving, untrustingPods: untrusting });
  }

  // What the CA issues under now: the root its issuing certificate (cacerts ca-cert.pem) chains to.
  const caIssuesUnder = caCerts
    .filter((c) => c.issuing && c.parsed.fact.basicConstraints?.ca)
    .map((c) => buildChain({ subject: 'local', usage: 'both', expectedId: null, presented: [c.parsed], pool, bundles: [anchors], verifierBundle: 'fleet', at: now }).verifier?.anchor)
    .filter((a): a is CertFact => !!a)
    .map((a) => fpToKey.get(a.fingerprint) ?? rootKey(a));

  const rootInfos: RootInfo[] = rootList.map((r) => ({
    key: rootKey(r.cert),
    fingerprint: r.cert.fingerprint,
    subject: r.cert.name,
    notBefore: r.cert.notBefore,
    trustedBy: [...r.trustedBy].sort(),
    inConfigMaps: [...r.alsoIn].filter((w) => w.startsWith('configmap ')).length,
  }));
  const rotation = rotationStatus({
    roots: rootInfos,
    pods: [...podTrust.keys()].sort(),
    chainsTo,
    podTrust,
    caIssuesUnder,
    setup: (input.caSecrets ?? []).some((s) => s.name === 'cacerts') ? 'plug-in-cacerts' : (input.caSecrets ?? []).some((s) => s.name === 'istio-ca-secret') ? 'self-signed' : 'unknown',
  });

  const earliestCa = caRows[0] ?? null;
  return {
    schemaVersion: 1,
    tool: { name: 'mtls-doctor', version: VERSION },
    evaluatedAt: new Date(now).toISOString(),
    scope: opts.scope ?? { namespaces: [...new Set(input.pods.map((p) => p.namespace))].sort() },
    summary: { pods: input.pods.length, ok: okPods.length, failed: input.pods.length - okPods.length, driftPods: driftPods.size, earliest: earliestCa ?? leafRows[0] ?? null },
    pods: rows,
    certificates,
    drift,
    configMapDrift,
    trustGaps,
    rotation,
    ...(opts.durationSeconds !== undefined ? { durationSeconds: opts.durationSeconds } : {}),
  };
}

