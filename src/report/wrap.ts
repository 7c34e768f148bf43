/**
 * Wrapping prose for a terminal: to its width (or `COLUMNS`), not at all when the output is piped, and never
 * inside a shell command, so that a command in a fix still copy-pastes as one line.
 */

/** Words that start a shell command inside prose ("Check the agent: kubectl logs POD …"). */
const COMMAND_WORDS = new Set(['kubectl', 'istioctl', 'openssl', 'mtls-doctor', 'curl', 'diff', 'awk', 'jq', 'helm', 'grep']);

/** Narrowest width we wrap to: below it, wrapping does more harm than good. */
export const MIN_WIDTH = 40;

/**
 * The width to wrap text output to: `COLUMNS` when set to a number (the user asked for it, piped or not), else
 * the terminal's width when writing to one, else null (piped: no wrapping, so `grep` and bots see whole lines).
 */
export function outputWidth(stream: { isTTY?: boolean; columns?: number }, env: Record<string, string | undefined>): number | null {
  const fromEnv = env.COLUMNS !== undefined && /^\s*\d+\s*$/.test(env.COLUMNS) ? Number(env.COLUMNS) : NaN;
  if (Number.isFinite(fromEnv) && fromEnv > 0) return Math.max(MIN_WIDTH, fromEnv);
  if (stream.isTTY && typeof stream.columns === 'number' && stream.columns > 0) return Math.max(MIN_WIDTH, stream.columns);
  return null;
}

/**
 * Splits text into the units a line may break between: single words, and whole commands (from a command word
 * to the end of the text, or to a prose aside in parentheses after it), which are never broken.
 */
export function wrapUnits(text: string): string[] {
  const words = text.split(/\s+/).filter((w) => w !== '');
  const units: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const bare = w.replace(/^[(<]+/, '');
    // A shell loop is a command too: "for p in POD PEER_POD; do istioctl …; done".
    const loop = w === 'for' && words[i + 2] === 'in' && words.slice(i + 3).some((x) => x === 'do');
    if (!COMMAND_WORDS.has(bare) && !loop) {
      units.push(w);
      continue;
    }
    const inParens = w.startsWith('(');
    let j = i + 1;
    let depth = inParens ? 1 : 0;
    if (inParens && w.endsWith(')')) depth = 0;
    for (; j < words.length && (!inParens || depth > 0); j++) {
      const x = words[j]!;
      // A prose aside after a command: "… | grep -iE "cert|sds" (can it reach istiod:15012?)".
      if (!inParens && x.startsWith('(') && !x.startsWith('(.')) break;
      if (inParens) depth += (x.match(/\(/g)?.length ?? 0) - (x.match(/\)/g)?.length ?? 0);
    }
    units.push(words.slice(i, j).join(' '));
    i = j - 1;
  }
  return units;
}

/** Columns a string takes on a terminal: ANSI colour codes take none. */
export function visible(s: string): number {
  return [...s.replace(/\x1b\[[0-9;]*m/g, '')].length;
}

/**
 * Wraps a paragraph: the first line starts with `first`, the others with `rest` (both count towards the
 * width). With `width` null the paragraph stays one line.
 */
export function wrapText(text: string, width: number | null, first: string, rest = ' '.repeat(visible(first))): string {
  if (width === null) return first + text.replace(/\s+/g, ' ').trim();
  const lines: string[] = [];
  let line = '';
  let prefix = first;
  for (const u of wrapUnits(text)) {
    if (line && visible(prefix) + visible(line) + 1 + visible(u) > width) {
      lines.push(prefix + line);
      prefix = rest;
      line = u;
    } else line = line ? `${line} ${u}` : u;
  }
  lines.push(prefix + line);
  return lines.join('\n');
}
