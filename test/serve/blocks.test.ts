/** Block Kit payloads against Slack's limits: 50 blocks, 3,000 characters per section, 150 per header, 12,000 per Markdown block. */
import { describe, expect, it } from 'vitest';
import { SLACK_LIMITS, capBlocks, fitText, slackFullReport, slackSummary } from '../../src/report/slack.js';
import { diagnose } from '../../src/index.js';
import type { Finding } from '../../src/report/types.js';
import { mesh, NOW } from '../support/pki.js';
import { checkLimits } from '../support/slack-limits.js';
import { fakeReport } from './harness.js';

const huge = (i: number): Finding => ({
  rank: i + 1, rule: `chain/rule-${i}` as Finding['rule'], stage: 'chain', subject: 'local', severity: 'error', confidence: 0.9, explainsSymptom: false,
  title: `A very long title ${'t'.repeat(400)}`,
  explanation: Array.from({ length: 200 }, (_, j) => `line ${j} of a long explanation`).join('\n'),
  evidence: Array.from({ length: 40 }, (_, j) => ({ source: `chain#${j}`, detail: 'd'.repeat(500) })),
  remediation: Array.from({ length: 10 }, (_, j) => `step ${j} ${'r'.repeat(300)}`),
  verify: 'v'.repeat(5000), docs: 'https://example.invalid/#x', causedBy: null,
});

describe('Block Kit within Slack limits', () => {
  it('a report with 60 enormous findings fits, trimmed with "… N more" rather than failing', () => {
    const report = fakeReport('failing', Array.from({ length: 60 }, (_, i) => huge(i)));
    const summary = slackSummary(report, { title: 'pod/x -n y '.repeat(30) });
    checkLimits(summary.blocks);
    const text = JSON.stringify(summary);
    expect(text).toMatch(/… \d+ more lines/);
    expect(text).toContain('… 35 more evidence lines');
    expect(text).toContain('… 57 more finding(s) in the full report');
    expect(summary.text.length).toBeLessThanOrEqual(SLACK_LIMITS.fallbackText);
    const full = slackFullReport(report);
    checkLimits(full.blocks);
    expect((full.blocks[0] as { text: string }).text).toMatch(/… \d+ more lines$/);
    // Every section is cut at a line boundary where it can be; a single over-long line is cut with a character count.
    expect(fitText('x'.repeat(5000), 3000)).toMatch(/… 2\d{3} more characters$/);
    expect(fitText('x'.repeat(5000), 3000).length).toBe(3000);
  });

  it('more than 50 blocks are capped, the last one saying how many were left out', () => {
    const blocks = capBlocks(Array.from({ length: 80 }, () => ({ type: 'divider' as const })));
    expect(blocks).toHaveLength(50);
    expect(JSON.stringify(blocks.at(-1))).toContain('… 31 more blocks left out');
  });

  it('the summary of a real report: verdict header, the top findings with evidence, fix and verify', async () => {
    const m = await mesh({ inter: { notAfter: new Date(NOW - 3600_000) } });
    const report = await diagnose({ chain: [m.leaf.pem, m.inter.pem], trust: m.root.pem, at: NOW });
    const s = slackSummary(report);
    checkLimits(s.blocks);
    expect(s.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'mtls-doctor: FAILING' } });
    const sections = s.blocks.filter((b) => b.type === 'section').map((b) => (b as { text: { text: string } }).text.text);
    expect(sections[0]).toMatch(/^\*1\. .*\* `expiry\/intermediate-expired` \(critical, local\)/);
    expect(sections[1]).toMatch(/^\*Evidence:\*\n• /);
    expect(sections[2]).toMatch(/^\*Fix:\*\n1\. [\s\S]*\n\*Verify:\*\n```[\s\S]*openssl /);
  });

  it('text from the report is escaped for mrkdwn: no @channel, no forged links', () => {
    const f = { ...huge(0), title: '<!channel> <https://evil.example|click> & co', explanation: 'x', evidence: [], remediation: [], verify: 'true' };
    const s = JSON.stringify(slackSummary(fakeReport('failing', [f])));
    expect(s).not.toContain('<!channel>');
    expect(s).toContain('&lt;!channel&gt; &lt;https://evil.example|click&gt; &amp; co');
  });
});
