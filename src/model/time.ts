/** Time as the report and the rules write it. Pure. */
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** "3d 4h", "2h 13m", "47m", "12s" — the two largest units. */
export function duration(ms: number): string {
  const a = Math.abs(ms);
  if (a >= DAY) {
    const d = Math.floor(a / DAY);
    const h = Math.floor((a % DAY) / HOUR);
    return h && d < 30 ? `${d}d ${h}h` : `${d}d`;
  }
  if (a >= HOUR) {
    const h = Math.floor(a / HOUR);
    const m = Math.floor((a % HOUR) / MIN);
    return m ? `${h}h ${m}m` : `${h}h`;
  }
  if (a >= MIN) return `${Math.floor(a / MIN)}m`;
  return `${Math.floor(a / 1000)}s`;
}

/** A probe timeout as people say it: `800 ms`, `5 s` (not `5009 ms`: the limit plus scheduling noise). */
export function seconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${Math.round(ms / 100) / 10} s`;
}

/** ISO 8601 without milliseconds when they are zero. */
export const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
export const days = (ms: number) => ms / DAY;
