/**
 * The scan and rotation reports for people: text (fits 80 columns; the CA that expires first leads) and
 * Markdown. JSON is the report object as it is; Prometheus is prometheus.ts.
 */
import { rotationPlan } from '../fleet/rotation.js';
import type { CertificateRow, ExpiryStatus, RotationStatus, ScanReport, WhatIfReport } from '../fleet/types.js';
import { makeStyle, type Style } from './style.js';
import { visible, wrapText } from './wrap.js';

export const SCAN_FORMATS = ['text', 'json', 'markdown', 'prometheus'] as const;
export type ScanFormat = (typeof SCAN_FORMATS)[number];

/** A fingerprint's first 12 hex digits, for people (the JSON has it whole). */
export const shortFingerprint = (fp: string) => `${fp.slice(0, 12)}…`;

export function timeLeft(seconds: number): string {
  const a = Math.abs(seconds);
  const s = a >= 730 * 86400 ? `${(a / (365 * 86400)).toFixed(1)} y` : a >= 2 * 86400 ? `${Math.floor(a / 86400)} d` : a >= 7200 ? `${Math.floor(a / 3600)} h` : a >= 120 ? `${Math.floor(a / 60)} min` : `${Math.floor(a)} s`;
  return seconds < 0 ? `expired ${s} ago` : `${s} left`;
}

export function statusWord(s: ExpiryStatus, st: Style): string {
  switch (s) {
    case 'expired':
      return st.red('EXPIRED');
    case 'not-yet-valid':
      return st.red('NOT YET VALID');
    case 'critical':
      return st.red('CRITICAL');
    case 'warning':
      return st.yellow('WARNING');
    case 'ok':
      return st.green('ok');
  }
}

const commonName = (subject: string) => /CN=([^,]+)/.exec(subject)?.[1] ?? subject;

/**
 * A subject cut to fit, keeping the CN (the part people recognise). `among` are the other subjects shown beside
 * it: when the plain cut would read like another's ("Mesh Intermediate CA (expir…" for both "(expiring)" and
 * "(expired)"), the cut keeps the end from the word where they differ ("Mesh Intermedia…(expiring)").
 */
export function subjectFit(subject: string, max: number, among: readonly string[] = []): string {
  const s = commonName(subject);
  if (s.length <= max) return s;
  const others = among.map(commonName).filter((o) => o !== s);
  const common = (o: string) => {
    let i = 0;
    while (i < s.length && i < o.length && s[i] === o[i]) i++;
    return i;
  };
  const lcp = Math.max(0, ...others.map(common));
  // The plain cut shows the first difference: enough.
  if (lcp < max - 1) return `${s.slice(0, max - 1)}…`;
  // Keep from the start of the word where it differs (or from the difference itself if that word is long).
  let from = lcp;
  while (from > 0 && !/[\s(\-_/.]/.test(s[from - 1]!)) from--;
  if (from > 0 && s[from - 1] === '(') from--;
  if (s.length - from > max - 5) from = lcp;
  const tail = s.slice(from, from + Math.max(1, max - 5));
  const end = from + tail.length < s.length ? '…' : '';
  const head = s.slice(0, max - 1 - tail.length - end.length);
  return `${head}…${tail}${end}`;
}

/**
 * A report line at `width` (null: piped, no wrapping): lines that fit stay as they are (columns keep their
 * padding); longer ones wrap as every text report does (src/report/wrap.ts: commands never broken), with a
 * hanging indent under their own indentation.
 */
export function wrapLine(line: string, width: number | null): string[] {
  if (width === null || visible(line) <= width) return [line];
  const lead = /^ */.exec(line)![0];
  return wrapText(line.slice(lead.length), width, lead, `${lead}  `).split('\n');
}

function certLine(c: CertificateRow, st: Style, among: readonly string[] = []): string {
  const who = c.level === 'leaf' ? `${c.namespace}/${c.workload}` : subjectFit(c.subject, 28, among);
  const held = c.level === 'root' ? `trusted by ${c.pods}` : `${c.pods} pod${c.pods === 1 ? '' : 's'}`;
  const word = statusWord(c.status, st);
  const pad = ' '.repeat(Math.max(0, 8 - word.replace(/\x1b\[[0-9;]*m/g, '').length));
  return `  ${c.level.padEnd(12)} ${who.padEnd(28)} ${word}${pad} ${timeLeft(c.secondsLeft)}, ${held}`;
}

export function renderScanText(r: ScanReport, opts: { color: boolean; width?: number | null }): string {
  // A what-if answers the question asked (`scan --what-if strict`): it leads, the scan follows.
  if (r.whatIf) {
    const { whatIf, ...scan } = r;
    return `${renderWhatIfText(whatIf, opts)}\n${renderScanText(scan, opts)}`;
  }
  const st = makeStyle(opts.color);
  const out: string[] = [];
  const scope = r.scope.namespaces === 'all' ? 'all namespaces' : `namespace${r.scope.namespaces.length === 1 ? '' : 's'} ${r.scope.namespaces.join(', ')}`;
  out.push(st.bold(`Fleet scan: ${r.summary.ok} of ${r.summary.pods} pods read (${scope}${r.scope.selector ? `, -l ${r.scope.selector}` : ''})`));
  const first = r.certificates.find((c) => c.level !== 'leaf');
  const caNames = r.certificates.filter((c) => c.level !== 'leaf').map((c) => c.subject);
  if (first) out.push(`First CA to expire: ${subjectFit(first.subject, 40, caNames)} (${first.level}): ${statusWord(first.status, st)}${first.secondsLeft < 0 ? ` ${timeLeft(first.secondsLeft).replace('expired ', '')}` : `, ${timeLeft(first.secondsLeft)}`}`);
  out.push('', st.bold('Expiry at every level'));
  const cas = r.certificates.filter((c) => c.level !== 'leaf');
  const leaves = r.certificates.filter((c) => c.level === 'leaf');
  for (const c of cas) out.push(certLine(c, st, caNames));
  const badLeaves = leaves.filter((c) => c.status !== 'ok');
  for (const c of badLeaves.slice(0, 10)) out.push(certLine(c, st));
  if (badLeaves.length > 10) out.push(`  … ${badLeaves.length - 10} more workloads with leaves at risk (-o json lists them all)`);
  if (leaves.length && !badLeaves.length) out.push(`  leaf         ${leaves.length} workload${leaves.length === 1 ? '' : 's'}, earliest ${timeLeft(leaves[0]!.secondsLeft)}: ${st.green('ok')}`);

  out.push('', st.bold('Trust bundles'));
  if (r.drift.length <= 1 && !r.configMapDrift.length) out.push(`  ${st.green('no drift')}: every pod read trusts the same ${r.drift[0]?.roots.length ?? 0} root(s)`);
  for (const g of r.drift.filter((d) => !d.majority)) {
    out.push(`  ${st.yellow('drift')}: ${g.pods.length} pod(s) trust {${g.rootNames.join(', ')}}, unlike the majority: ${g.pods.slice(0, 5).join(', ')}${g.pods.length > 5 ? ` and ${g.pods.length - 5} more` : ''}`);
  }
  for (const d of r.configMapDrift) {
    out.push(`  ${st.yellow('stale ConfigMap')}: ${d.namespace}/istio-ca-root-cert holds {${d.rootNames.join(', ')}}; ${d.pods.length} pod(s) there trust other roots`);
  }
  for (const g of r.trustGaps) {
    out.push(`  ${st.red('cut off')}: ${g.servingPods} pod(s) serve leaves under ${subjectFit(g.rootSubject, 30)}, which ${g.untrustingPods.length} pod(s) do not trust: ${g.untrustingPods.slice(0, 5).join(', ')}${g.untrustingPods.length > 5 ? ' …' : ''}`);
  }

  out.push(...connectionLines(r, st));
  out.push('', st.bold('CA rotation'), ...rotationLines(r.rotation, st));
  const failed = r.pods.filter((p) => p.status === 'failed');
  if (failed.length) {
    out.push('', st.bold(`Pods not read (${failed.length})`));
    for (const p of failed.slice(0, 10)) out.push(`  ${p.namespace}/${p.name}: ${p.reason}`);
    if (failed.length > 10) out.push(`  … ${failed.length - 10} more (-o json lists them all)`);
  }
  if (r.durationSeconds !== undefined) out.push('', st.dim(`Scanned in ${r.durationSeconds.toFixed(1)} s.`));
  const width = opts.width === undefined ? 80 : opts.width;
  return out.flatMap((l) => wrapLine(l, width)).join('\n') + '\n';
}

/** A class as people name it: `namespace/service-account` (its id without the hash), and how many pods. */
function classLabel(r: ScanReport, id: string, pods: number): string {
  const c = r.classes?.find((x) => x.id === id);
  return `${c ? `${c.namespace}/${c.serviceAccount}` : id.replace(/@.*$/, '')} (${pods} pod${pods === 1 ? '' : 's'})`;
}

const MAX_CONNECTIONS = 10;

/** The connections the rules found wrong, broken first: who → whom, the rule and which way, the pods. */
function connectionLines(r: ScanReport, st: Style): string[] {
  if (r.connections === undefined) return [];
  const shown = r.connections.filter((c) => c.verdict !== 'healthy');
  const broken = shown.filter((c) => c.verdict === 'failing').length;
  if (!r.connectionsJudged) return ['', st.bold('Connections'), '  none judged: no pod read backs a Service in the scanned namespaces'];
  const out = ['', st.bold(`Connections (${r.connectionsJudged} class pair${r.connectionsJudged === 1 ? '' : 's'} judged, ${broken} broken)`)];
  if (!shown.length) return [...out, `  ${st.green('none broken')}: every client class is accepted by every class behind a Service, both ways`];
  const pods = (xs: string[]) => (xs.length <= 3 ? xs.join(', ') : `${xs.slice(0, 3).join(', ')} and ${xs.length - 3} more`);
  for (const c of shown.slice(0, MAX_CONNECTIONS)) {
    const word = c.verdict === 'failing' ? st.red('BROKEN') : c.verdict === 'at-risk' ? st.yellow('AT RISK') : st.yellow('UNKNOWN');
    out.push(`  ${word} ${classLabel(r, c.client.class, c.client.pods.length)} → ${classLabel(r, c.server.class, c.server.pods.length)}${c.server.services.length ? ` via ${c.server.services.join(', ')}` : ''}`);
    const lead = c.findings.filter((f) => (c.verdict === 'failing' ? (f.severity === 'critical' || f.severity === 'error') && !f.forecast : true));
    for (const f of lead.slice(0, 3)) out.push(`    ${f.rule} (${f.connection.direction}): ${f.title}`);
    if (lead.length > 3) out.push(`    … ${lead.length - 3} more findings (-o json lists them)`);
    for (const u of c.unjudged ?? []) out.push(`    not judged (${u.direction}): ${u.reason}`);
    out.push(`    pods: ${pods(c.client.pods)} → ${pods(c.server.pods)}`);
  }
  if (shown.length > MAX_CONNECTIONS) out.push(`  … ${shown.length - MAX_CONNECTIONS} more connections (-o json lists them all)`);
  return out;
}

function rotationLines(rot: RotationStatus, st: Style): string[] {
  const lines = [`  phase ${rot.phase} of 5: ${rot.phaseName}${rot.phase ? (rot.complete ? ' (complete)' : ' (in progress)') : ''}`];
  if (rot.progress) lines.push(`  ${rot.progress.done} of ${rot.progress.of} ${rot.progress.what}`);
  for (const v of rot.violations) lines.push(`  ${st.red('VIOLATION')} ${v.kind}: ${v.detail}`);
  for (const b of rot.blockers ?? []) lines.push(`  ${st.red('FIX FIRST')} ${b.detail}`);
  lines.push(`  next: ${rot.next}`);
  return lines;
}

export function renderRotationText(rot: RotationStatus, opts: { color: boolean; plan?: boolean; width?: number | null }): string {
  const st = makeStyle(opts.color);
  const width = opts.width === undefined ? 80 : opts.width;
  const out = [st.bold('CA rotation'), ...rotationLines(rot, st)].flatMap((l) => wrapLine(l, width));
  if (rot.oldRoots.length) out.push(`  old root(s): ${rot.oldRoots.map(shortFingerprint).join(', ')}`);
  if (rot.newRoots.length) out.push(`  new root:    ${rot.newRoots.map(shortFingerprint).join(', ')}`);
  if (opts.plan) {
    const p = rotationPlan(rot);
    // Commands stay on one line each, whatever the width, so they copy and paste.
    out.push('', st.bold('Plan'), ...wrapLine(`  ${p.step}`, width), ...p.commands.map((c) => `    ${c}`), `  verify: ${p.verify}`);
  }
  return out.join('\n') + '\n';
}

export function renderScanMarkdown(r: ScanReport): string {
  if (r.whatIf) {
    const { whatIf, ...scan } = r;
    return `${renderWhatIfMarkdown(whatIf)}\n${renderScanMarkdown(scan)}`;
  }
  const out = [`## Fleet scan: ${r.summary.ok} of ${r.summary.pods} pods read`, ''];
  out.push('| level | subject / workload | status | time left | pods |', '|---|---|---|---|---|');
  for (const c of r.certificates.filter((c) => c.level !== 'leaf' || c.status !== 'ok')) {
    out.push(`| ${c.level} | ${(c.level === 'leaf' ? `${c.namespace}/${c.workload}` : c.subject).replace(/\|/g, '\\|')} | ${c.status} | ${timeLeft(c.secondsLeft)} | ${c.pods} |`);
  }
  out.push('', `**Rotation:** phase ${r.rotation.phase} of 5 — ${r.rotation.phaseName}. ${r.rotation.next}`);
  for (const v of r.rotation.violations) out.push(`- **${v.kind}**: ${v.detail}`);
  for (const b of r.rotation.blockers ?? []) out.push(`- **fix first**: ${b.detail}`);
  const shown = (r.connections ?? []).filter((c) => c.verdict !== 'healthy');
  if (shown.length) {
    out.push('', `**Connections:** ${shown.filter((c) => c.verdict === 'failing').length} broken of ${r.connectionsJudged ?? 0} class pairs judged`);
    for (const c of shown.slice(0, MAX_CONNECTIONS)) {
      const f = c.findings[0];
      out.push(`- **${c.verdict}** ${classLabel(r, c.client.class, c.client.pods.length)} → ${classLabel(r, c.server.class, c.server.pods.length)}${f ? `: \`${f.rule}\` (${f.connection.direction}) ${f.title}` : ''}`);
    }
    if (shown.length > MAX_CONNECTIONS) out.push(`- … ${shown.length - MAX_CONNECTIONS} more (-o json lists them all)`);
  }
  if (r.summary.driftPods) out.push('', `**Drift:** ${r.summary.driftPods} pod(s) trust other roots than the majority or their namespace ConfigMap.`);
  const failed = r.pods.filter((p) => p.status === 'failed');
  // One line each: a long list stays readable, and a cut (Slack's block limit) drops pods, not the whole list.
  if (failed.length) out.push('', `**Not read (${failed.length}):**`, ...failed.map((p) => `- \`${p.namespace}/${p.name}\`: ${p.reason}`));
  return out.join('\n') + '\n';
}

const MAX_BREAKS = 15;
const podList = (xs: readonly string[], n = 3) => (xs.length <= n ? xs.join(', ') : `${xs.slice(0, n).join(', ')} and ${xs.length - n} more`);

/** Who the what-if simulates STRICT for, in words. */
export function whatIfScopeText(w: WhatIfReport): string {
  const s = w.scope;
  return s.kind === 'mesh' ? 'the mesh' : s.kind === 'namespace' ? `namespace${s.namespaces.length === 1 ? '' : 's'} ${s.namespaces.join(', ')}` : `the workload of pod ${s.namespace}/${s.pod}`;
}

/** `scan --what-if strict` for people: the connections that would break, each caller named with the fix; then who it cannot see. */
export function renderWhatIfText(w: WhatIfReport, opts: { color: boolean; width?: number | null }): string {
  const st = makeStyle(opts.color);
  const out: string[] = [];
  const n = w.breaking.length;
  out.push(st.bold(`What if STRICT: PeerAuthentication ${w.policy.namespace}/${w.policy.name} for ${whatIfScopeText(w)}, applied now`));
  out.push(`  ${w.servers.length} sidecar pod${w.servers.length === 1 ? '' : 's'} would become STRICT; ${n ? st.red(`${n} connection${n === 1 ? '' : 's'} would break`) : st.green('no connection seen would break')} (of ${w.pairs} caller × port pair${w.pairs === 1 ? '' : 's'}, ${w.judged} would not send Istio mTLS: judged by the policy rules before and after${w.telemetry.of ? `; telemetry of ${w.telemetry.read} of ${w.telemetry.of} server sidecars read` : ''})`);
  if (w.policy.replaces.length) out.push(`  it stands in for ${w.policy.replaces.join(', ')} (same level)`);
  for (const b of w.breaking.slice(0, MAX_BREAKS)) {
    const who = b.client.pods.length ? `${b.client.namespace}/${b.client.workload ?? b.client.pods[0]}` : b.client.workload ? `${b.client.namespace}/${b.client.workload}` : 'unidentified caller';
    const how = b.from === 'telemetry' ? 'seen in telemetry' : b.client.sidecar === false ? 'no sidecar' : 'sidecar';
    out.push('', `${st.red('BREAKS')} ${who} (${how}) → ${b.server.service ?? 'pods'}${b.server.port !== null ? `:${b.server.port}` : ''}`);
    out.push(`  pods: ${b.client.pods.length ? podList(b.client.pods) : '(not listed by the API)'} → ${podList(b.server.pods)}`);
    out.push(`  ${b.rule}: ${b.reason}`);
    for (const s of b.seen ?? []) if (b.from === 'policy') out.push(`  seen: ${s.pod} counted ${s.count} plaintext (${s.metric}, cumulative)`);
    if (b.fix[0]) out.push(`  fix: ${b.fix[0]}`);
    out.push(`  verify: ${b.verify}`);
  }
  if (n > MAX_BREAKS) out.push('', `… ${n - MAX_BREAKS} more connections (-o json lists them all)`);
  if (w.probes.length) {
    out.push('', st.bold(`Kubelet probes that would fail (${w.probes.length})`));
    for (const p of w.probes) out.push(`  ${st.red('FAILS')} ${p.pod} ${p.container} ${p.probe} :${p.port}: ${p.why}`);
  }
  if (w.unenforced.length) {
    out.push('', st.bold('Not enforced (the port bypasses the sidecar)'));
    for (const u of w.unenforced) out.push(`  port ${u.port} of ${podList(u.pods)}: ${u.why}: plaintext still reaches the app there`);
  }
  if (w.exempt.length) {
    out.push('', st.bold('Stay not STRICT (a more specific PeerAuthentication)'));
    for (const e of w.exempt.slice(0, 10)) out.push(`  ${e.pod}: ${e.why}`);
    if (w.exempt.length > 10) out.push(`  … ${w.exempt.length - 10} more (-o json lists them all)`);
  }
  out.push('', st.bold('What this cannot see'));
  for (const c of w.cannotSee) out.push(`  - ${c}`);
  for (const u of w.telemetry.unavailable.slice(0, 5)) out.push(`    ${u.pod}: ${u.reason}`);
  out.push('', st.bold(n || w.probes.length ? 'The policy simulated (apply it once the above is fixed)' : 'The policy simulated'));
  for (const l of w.policy.yaml.split('\n')) out.push(`  ${l}`);
  const width = opts.width === undefined ? 80 : opts.width;
  return out.flatMap((l) => wrapLine(l, width)).join('\n') + '\n';
}

/** The what-if as Markdown (chat, `-o markdown`). */
export function renderWhatIfMarkdown(w: WhatIfReport): string {
  const out = [`### What if STRICT: \`${w.policy.namespace}/${w.policy.name}\` for ${whatIfScopeText(w)}`, '', `${w.servers.length} sidecar pods would become STRICT; **${w.breaking.length} connection${w.breaking.length === 1 ? '' : 's'} would break**.`, ''];
  for (const b of w.breaking) {
    out.push(`- **${b.client.pods.length ? podList(b.client.pods) : b.client.workload ? `${b.client.namespace}/${b.client.workload}` : 'unidentified caller'}** → ${b.server.service ?? ''}${b.server.port !== null ? `:${b.server.port}` : ''} (${podList(b.server.pods)}): \`${b.rule}\` — ${b.reason}${b.fix[0] ? ` *Fix:* ${b.fix[0]}` : ''}`);
  }
  for (const p of w.probes) out.push(`- **probe** ${p.pod} ${p.container} ${p.probe} :${p.port}: ${p.why}`);
  out.push('', '**Cannot see:**', ...w.cannotSee.map((c) => `- ${c}`), '', '```yaml', w.policy.yaml, '```');
  return out.join('\n') + '\n';
}
