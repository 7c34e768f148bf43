/**
 * Structured JSON logs, one object a line, every string redacted on the way out. `audit` writes the one line
 * each request gets: who, from where, what, and how it ended (verdict or the refusal and its rule).
 */
import { outgoing } from './outgoing.js';

export type Level = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  log(level: Level, msg: string, fields?: Record<string, unknown>): void;
  audit(fields: Record<string, unknown>): void;
}

export function createLogger(write: (line: string) => void, now: () => number = Date.now): Logger {
  const emit = (record: Record<string, unknown>) => {
    try {
      write(JSON.stringify(outgoing({ time: new Date(now()).toISOString(), ...record })) + '\n');
    } catch {
      // A log sink that fails must not take a request down with it.
    }
  };
  return {
    log: (level, msg, fields = {}) => emit({ level, msg, ...fields }),
    audit: (fields) => emit({ level: 'info', msg: 'audit', ...fields }),
  };
}
