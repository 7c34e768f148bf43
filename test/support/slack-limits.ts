/** Every limit Slack enforces on the Block Kit payloads we send (src/report/slack.ts SLACK_LIMITS, MESSAGE_TEXT_BUDGET). */
import { expect } from 'vitest';
import { MESSAGE_TEXT_BUDGET, SLACK_LIMITS, type SlackBlock } from '../../src/report/slack.js';

export function checkLimits(blocks: SlackBlock[]): void {
  expect(blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
  let markdown = 0;
  for (const b of blocks) {
    if (b.type === 'header') expect(b.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.headerText);
    if (b.type === 'section') expect(b.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    if (b.type === 'context') {
      expect(b.elements.length).toBeLessThanOrEqual(SLACK_LIMITS.contextElements);
      for (const e of b.elements) expect(e.text.length).toBeLessThanOrEqual(SLACK_LIMITS.contextText);
    }
    if (b.type === 'markdown') markdown += b.text.length;
    expect(['header', 'section', 'context', 'divider', 'markdown']).toContain(b.type);
  }
  expect(markdown).toBeLessThanOrEqual(SLACK_LIMITS.markdownText);
  expect(messageTextLength(blocks)).toBeLessThanOrEqual(MESSAGE_TEXT_BUDGET);
}

/** All the text of a message's blocks, as MESSAGE_TEXT_BUDGET counts it. */
export const messageTextLength = (blocks: SlackBlock[]) =>
  blocks.reduce((n, b) => n + (b.type === 'section' || b.type === 'header' ? b.text.text.length : b.type === 'context' ? b.elements.reduce((m, e) => m + e.text.length, 0) : b.type === 'markdown' ? b.text.length : 0), 0);
