/**
 * The rotation drill: the five steps of a CA rotation (src/fleet/rotation.ts) and the two tempting wrong orders,
 * each simulated on the fleet as a scan read it — an edited copy of what every pod serves and trusts, judged by
 * the same connection rules as `scan` (src/diagnose/fleet-model.ts → src/connection/judge.ts). Nothing is written
 * to the cluster and no CA key is read: leaves the new CA would issue are simulated (src/x509/issue.ts
 * `simulateLeaf`), their signature assumed valid, and every finding that rests on one is marked `simulated`.
 */
import { readInputFile } from '../collect/files.js';
import { inputError, usageError } from '../errors.js';
import { buildFleetModel } from './fleet-model.js';
import { verifyCommand } from '../fleet/analyse.js';
import { CA_TYPES, STEP_NAMES, WRONG_NAMES, runbookPrepare, stepRunbook, type DrillBreak, type DrillCert, type DrillReport, type DrillStep, type DrillStepNumber, type DrillWrongOrder } from '../fleet/drill.js';
import type { ConnectionRow, FleetInput, FleetModel, PodHolding } from '../fleet/types.js';
import { resolveThresholds } from '../model/thresholds.js';
import { forgetSimulated, parseCertificate, verifySignature, type ParsedCert } from '../x509/certificate.js';
import { decodeCertificates, toPem } from '../x509/pem.js';
import type { CertFact } from '../x509/types.js';
import { VERSION } from '../version.js';
import { isFileRef, type FileRef } from './request.js';
import { scan, type ScanDeps, type ScanRequest } from './scan.js';

export interface DrillRequest extends ScanRequest {
  /** The new CA's certificates (a new root and/or a new intermediate under it): PEM text, or `{ path }`. */
  newCa: string | FileRef;
  /** The CA setup, when the scan cannot tell: `cacerts`, `istiod`, `istio-csr`, `spire`. */
  caType?: string;
}

const NEW_CA_LIMIT = 1024 * 1024;
const rootKey = (c: CertFact) => `${c.subjectKey}\u0000${c.spkiSha256}`;
const certOf = (c: CertFact): DrillCert => ({ name: c.name, subject: c.subject || c.name, fingerprint: c.fingerprint, notBefore: new Date(c.notBefore).toISOString(), notAfter: new Date(c.notAfter).toISOString() });

/** The new CA's certificates, checked: CA certificates only, no key; one line and exit 2 otherwise. */
export function readNewCa(newCa: DrillRequest['newCa'], read: NonNullable<ScanDeps['readFile']> = readInputFile): { label: string; certs: ParsedCert[] } {
  if (newCa === undefined || newCa === null || (typeof newCa === 'string' && newCa === '')) throw usageError('rotation drill needs --new-ca FILE: the new CA\'s certificates (its root, and/or the intermediate that will issue), PEM');
  const label = isFileRef(newCa) ? `--new-ca file "${newCa.path}"` : '--new-ca';
  const text = isFileRef(newCa) ? Buffer.from(read(newCa.path, '--new-ca', NEW_CA_LIMIT)).toString('latin1') : newCa;
  if (/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(text)) throw inputError(`Cannot use ${label}: it holds a private key. The drill reads the new CA's certificates only, never its key: give root-cert.pem and/or ca-cert.pem (or cert-chain.pem)`);
  let certs: ParsedCert[];
  try {
    certs = decodeCertificates(text, label).map((b) => parseCertificate(b.der, label));
  } catch (e) {
    throw inputError(`Cannot use ${label}: ${(e as Error).message.replace(/^Cannot read [^:]*: /, '')}; give the new CA's certificates (PEM)`, e);
  }
  const leaf = certs.find((c) => !c.fact.basicConstraints?.ca);
  if (leaf) throw inputError(`Cannot use ${label}: "${leaf.fact.name}" is not a CA certificate (a workload leaf?); give the new CA's root and/or intermediate (root-cert.pem, ca-cert.pem)`);
  return { label, certs };
}

/** Breaking connections of a model: `broken` rows, with which directions fail and whether a simulated leaf is involved. */
function breaksOf(model: FleetModel, simulatedPods: ReadonlySet<string>): DrillBreak[] {
  return model.connections
    .filter((c) => c.status === 'broken')
    .map((c) => toBreak(c, simulatedPods));
}

function toBreak(c: ConnectionRow, simulatedPods: ReadonlySet<string>): DrillBreak {
  const failing = c.findings.filter((f) => (f.severity === 'critical' || f.severity === 'error') && !f.forecast);
  // A direction rests on the presenter's chain: the client's for client-to-server, the server's for server-to-client.
  const restsOnSimulated = (dir: string) => (dir === 'client-to-server' ? c.client.pods : dir === 'server-to-client' ? c.server.pods : []).some((p) => simulatedPods.has(p));
  const findings = failing.map((f) => ({ rule: f.rule, severity: f.severity, direction: f.connection.direction, title: f.title, simulated: restsOnSimulated(f.connection.direction) }));
  return {
    client: { class: c.client.class, pods: [...c.client.pods].sort() },
    server: { class: c.server.class, pods: [...c.server.pods].sort(), services: c.server.services },
    directions: [...new Set(findings.map((f) => f.direction))].sort(),
    findings,
    simulated: findings.some((f) => f.simulated),
  };
}

const pairKeys = (b: DrillBreak) => b.client.pods.flatMap((c) => b.server.pods.flatMap((s) => b.directions.map((d) => `${c}|${s}|${d}`)));

/** The breaks of some models, without those broken today already, each once (merging rows of the same pods and way). */
function newBreaks(lists: DrillBreak[][], baseline: ReadonlySet<string>): DrillBreak[] {
  const byKey = new Map<string, DrillBreak>();
  for (const b of lists.flat()) {
    if (pairKeys(b).every((k) => baseline.has(k))) continue;
    const k = `${b.client.pods.join(',')}|${b.server.pods.join(',')}`;
    const have = byKey.get(k);
    if (!have) byKey.set(k, b);
    else {
      const seen = new Set(have.findings.map((f) => `${f.rule}|${f.direction}`));
      have.findings.push(...b.findings.filter((f) => !seen.has(`${f.rule}|${f.direction}`)));
      have.directions = [...new Set([...have.directions, ...b.directions])].sort();
      have.simulated = have.simulated || b.simulated;
    }
  }
  return [...byKey.values()].sort((a, b) => a.client.pods[0]!.localeCompare(b.client.pods[0]!) || a.server.pods[0]!.localeCompare(b.server.pods[0]!));
}

/** The CA setup named with `--ca-type`; exit 2 for a value it does not know. */
function givenCa(given: string): DrillReport['ca'] {
  const kind = CA_TYPES[given];
  if (!kind) throw usageError(`Cannot use --ca-type ${given}: use ${Object.keys(CA_TYPES).join(', ')}`);
  return { kind, detail: `given with --ca-type ${given}` };
}

/** The CA setup from what the scan read: SPIRE's subjects on the leaves served, the CA Secrets found. */
function recogniseCa(input: FleetInput, served: CertFact[]): DrillReport['ca'] {
  if (served.some((c) => /(^|,\s*)O=SPIRE(,|$)/.test(c.subject) || (c.basicConstraints?.ca && /(^|,\s*)O=SPIFFE(,|$)/.test(c.subject)))) {
    return { kind: 'spire', detail: 'the workload certificates carry SPIRE\'s subject (O=SPIRE / a SPIFFE CA): SPIRE issues them, the runbook assumes an UpstreamAuthority "disk" plugin' };
  }
  const secrets = input.caSecrets;
  if (secrets?.some((s) => s.name === 'cacerts')) return { kind: 'plug-in-cacerts', detail: 'the Secret istio-system/cacerts exists: istiod signs with a plug-in CA' };
  if (secrets?.some((s) => s.name === 'istio-ca-secret')) return { kind: 'self-signed', detail: 'only the Secret istio-system/istio-ca-secret exists: istiod signs with its self-signed CA' };
  if (secrets) return { kind: 'unknown', detail: 'cannot tell: neither istio-system/cacerts nor istio-ca-secret exists, so istiod is not the CA (cert-manager istio-csr? another external CA?); name it with --ca-type' };
  return { kind: 'unknown', detail: 'cannot tell: the CA Secrets were not read; rerun with --read-ca-secrets, or name the CA with --ca-type cacerts|istiod|istio-csr|spire' };
}

/**
 * Runs the drill: reads the new CA, scans (or replays a saved scan), simulates every step on edited copies of what
 * was read and judges each with the connection rules.
 */
export async function rotationDrill(request: DrillRequest, deps: ScanDeps = {}): Promise<DrillReport> {
  const simulated: string[] = [];
  try {
    return await drill(request, deps, simulated);
  } finally {
    // The simulated leaves' assumed signatures end with the drill: its own, so that drills at once keep theirs.
    forgetSimulated(simulated);
  }
}

/** `simulated` collects the fingerprints of the leaves this drill simulates (registered as assumed signatures). */
async function drill(request: DrillRequest, deps: ScanDeps, simulated: string[]): Promise<DrillReport> {
  const { newCa: newCaRef, caType, ...scanRequest } = request;
  const { certs: file } = readNewCa(newCaRef, deps.readFile);
  const given = caType !== undefined ? givenCa(caType) : undefined; // before the scan: a bad --ca-type exits 2 at once
  const { report, bundle } = await scan(scanRequest, deps);
  const input = bundle.input;
  const at = Date.parse(report.evaluatedAt);
  const thresholds = resolveThresholds(undefined);

  // What every pod holds, parsed (shared PEM texts once).
  const cache = new Map<string, ParsedCert[]>();
  const parse = (pem: string, source: string) => {
    let v = cache.get(pem);
    if (!v) {
      try {
        v = decodeCertificates(pem, source).map((b) => parseCertificate(b.der, source));
      } catch {
        v = [];
      }
      cache.set(pem, v);
    }
    return v;
  };
  const okPods = input.pods.filter((p) => p.status === 'ok');
  const podId = (p: PodHolding) => `${p.namespace}/${p.name}`;
  const trustOf = new Map(okPods.map((p) => [podId(p), (p.trusted ?? []).flatMap((t) => parse(t, `${podId(p)} ROOTCA`))]));
  const servedOf = new Map(okPods.map((p) => [podId(p), (p.served ?? []).flatMap((t) => parse(t, `${podId(p)} default`))]));

  // The new CA: its root (in the file, or — for an intermediate alone — a root the fleet already holds) and the
  // certificate that will sign leaves (the deepest CA of the file).
  const fleetRoots = new Map<string, ParsedCert>();
  for (const c of [...trustOf.values()].flat()) if (c.fact.selfIssued) fleetRoots.set(rootKey(c.fact), c);
  for (const cm of input.rootConfigMaps ?? []) for (const c of parse(cm.pem, `configmap ${cm.namespace}`)) if (c.fact.selfIssued) fleetRoots.set(rootKey(c.fact), c);
  const fileRoots = file.filter((c) => c.fact.selfIssued);
  const fileInters = file.filter((c) => !c.fact.selfIssued);
  const issuedBy = (child: ParsedCert, parent: ParsedCert) => child.fact.issuerKey === parent.fact.subjectKey && (child.node && parent.node ? verifySignature(child.node, parent.node) !== false : true);
  // The issuer: the intermediate no other intermediate of the file is issued by; else the root.
  const issuer = fileInters.find((c) => !fileInters.some((o) => o !== c && issuedBy(o, c))) ?? fileRoots[0]!;
  const chainUp = (from: ParsedCert): ParsedCert[] => {
    const out = [from];
    for (let cur = from; !cur.fact.selfIssued && out.length < 8; ) {
      const up = [...fileInters, ...fileRoots, ...fleetRoots.values()].find((c) => c !== cur && !out.includes(c) && issuedBy(cur, c));
      if (!up) break;
      out.push(up);
      cur = up;
    }
    return out;
  };
  const path = chainUp(issuer);
  const top = path[path.length - 1]!;
  if (!top.fact.selfIssued) {
    throw inputError(`Cannot use the --new-ca file: "${top.fact.name}" chains to no root in the file or the fleet ("${top.fact.issuer}" is missing); add the new root (root-cert.pem) to the file`);
  }
  if (fileRoots.length > 1) throw inputError(`Cannot use the --new-ca file: it holds ${fileRoots.length} roots; give one new root and the intermediates under it`);
  if (fileRoots.length === 1 && fileRoots[0] !== top) throw inputError(`Cannot use the --new-ca file: "${issuer.fact.name}" does not chain to its root "${fileRoots[0]!.fact.name}" (it chains to "${top.fact.name}"); give the new CA's own root`);
  const newRoot = top;
  const newKey = rootKey(newRoot.fact);
  const intermediates = path.slice(0, -1); // issuer first, up to below the root: what a leaf is served with
  const rootInFile = fileRoots.includes(newRoot);

  const trustsNew = (p: string) => trustOf.get(p)!.some((c) => rootKey(c.fact) === newKey);
  const oldRootCerts = new Map<string, ParsedCert>();
  for (const c of [...trustOf.values()].flat()) if (c.fact.selfIssued && rootKey(c.fact) !== newKey) oldRootCerts.set(rootKey(c.fact), c);
  // A pod's leaf is from the new CA when its issuer is the new issuing certificate (names and key id).
  const leafFromNew = (p: string) => {
    const leaf = servedOf.get(p)![0];
    return !!leaf && leaf.fact.issuerKey === issuer.fact.subjectKey && (!leaf.fact.aki || !issuer.fact.ski || leaf.fact.aki === issuer.fact.ski);
  };
  const ids = okPods.map(podId);
  const leafPods = ids.filter((p) => servedOf.get(p)!.length > 0);
  const trustChangeNeeded = oldRootCerts.size > 0 || ids.some((p) => !trustsNew(p));

  // Where the fleet is. 1: the trust sources hold the new root; 2: every pod trusts it; 3: the CA issues from the
  // new CA (a leaf of it is served, or the CA Secret's ca-cert.pem is it); 4: every leaf is from it; 5: no old root.
  const caIssuing = (input.caSecrets ?? []).some((s) => s.certs.some((e) => (e.key === 'ca-cert.pem' || e.key === 'tls.crt') && parse(e.pem, 'ca').some((c) => c.fact.fingerprint === issuer.fact.fingerprint)));
  const sources = [...(input.rootConfigMaps ?? []).map((cm) => parse(cm.pem, 'configmap')), ...(input.caSecrets ?? []).flatMap((s) => s.certs.filter((e) => e.key === 'root-cert.pem').map((e) => parse(e.pem, 'secret')))];
  const done: Record<DrillStepNumber, boolean> = {
    1: sources.length ? sources.every((cs) => cs.some((c) => rootKey(c.fact) === newKey)) : ids.some(trustsNew),
    2: ids.every(trustsNew),
    3: caIssuing || leafPods.some(leafFromNew),
    4: leafPods.length > 0 && leafPods.every(leafFromNew),
    5: oldRootCerts.size === 0,
  };
  if (!trustChangeNeeded) done[1] = done[2] = done[5] = true;
  const startStep = ([1, 2, 3, 4, 5] as DrillStepNumber[]).find((s) => !done[s]) ?? null;

  // The simulated leaves: each pod not yet on the new CA, re-issued by it (one leaf per identity and leaf profile).
  const { simulateLeaf } = await import('../x509/issue.js');
  const simByProfile = new Map<string, string>();
  const simulatedServed = new Map<string, string[]>();
  let serial = 0;
  const interPems = intermediates.map((c) => toPem(c.der));
  for (const p of leafPods) {
    if (leafFromNew(p)) continue;
    const leaf = servedOf.get(p)![0]!;
    const f = leaf.fact;
    const profile = JSON.stringify([p.split('/')[0], f.subject, f.sans, f.eku, f.keyUsage, f.publicKey.type, f.publicKey.curve, f.publicKey.bits, f.notAfter - f.notBefore]);
    let pem = simByProfile.get(profile);
    if (!pem) {
      const sim = await simulateLeaf(toPem(leaf.der), toPem(issuer.der), at, ++serial);
      simulated.push(sim.fingerprint);
      simByProfile.set(profile, (pem = sim.pem));
    }
    simulatedServed.set(p, [pem + interPems.join('')]);
  }
  const simulatedPods = new Set(simulatedServed.keys());

  // Edits of what was read. Trust bundles are rewritten certificate by certificate (a bundle may be one PEM text).
  const newRootPem = toPem(newRoot.der);
  const oldKeys = new Set(oldRootCerts.keys());
  type Trust = 'today' | 'plus-new' | 'new-only';
  const editTrust = (certs: ParsedCert[], t: Trust): string[] => {
    if (t === 'today') return certs.map((c) => toPem(c.der));
    const kept = certs.filter((c) => !(t === 'new-only' && oldKeys.has(rootKey(c.fact))));
    if (!kept.some((c) => rootKey(c.fact) === newKey)) kept.push(newRoot);
    return kept.map((c) => toPem(c.der));
  };
  const edited = (o: { trust: Trust; leaves: 'today' | 'new'; sources: Trust }): FleetInput => ({
    ...input,
    pods: input.pods.map((p) => {
      if (p.status !== 'ok') return p;
      const id = podId(p);
      const served = o.leaves === 'new' && simulatedServed.has(id) ? simulatedServed.get(id)! : p.served;
      return { ...p, ...(served ? { served } : {}), trusted: editTrust(trustOf.get(id)!, o.trust) };
    }),
    ...(input.rootConfigMaps ? { rootConfigMaps: input.rootConfigMaps.map((cm) => ({ ...cm, pem: editTrust(parse(cm.pem, 'configmap'), o.sources).join('') })) } : {}),
  });
  const judge = (i: FleetInput, sim: ReadonlySet<string>) => breaksOf(buildFleetModel(i, { now: at, thresholds }), sim);
  const none = new Set<string>();

  // Today, and every edited fleet the drill needs (each built once).
  const todayModel = buildFleetModel(input, { now: at, thresholds });
  const todayBreaks = breaksOf(todayModel, none);
  const afterStep1 = judge(edited({ trust: 'today', leaves: 'today', sources: 'plus-new' }), none);
  const bothRoots = judge(edited({ trust: 'plus-new', leaves: 'today', sources: 'plus-new' }), none);
  const bothRootsNewLeaves = judge(edited({ trust: 'plus-new', leaves: 'new', sources: 'plus-new' }), simulatedPods);
  const newOnlyNewLeaves = trustChangeNeeded ? judge(edited({ trust: 'new-only', leaves: 'new', sources: 'new-only' }), simulatedPods) : [];
  const todayNewLeaves = trustChangeNeeded ? judge(edited({ trust: 'today', leaves: 'new', sources: 'today' }), simulatedPods) : [];
  const newOnlyTodayLeaves = trustChangeNeeded ? judge(edited({ trust: 'new-only', leaves: 'today', sources: 'new-only' }), none) : [];
  const baseline = new Set(todayBreaks.flatMap(pairKeys));

  const stepBreaks: Record<DrillStepNumber, DrillBreak[]> = {
    1: trustChangeNeeded ? newBreaks([afterStep1], baseline) : [],
    2: trustChangeNeeded ? newBreaks([bothRoots], baseline) : [],
    // Issuing: while it lasts, any pod may serve its old leaf or a re-issued one (each direction rests on one side's leaf).
    3: newBreaks([bothRoots, bothRootsNewLeaves], baseline),
    4: newBreaks([bothRootsNewLeaves], baseline),
    5: trustChangeNeeded ? newBreaks([newOnlyNewLeaves], baseline) : [],
  };

  // Stragglers are named once the trust sources hold the new root (before that, every pod lacks it, as it should).
  const lacking = done[1] ? ids.filter((p) => !trustsNew(p)) : [];
  const namespaces = [...new Set(leafPods.filter((p) => !leafFromNew(p)).map((p) => p.split('/')[0]!))].sort();
  const verify = report.rotation.verify ?? verifyCommand(report.scope);
  const scopeArgs = verify.replace(/^mtls-doctor rotation status/, '');
  const ca = given ?? recogniseCa(input, [...servedOf.values()].flat().map((c) => c.fact));
  const runbookCtx = { kind: ca.kind, trustChangeNeeded, verify, again: `mtls-doctor rotation drill --new-ca NEW-CA.pem${scopeArgs}`, namespaces: namespaces.length ? namespaces : ['NAMESPACE'], lacking };
  const count = (bs: DrillBreak[]) => (bs.length ? `breaks ${bs.length} connection${bs.length === 1 ? '' : 's'}` : 'breaks no connection');
  const steps: DrillStep[] = ([1, 2, 3, 4, 5] as DrillStepNumber[]).map((n) => {
    const status: DrillStep['status'] = !trustChangeNeeded && (n === 1 || n === 2 || n === 5) ? 'not-needed' : startStep === null || n < startStep ? 'done' : n === startStep ? 'next' : 'pending';
    const breaks = status === 'done' || status === 'not-needed' ? [] : stepBreaks[n];
    const summary =
      status === 'not-needed'
        ? 'Not needed: the new CA chains to the root every pod already trusts.'
        : status === 'done'
          ? 'Already done.'
          : `Done now, after the steps before it, it ${count(breaks)}${breaks.some((b) => b.simulated) ? ' (judged on simulated leaves)' : ''}.`;
    return { step: n, name: STEP_NAMES[n], status, breaks, summary, ...stepRunbook(n, runbookCtx) };
  });

  const wrong = (id: DrillWrongOrder['id'], lists: DrillBreak[][], what: string): DrillWrongOrder => {
    if (!trustChangeNeeded) return { id, name: WRONG_NAMES[id], applicable: false, breaks: [], summary: 'Not applicable: no trust change is needed.' };
    const breaks = newBreaks(lists, baseline);
    return { id, name: WRONG_NAMES[id], applicable: true, breaks, summary: breaks.length ? `It ${count(breaks)}: ${what}.` : todayModel.connectionsJudged ? 'It breaks no connection here: every pod already holds what it needs.' : 'No connection to judge: no pod read backs a Service.' };
  };
  const wrongOrders = [
    wrong('issue-before-trusted', [todayNewLeaves], 'every pod that lacks the new root rejects the leaves the new CA issues'),
    wrong('remove-old-root-early', [newOnlyTodayLeaves], 'every pod whose leaf still chains to the old root is rejected by its peers'),
  ];

  const start = startStep === null ? 'Every step is done: the fleet already runs on the new CA alone.' : `The fleet is at step ${startStep} (${STEP_NAMES[startStep]})${startStep > 1 && trustChangeNeeded ? `: ${startStep === 2 ? 'step 1 is' : `steps 1–${startStep - 1} are`} done` : ''}. Rotation status reads: phase ${report.rotation.phase} of 5, ${report.rotation.phaseName}${report.rotation.complete ? ' (complete)' : ''}.`;
  const outOfOrder = ([1, 2, 3, 4, 5] as DrillStepNumber[]).filter((s) => done[s] && startStep !== null && s > startStep && !(s === 5 && !trustChangeNeeded));
  return {
    kind: 'mtls-doctor/rotation-drill',
    schemaVersion: 1,
    tool: { name: 'mtls-doctor', version: VERSION },
    evaluatedAt: report.evaluatedAt,
    scope: report.scope,
    pods: { total: input.pods.length, read: okPods.length },
    newCa: { file: isFileRef(newCaRef) ? newCaRef.path : '(inline)', root: { ...certOf(newRoot.fact), inFile: rootInFile }, issuer: certOf(issuer.fact), intermediates: intermediates.map((c) => certOf(c.fact)) },
    trustChangeNeeded,
    oldRoots: [...oldRootCerts.values()].map((c) => ({ name: c.fact.name, subject: c.fact.subject || c.fact.name, fingerprint: c.fact.fingerprint })),
    ca,
    prepare: runbookPrepare(ca.kind),
    startsAt: { step: startStep, detail: start + (outOfOrder.length ? ` Step ${outOfOrder.join(' and ')} ${outOfOrder.length === 1 ? 'is' : 'are'} already under way out of order${todayBreaks.length ? ': see the connections broken today' : ''}.` : '') },
    connectionsJudged: todayModel.connectionsJudged,
    alreadyBroken: newBreaks([todayBreaks], new Set()),
    steps,
    wrongOrders,
    simulated: { leaves: simByProfile.size, pods: [...simulatedPods].sort(), note: 'Leaves the new CA would issue are simulated: made without its key, their signature assumed valid. Findings that rest on one are marked simulated.' },
    safe: steps.every((s) => s.breaks.length === 0),
    verify,
  };
}

/** Exit code: 0 the safe order breaks nothing; 1 a step of the safe order would break a connection (or some are broken today); 3 no pod could be read. */
export function drillExitCode(r: DrillReport): number {
  if (r.pods.read === 0 && r.pods.total > 0) return 3;
  return r.safe && r.alreadyBroken.length === 0 ? 0 : 1;
}
