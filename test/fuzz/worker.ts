/**
 * One fuzz worker process, driven by scripts/fuzz.mjs over IPC: runs cases `from`..`from+cases-1` of one target
 * (the whole pipeline for every case), or one limit probe (the largest input the limits admit), and reports each
 * case's start (for the parent's per-case time bound), every failure with its input, and the peak RSS.
 *
 *   node worker.mjs --target NAME --seed N --from I --cases N
 *   node worker.mjs --probe NAME
 */
import { last, TARGETS } from './targets.js';
import { PROBES } from './probes.js';

const arg = (name: string, dflt?: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : dflt;
};
const send = (m: Record<string, unknown>) => (process.send ? process.send(m) : console.log(JSON.stringify(m)));
const peak = () => process.resourceUsage().maxRSS * 1024;

async function main(): Promise<void> {
  const probe = arg('probe');
  if (probe) {
    const p = PROBES.find((x) => x.name === probe);
    if (!p) throw new Error(`no probe ${probe}`);
    const t0 = Date.now();
    const detail = await p.run();
    send({ type: 'probe', name: p.name, ms: Date.now() - t0, detail, maxRSS: peak() });
    return;
  }
  const name = arg('target')!;
  const target = TARGETS.find((t) => t.name === name);
  if (!target) throw new Error(`no target ${name} (targets: ${TARGETS.map((t) => t.name).join(', ')})`);
  const seed = Number(arg('seed', '15'));
  const from = Number(arg('from', '0'));
  const cases = Number(arg('cases', '10000'));
  await target.setup();
  for (let i = from; i < from + cases; i++) {
    send({ type: 'start', i });
    last.input = null;
    const r = await target.run(seed, i, true);
    if (r.failure) {
      const got = last.input as string | Uint8Array | null;
      const input = got === null ? null : typeof got === 'string' ? got.slice(0, 20_000) : Buffer.from(got).toString('base64');
      send({ type: 'fail', i, failure: r.failure, input });
    }
    if (i % 200 === 0) send({ type: 'progress', i, rss: process.memoryUsage().rss, maxRSS: peak() });
  }
  send({ type: 'done', maxRSS: peak() });
}

main().then(
  () => process.exit(0),
  (e) => {
    send({ type: 'error', message: String((e as Error)?.stack ?? e) });
    process.exit(1);
  },
);
