/** What a CLI command writes to and reads from (tests inject it), and hooks for faces that reuse the parser. */
export interface Io {
  stdout: { write(s: string): unknown; isTTY?: boolean; columns?: number };
  stderr: { write(s: string): unknown };
  env: NodeJS.ProcessEnv;
  /** The clock (tests inject one); default Date.now. */
  now?: () => number;
  /** The command's name in help and messages (default mtls-doctor; `kubectl mtls-doctor` as the kubectl plugin). */
  prog?: string;
}

/** Hooks for faces that reuse this parser: `parsed` gets a command's arguments instead of running it (serve's chat). */
export interface CliHooks {
  parsed?: (command: 'diagnose' | 'scan' | 'rotation', args: Record<string, unknown>) => void;
}
