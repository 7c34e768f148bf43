/**
 * Slack Block Kit: a summary message (verdict, the top findings with evidence, fix and verify command) and the
 * full report as a Markdown block. Always within Slack's limits — 50 blocks, 3,000 characters per section text,
 * 150 per header, 12,000 per Markdown block — trimming with "… N more" instead of failing. Text is escaped for
 * mrkdwn, so pasted text cannot mention @channel or forge links.
 */
import { renderMarkdown } from './markdown.js';
import type { Finding, Report } from './types.js';

export const SLACK_LIMITS = { blocks: 50, sectionText: 3000, headerText: 150, contextElements: 10, contextText: 3000, markdownText: 12_000, fallbackText: 3000 } as const;
/**
 * What we allow ourselves in all the text of one message: Slack documents no total for blocks, but refuses
 * messages well below 50 × 3,000 characters (msg_blocks_too_long near 13,000 in slackapi/bolt-js#2509).
 */
export const MESSAGE_TEXT_BUDGET = 11_000;

export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}
export type SlackBlock =
  | { type: 'header'; text: { type: 'plain_text'; text: string } }
  | { type: 'section'; text: { type: 'mrkdwn'; text: string } }
  | { type: 'context'; elements: Array<{ type: 'mrkdwn'; text: string }> }
  | { type: 'divider' }
  | { type: 'markdown'; text: string };

/** mrkdwn control characters (https://api.slack.com/reference/surfaces/formatting#escaping). */
export const escapeMrkdwn = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Cuts text to `max` characters at a line boundary when it can, saying how much was left out. */
export function fitText(s: string, max: number): string {
  if (s.length <= max) return s;
  const lines = s.split('\n');
  let kept = 0;
  let len = 0;
  const marker = (n: number) => `\n… ${n} more line${n === 1 ? '' : 's'}`;
  while (kept < lines.length && len + lines[kept]!.length + 1 + marker(lines.length - kept - 1).length <= max) len += lines[kept++]!.length + 1;
  if (kept > 0) return lines.slice(0, kept).join('\n') + marker(lines.length - kept);
  const rest = (n: number) => `… ${n} more characters`;
  const cut = max - rest(s.length).length;
  return s.slice(0, cut) + rest(s.length - cut);
}

/** Lists at most `max` items, then "… N more <what>". */
export function fitList(items: string[], max: number, what: string): string[] {
  return items.length <= max ? items : [...items.slice(0, max), `… ${items.length - max} more ${what}`];
}

export const VERDICT_ICON: Record<Report['verdict'], string> = { failing: ':red_circle:', 'at-risk': ':large_yellow_circle:', healthy: ':large_green_circle:', unknown: ':white_circle:' };
export const section = (text: string): SlackBlock => ({ type: 'section', text: { type: 'mrkdwn', text: fitText(text, SLACK_LIMITS.sectionText) } });
export const context = (text: string): SlackBlock => ({ type: 'context', elements: [{ type: 'mrkdwn', text: fitText(text, SLACK_LIMITS.contextText) }] });

function findingBlocks(f: Finding): SlackBlock[] {
  const e = escapeMrkdwn;
  const blocks: SlackBlock[] = [{ type: 'divider' }, section(`*${f.rank}. ${e(f.title)}* \`${e(f.rule)}\` (${f.severity}, ${e(f.subject)})${f.causedBy ? ` — consequence of \`${e(f.causedBy)}\`` : ''}\n${e(f.explanation)}`)];
  if (f.evidence.length) blocks.push(section(['*Evidence:*', ...fitList(f.evidence.map((x) => `• ${e(x.source)}: ${e(x.detail)}`), 5, 'evidence lines')].join('\n')));
  const fix = fitList(f.remediation.map((r, i) => `${i + 1}. ${e(r)}`), 3, 'steps');
  blocks.push(section(`*Fix:*\n${fix.join('\n')}\n*Verify:*\n\`\`\`${e(f.verify)}\`\`\``));
  return blocks;
}

/** The summary: verdict, then the top `top` findings, then "… N more" when there are more. */
export function slackSummary(report: Report, o: { top?: number; title?: string } = {}): SlackMessage {
  const top = o.top ?? 3;
  const what = o.title ? ` — ${o.title}` : '';
  // A header is plain_text: Slack renders no markup in it, so it needs no escaping.
  const header = fitText(`mtls-doctor: ${report.verdict.toUpperCase()}${what}`, SLACK_LIMITS.headerText);
  const facts = [`${VERDICT_ICON[report.verdict]} evaluated at ${report.evaluatedAt}`, `${report.findings.length} finding(s)`];
  if (report.symptom) facts.push(`symptom \`${escapeMrkdwn(report.symptom.code)}\``);
  // Sources cut short by their cap or the diagnosis's deadline (issue 22): named, since they keep it from healthy.
  const late = report.sources.filter((s) => s.timedOut);
  if (late.length) facts.push(`timed out: ${escapeMrkdwn(late.map((s) => s.name).join(', '))}`);
  const blocks: SlackBlock[] = [{ type: 'header', text: { type: 'plain_text', text: header } }, context(facts.join(' · '))];
  if (report.findings.length === 0) blocks.push(section(report.verdict === 'unknown' ? (late.length ? '_No problems found in what was read, but not everything was read in time (timed out above)._' : '_Nothing could be evaluated._') : 'No problems found.'));
  for (const f of report.findings.slice(0, top)) blocks.push(...findingBlocks(f));
  if (report.findings.length > top) blocks.push(context(`… ${report.findings.length - top} more finding(s) in the full report`));
  const first = report.findings[0];
  const text = fitText(escapeMrkdwn(`mtls-doctor: ${report.verdict}${what}${first ? ` — ${first.title} (${first.rule})` : ''}`), SLACK_LIMITS.fallbackText);
  return { text, blocks: withinBudget(capBlocks(blocks)) };
}

const textOf = (b: SlackBlock): string => (b.type === 'section' || b.type === 'header' ? b.text.text : b.type === 'context' ? b.elements.map((e) => e.text).join('') : b.type === 'markdown' ? b.text : '');

/** Trims the longest sections until the whole message fits MESSAGE_TEXT_BUDGET (each keeps its "… N more"). */
export function withinBudget(blocks: SlackBlock[], budget = MESSAGE_TEXT_BUDGET): SlackBlock[] {
  const out = blocks.map((b) => (b.type === 'section' ? { ...b, text: { ...b.text } } : b));
  let total = out.reduce((n, b) => n + textOf(b).length, 0);
  while (total > budget) {
    const longest = out.filter((b): b is Extract<SlackBlock, { type: 'section' }> => b.type === 'section').sort((a, b) => b.text.text.length - a.text.text.length)[0];
    if (!longest || longest.text.text.length <= 300) break;
    const before = longest.text.text.length;
    longest.text.text = fitText(longest.text.text, Math.max(300, before - (total - budget)));
    total -= before - longest.text.text.length;
    if (before === longest.text.text.length) break;
  }
  return out;
}

/** The full report as one Markdown block (Slack renders standard Markdown in it). */
export function slackFullReport(report: Report, o: { title?: string; maxChars?: number } = {}): SlackMessage {
  return { text: `mtls-doctor full report${o.title ? ` — ${o.title}` : ''}`, blocks: [markdownBlock(renderMarkdown(report), o.maxChars)] };
}

/** A rendered Markdown report as one Markdown block: angle brackets escaped (no mentions, no forged links), cut to `maxChars`. */
export function markdownBlock(md: string, maxChars = 11_000): SlackBlock {
  return { type: 'markdown', text: fitText(md.replace(/</g, '&lt;').replace(/>/g, '&gt;'), maxChars) };
}

/** At most 50 blocks: the last kept one says how many were left out. */
export function capBlocks(blocks: SlackBlock[]): SlackBlock[] {
  if (blocks.length <= SLACK_LIMITS.blocks) return blocks;
  const kept = blocks.slice(0, SLACK_LIMITS.blocks - 1);
  return [...kept, context(`… ${blocks.length - kept.length} more blocks left out (Slack allows ${SLACK_LIMITS.blocks})`)];
}

/** `-o slack`: the summary message as JSON (top five findings). */
export function renderSlack(report: Report, maxFindings = 5): string {
  return JSON.stringify(slackSummary(report, { top: maxFindings }), null, 2) + '\n';
}
