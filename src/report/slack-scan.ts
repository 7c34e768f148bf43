/**
 * Slack Block Kit for the fleet: the scan summary (`/mtls scan`), the full scan as a Markdown block, and the
 * rotation status (`/mtls rotation status`). They tell the story the CLI tells (src/report/scan.ts): the CA that
 * expires first leads, then expiry at every level, trust bundles, the rotation and the pods not read. Within
 * Slack's limits always (src/report/slack.ts): every list is cut with "… N more", every field from the cluster
 * clipped and escaped for mrkdwn, so a pod name or a reason cannot mention @channel or forge a link.
 */
import { rotationPlan } from '../fleet/rotation.js';
import { fleetVerdict } from '../fleet/verdict.js';
import type { CertificateRow, ExpiryStatus, RotationStatus, ScanReport, WhatIfReport } from '../fleet/types.js';
import { renderScanMarkdown, shortFingerprint, statusWord, subjectFit, timeLeft, whatIfScopeText } from './scan.js';
import { capBlocks, context, escapeMrkdwn as e, fitList, fitText, markdownBlock, section, SLACK_LIMITS, VERDICT_ICON, withinBudget, type SlackBlock, type SlackMessage } from './slack.js';
import { makeStyle } from './style.js';
import type { Verdict } from './types.js';

/** How many lines of each list a message shows; the rest are counted ("… N more"). */
const SHOW = { cas: 8, leaves: 10, groups: 5, pods: 5, failed: 10, violations: 5, violationPods: 10, namespaces: 5 } as const;
/** The longest a name from the cluster (subject, workload, pod, reason) may be on one line. */
const NAME_MAX = 120;
const DETAIL_MAX = 600;

const plain = makeStyle(false);
const clip = (s: string, max = NAME_MAX) => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);
/** A name from the cluster as inline code, clipped and escaped. */
const code = (s: string, max = NAME_MAX) => `\`${e(clip(s, max))}\``;
const pods = (list: string[], max: number = SHOW.pods) => fitList(list.map((p) => code(p)), max, 'pods').join(', ');
const ICON: Record<ExpiryStatus, string> = { expired: ':red_circle:', 'not-yet-valid': ':red_circle:', critical: ':red_circle:', warning: ':large_yellow_circle:', ok: ':large_green_circle:' };

/** The verdict of a scan (src/fleet/verdict.ts): the one rule its exit code follows too. */
export const scanVerdict = fleetVerdict;

/** "namespace bookinfo", "namespaces a, b, … 3 more namespaces", "all namespaces", with the selector. */
function scopeText(r: ScanReport): string {
  const ns = r.scope.namespaces;
  const where = ns === 'all' ? 'all namespaces' : `namespace${ns.length === 1 ? '' : 's'} ${fitList(ns.map((n) => clip(n, 60)), SHOW.namespaces, 'namespaces').join(', ')}`;
  return `${where}${r.scope.selector ? `, -l ${clip(r.scope.selector, 60)}` : ''}`;
}

const header = (text: string): SlackBlock => ({ type: 'header', text: { type: 'plain_text', text: fitText(text, SLACK_LIMITS.headerText) } });
const message = (text: string, blocks: SlackBlock[]): SlackMessage => ({ text: fitText(text, SLACK_LIMITS.fallbackText), blocks: withinBudget(capBlocks(blocks)) });

function certLine(c: CertificateRow): string {
  const who = c.level === 'leaf' ? code(`${c.namespace}/${c.workload}`) : e(subjectFit(c.subject, NAME_MAX));
  const held = c.level === 'root' ? `trusted by ${c.pods} pod${c.pods === 1 ? '' : 's'}` : `${c.pods} pod${c.pods === 1 ? '' : 's'}`;
  return `${ICON[c.status]} ${c.level} ${who}: *${statusWord(c.status, plain)}*, ${timeLeft(c.secondsLeft)}, ${held}`;
}

function firstToExpire(r: ScanReport): string {
  const first = r.certificates.find((c) => c.level !== 'leaf') ?? r.summary.earliest;
  if (!first) return '_No certificate was read._';
  const what = first.level === 'leaf' ? `${first.namespace}/${first.workload}` : first.subject;
  const also = first.alsoIn?.length ? `; also in ${fitList(first.alsoIn.map((a) => code(a)), 3, 'places').join(', ')}` : '';
  return `*First ${first.level === 'leaf' ? 'certificate' : 'CA'} to expire:* ${ICON[first.status]} ${first.level} ${e(clip(what, 400))}\n*${statusWord(first.status, plain)}*, ${timeLeft(first.secondsLeft)} (${first.notAfter}), held by ${first.pods} pod${first.pods === 1 ? '' : 's'}${also}`;
}

function expiryBlocks(r: ScanReport): SlackBlock[] {
  const cas = r.certificates.filter((c) => c.level !== 'leaf');
  const leaves = r.certificates.filter((c) => c.level === 'leaf');
  const atRisk = leaves.filter((c) => c.status !== 'ok');
  const caLines = cas.length ? fitList(cas.map(certLine), SHOW.cas, 'CAs') : ['_No CA certificate was read._'];
  const leafLines = atRisk.length
    ? fitList(atRisk.map(certLine), SHOW.leaves, 'workloads with leaves at risk')
    : leaves.length
      ? [`${ICON.ok} leaf: ${leaves.length} workload${leaves.length === 1 ? '' : 's'}, earliest ${timeLeft(leaves[0]!.secondsLeft)}: *ok*`]
      : ['_No workload leaf was read._'];
  return [section(['*Expiry at every level*', ...caLines].join('\n')), section([`*Leaves at risk (${atRisk.length} of ${leaves.length} workloads)*`, ...leafLines].join('\n'))];
}

const rootSet = (names: string[]) => `{${fitList(names.map((n) => e(clip(n))), 3, 'roots').join(', ')}}`;

/** Drift and stale root ConfigMaps: what pods trust against the majority and against their namespace's ConfigMap. */
function trustSection(r: ScanReport): SlackBlock {
  const minority = r.drift.filter((d) => !d.majority);
  const lines = ['*Trust bundles*'];
  if (!minority.length && !r.configMapDrift.length) lines.push(`${ICON.ok} *no drift*: every pod read trusts the same ${r.drift[0]?.roots.length ?? 0} root(s)`);
  const drift = minority.map((g) => `${ICON.warning} *drift*: ${g.pods.length} pod(s) trust ${rootSet(g.rootNames)}, unlike the majority: ${pods(g.pods)}`);
  const stale = r.configMapDrift.map((d) => `${ICON.warning} *stale ConfigMap* ${code(`${d.namespace}/istio-ca-root-cert`)} holds ${rootSet(d.rootNames)}; ${d.pods.length} pod(s) there trust other roots: ${pods(d.pods)}`);
  lines.push(...fitList(drift, SHOW.groups, 'drifting groups'), ...fitList(stale, SHOW.groups, 'stale ConfigMaps'));
  return section(lines.join('\n'));
}

/** Who can no longer talk to whom: leaves under a root that some pods do not trust. */
function gapSection(r: ScanReport): SlackBlock | null {
  if (!r.trustGaps.length) return null;
  const gaps = r.trustGaps.map((g) => `${ICON.expired} *cut off*: ${g.servingPods} pod(s) serve leaves under ${e(subjectFit(g.rootSubject, NAME_MAX))}, which ${g.untrustingPods.length} pod(s) do not trust: ${pods(g.untrustingPods)}`);
  return section([`*Trust gaps: pods cut off (${r.trustGaps.length})*`, ...fitList(gaps, SHOW.groups, 'trust gaps')].join('\n'));
}

const phaseLine = (rot: RotationStatus) => `phase ${rot.phase} of 5 — ${rot.phaseName}${rot.phase ? (rot.complete ? ' (complete)' : ' (in progress)') : ''}`;
const progressLine = (rot: RotationStatus) => (rot.progress ? `${rot.progress.done} of ${rot.progress.of} ${rot.progress.what}` : null);
const violationLine = (v: RotationStatus['violations'][number]) => `${ICON.expired} *VIOLATION* \`${v.kind}\`: ${e(clip(v.detail, DETAIL_MAX))}`;

function rotationSection(rot: RotationStatus): SlackBlock {
  const lines = [`*CA rotation:* ${phaseLine(rot)}`];
  const progress = progressLine(rot);
  if (progress) lines.push(progress);
  lines.push(...fitList(rot.violations.map(violationLine), SHOW.violations, 'violations'), `*Next:* ${e(clip(rot.next, DETAIL_MAX))}`);
  return section(lines.join('\n'));
}

function notReadSection(r: ScanReport): SlackBlock | null {
  const failed = r.pods.filter((p) => p.status === 'failed');
  if (!failed.length) return null;
  const lines = failed.map((p) => `• ${code(`${p.namespace}/${p.name}`)}: ${e(clip(p.reason ?? 'unknown'))}`);
  return section([`*Pods not read (${failed.length})*`, ...fitList(lines, SHOW.failed, 'pods not read')].join('\n'));
}

/** The scan summary post: header, first CA to expire, expiry at every level (CAs, then leaves at risk), trust-bundle drift / stale ConfigMaps / trust gaps (pods cut off), rotation phase + violations + next step, pods not read. */
export function slackScanSummary(r: ScanReport, o: { title?: string } = {}): SlackMessage {
  const verdict = scanVerdict(r);
  const scope = scopeText(r);
  // A header is plain_text (Slack renders no markup there); the scope is escaped all the same, like all text
  // from the cluster (Kubernetes names hold no & < >, so it changes nothing a real namespace can be).
  const what = o.title ?? e(scope);
  const facts = [`${VERDICT_ICON[verdict]} evaluated at ${r.evaluatedAt}`, `${r.summary.ok} of ${r.summary.pods} pods read (${e(scope)})`];
  if (r.summary.driftPods) facts.push(`${r.summary.driftPods} pod(s) drifting`);
  if (r.durationSeconds !== undefined) facts.push(`scanned in ${r.durationSeconds.toFixed(1)} s`);
  const blocks: SlackBlock[] = [header(`mtls-doctor scan: ${verdict.toUpperCase()} — ${what}`), context(facts.join(' · '))];
  if (verdict === 'unknown' && r.summary.pods > 0) blocks.push(section('_No pod could be read: nothing to judge._'));
  blocks.push(section(firstToExpire(r)), ...expiryBlocks(r), { type: 'divider' }, trustSection(r));
  for (const b of [gapSection(r), rotationSection(r.rotation), notReadSection(r)]) if (b) blocks.push(b);
  blocks.push(context('Every row, every pod: `mtls-doctor scan -o json`'));
  const first = r.certificates.find((c) => c.level !== 'leaf');
  const lead = first ? ` — first CA to expire: ${subjectFit(first.subject, NAME_MAX)}, ${first.status}, ${timeLeft(first.secondsLeft)}` : '';
  return message(e(`mtls-doctor scan: ${verdict} — ${o.title ?? scope}${lead}`), blocks);
}

/** The full scan as one Markdown block (renderScanMarkdown from src/report/scan.ts), like slackFullReport in slack.ts. */
export function slackScanFull(r: ScanReport, o: { title?: string } = {}): SlackMessage {
  return { text: e(`mtls-doctor full scan — ${o.title ?? scopeText(r)}`), blocks: [markdownBlock(renderScanMarkdown(r))] };
}

/** `rotation status`: header "mtls-doctor rotation: phase N of 5 — <phaseName>" (+ title), progress, violations (each named, pods listed with "… N more"), old/new root fingerprints (short), the next safe step, and the plan's commands from rotationPlan() (src/fleet/rotation.ts) in a code block, and its verify command. `scope` is a human string like "namespaces bookinfo, payments" shown in a context block. */
export function slackRotationStatus(rot: RotationStatus, o: { title?: string; scope?: string } = {}): SlackMessage {
  const state = rot.violations.length || rot.blockers?.length ? VERDICT_ICON.failing : rot.phase === 0 || rot.complete ? VERDICT_ICON.healthy : VERDICT_ICON['at-risk'];
  const facts = [`${state} ${rot.violations.length} violation(s)`, `CA setup: ${rot.setup}`];
  if (o.scope) facts.push(e(clip(o.scope, 400)));
  const blocks: SlackBlock[] = [header(`mtls-doctor rotation: phase ${rot.phase} of 5 — ${rot.phaseName}${o.title ? ` — ${o.title}` : ''}`), context(facts.join(' · '))];
  const progress = progressLine(rot);
  blocks.push(section(`*${rot.phase ? (rot.complete ? 'Complete' : 'In progress') : 'No rotation in progress'}*${progress ? `: ${progress}` : ''}`));
  for (const v of rot.violations.slice(0, SHOW.violations)) {
    blocks.push(section(`${violationLine(v)}\nRoot \`${shortFingerprint(v.root)}\`; ${v.pods.length} pod(s): ${pods(v.pods, SHOW.violationPods)}`));
  }
  for (const b of (rot.blockers ?? []).slice(0, SHOW.violations)) blocks.push(section(`*Fix first:* ${e(clip(b.detail, DETAIL_MAX))}`));
  if (rot.violations.length > SHOW.violations) blocks.push(context(`… ${rot.violations.length - SHOW.violations} more violations (\`mtls-doctor rotation status -o json\` lists them all)`));
  const fps = (l: string[]) => (l.length ? fitList(l.map((f) => `\`${shortFingerprint(f)}\``), 5, 'roots').join(', ') : '_none_');
  blocks.push(section(`*Old root(s):* ${fps(rot.oldRoots)}\n*New root:* ${fps(rot.newRoots)}`), section(`*Next safe step:* ${e(clip(rot.next, DETAIL_MAX))}`));
  const plan = rotationPlan(rot);
  // The commands are cut before the fence closes, so a long plan still ends its code block.
  const commands = plan.commands.length ? `\`\`\`${fitText(plan.commands.map(e).join('\n'), SLACK_LIMITS.sectionText - 400)}\`\`\`` : '_No command: nothing to run for this step._';
  blocks.push({ type: 'divider' }, section(`*Plan:* ${e(clip(plan.step, DETAIL_MAX))}\n${commands}`), section(`*Verify:*\n\`\`\`${e(plan.verify)}\`\`\``));
  return message(e(`mtls-doctor rotation: phase ${rot.phase} of 5 — ${rot.phaseName}${o.title ? ` — ${o.title}` : ''}: ${clip(rot.next, DETAIL_MAX)}`), blocks);
}

/** `/mtls scan --what-if strict -n NS`: what a STRICT PeerAuthentication would break, each connection with its pods, rule and fix; then what it cannot see. */
export function slackWhatIf(w: WhatIfReport, o: { title?: string } = {}): SlackMessage {
  const n = w.breaking.length;
  const icon = n || w.probes.length ? VERDICT_ICON.failing : VERDICT_ICON.healthy;
  const blocks: SlackBlock[] = [
    header(`mtls-doctor what-if STRICT: ${n} connection${n === 1 ? '' : 's'} would break — ${o.title ?? whatIfScopeText(w)}`),
    context(`${icon} PeerAuthentication ${e(`${w.policy.namespace}/${w.policy.name}`)} simulated · ${w.servers.length} pod(s) would become STRICT · telemetry of ${w.telemetry.read} of ${w.telemetry.of} server sidecars read`),
  ];
  const lines = w.breaking.map((b) => {
    const who = b.client.pods.length ? pods(b.client.pods) : code(b.client.workload ? `${b.client.namespace}/${b.client.workload}` : 'unidentified caller');
    return `• ${who} → ${code(`${b.server.service ?? ''}${b.server.port !== null ? `:${b.server.port}` : ''}`)} (${pods(b.server.pods)}): \`${e(b.rule)}\` ${e(clip(b.reason, DETAIL_MAX))}${b.fix[0] ? `\n   _fix:_ ${e(clip(b.fix[0], DETAIL_MAX))}` : ''}`;
  });
  const probeLines = w.probes.map((p) => `• probe ${code(p.pod)} ${e(p.probe)} :${p.port}: ${e(clip(p.why, DETAIL_MAX))}`);
  if (lines.length || probeLines.length) blocks.push(section(fitList([...lines, ...probeLines], 8, 'connections').join('\n')));
  else blocks.push(section('_No connection the scan can see would break._'));
  blocks.push(section(['*Cannot see*', ...w.cannotSee.map((c) => `• ${e(clip(c, DETAIL_MAX))}`)].join('\n')));
  blocks.push(context('Every connection, for a bot: `mtls-doctor scan --what-if strict -o json` (`.whatIf.breaking`)'));
  return message(e(`mtls-doctor what-if STRICT: ${n} connection(s) would break — ${o.title ?? whatIfScopeText(w)}`), blocks);
}
