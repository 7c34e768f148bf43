/** `mtls-doctor serve --listen HOST:PORT --config FILE`: loads the config, listens, drains on SIGTERM/SIGINT. */
import { usageError } from '../errors.js';
/** The CLI's output streams (src/cli/main.ts Io), structurally: serve does not import the CLI. */
interface Io {
  stdout: { write(s: string): unknown };
}
import { loadConfig } from './config.js';
import { defaultServeDeps, type ServeDeps } from './deps.js';
import { parseScanInterval } from './exporter.js';
import { createServe } from './server.js';

/** Parses `HOST:PORT` / `[IPv6]:PORT` / `:PORT` for --listen. */
export function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[3]) : -1;
  if (!m || port > 65535) throw usageError(`Cannot use --listen "${text}": expected HOST:PORT, e.g. 0.0.0.0:8080 or 127.0.0.1:8080`);
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}

export async function runServe(args: { listen: string; config?: string; scanInterval?: string }, io: Io, face: Pick<ServeDeps, 'parseArgv'>, signals: NodeJS.EventEmitter = process): Promise<number> {
  if (!args.config) throw usageError('Cannot start serve without --config FILE (Slack channels and tokens → namespaces; see docs/chat.md)');
  const { host, port } = parseListen(args.listen);
  const scanIntervalSeconds = args.scanInterval === undefined ? undefined : parseScanInterval(args.scanInterval);
  if (Number.isNaN(scanIntervalSeconds)) throw usageError(`Cannot use --scan-interval "${args.scanInterval}": give a duration from 10s to 24h, such as 300, 5m or 1h`);
  const config = loadConfig(args.config);
  const deps = defaultServeDeps({ ...face, log: (line) => void io.stdout.write(line) });
  if (scanIntervalSeconds !== undefined && !deps.cluster) throw usageError('Cannot use --scan-interval: this build of mtls-doctor has no cluster access');
  const serve = createServe(config, deps, scanIntervalSeconds !== undefined ? { scanIntervalSeconds } : {});
  await serve.listen(host, port).catch((e: NodeJS.ErrnoException) => {
    throw usageError(`Cannot listen on ${args.listen}: ${e.code ?? e.message}`);
  });
  await new Promise<void>((resolve) => {
    const stop = () => {
      signals.off('SIGTERM', stop);
      signals.off('SIGINT', stop);
      resolve();
    };
    signals.on('SIGTERM', stop);
    signals.on('SIGINT', stop);
  });
  await serve.close();
  return 0;
}
