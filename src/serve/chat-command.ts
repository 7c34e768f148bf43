/**
 * `/mtls …` text → a command. `diagnose` arguments go through the CLI's own yargs definition (src/cli/main.ts
 * `parseOnly`, handed in by the CLI as an ArgvParser), after an allowlist: chat may name a cluster target, a namespace, a peer and evaluation
 * options — never a file path, a kubeconfig, a proxy root, an Envoy/agent URL or --save-evidence.
 */
import { argOf, requestField, REQUEST_FIELDS, type ChatField, type DiagnoseRequest, type RequestField } from '../diagnose/request.js';
import { usageError } from '../errors.js';
import { LABEL_SELECTOR } from './config.js';
import { forbidden } from './errors.js';

export type ChatCommand =
  | { kind: 'help' }
  | { kind: 'explain'; text: string }
  | { kind: 'diagnose'; target: string | null; namespace: string | null; options: ChatDiagnoseOptions }
  | { kind: 'scan'; namespace: string; options: ChatScanOptions }
  | { kind: 'rotation'; action: 'status'; namespace: string | null; options: ChatScanOptions };

/** The scan options chat may set. */
export interface ChatScanOptions {
  selector?: string;
  at?: string;
  /** `scan` only: `--what-if strict` (issue 25). */
  whatIf?: string;
}

/** The diagnose options chat may set: the request's fields the table opens to chat, in the webhook's JSON form. */
export type ChatDiagnoseOptions = Pick<DiagnoseRequest, ChatField>;

/** The fields chat may set with `diagnose` (each flag takes a value). */
const chatFields = (fields: readonly RequestField[]) => fields.filter((f) => f.chat && f.flag);
const chatFlags = (fields: readonly RequestField[]) => chatFields(fields).map((f) => `--${f.flag}`);
const CHAT_DIAGNOSE_FLAGS = chatFlags(REQUEST_FIELDS);
const NAMESPACE_FIELD = requestField('namespace')!;
const NAMESPACE_FLAGS = [`-${NAMESPACE_FIELD.alias}`, `--${NAMESPACE_FIELD.flag}`];
/** Flags chat may use with `scan` and `rotation status` (besides -n): never -A, a kubeconfig, a saved scan or CA Secrets. */
const CHAT_SCAN_FLAGS = ['-l', '--selector', '--at'] as const;
/** `scan` also takes the what-if (a simulation: it reads what the scan reads and writes nothing). */
const CHAT_WHAT_IF_FLAGS = ['--what-if'] as const;
const K8S_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export const CHAT_HELP = [
  '*mtls-doctor* — why mTLS handshakes fail, answered in this channel.',
  '`/mtls diagnose pod/NAME -n NS [--peer SVC.NS:PORT] [--expect-id ID] [--symptom "TEXT"]` diagnose a workload (cluster mode)',
  '`/mtls diagnose --peer SVC.NS:PORT [--peer-id ID] [--sni NAME] [--alpn LIST]` real test handshakes with an in-cluster peer',
  '`/mtls explain "<error text>"` decode a pasted TLS error into who rejected whom and the likely causes',
  '`/mtls scan -n NS [-l SELECTOR]` every sidecar in a namespace: expiry at every CA level, trust-bundle drift, the rotation phase',
  '`/mtls scan --what-if strict -n NS` which connections a PeerAuthentication STRICT would break in the namespace now, each caller named',
  '`/mtls rotation status [-n NS]` the CA rotation phase and the next safe step (without -n: every namespace this channel may read)',
  '`/mtls help` this text',
  `Chat accepts only ${[...NAMESPACE_FLAGS, ...CHAT_DIAGNOSE_FLAGS].join(', ')} (scan and rotation: ${[...NAMESPACE_FLAGS, ...CHAT_SCAN_FLAGS].join(', ')}; scan also ${CHAT_WHAT_IF_FLAGS.join(', ')} strict); files, kubeconfigs and evidence bundles are for the CLI.`,
].join('\n');

/** Slack's escaping (`&amp;`, `&lt;`, `&gt;`) and its link markup (`<http://x|x>`, `<mailto:…|…>`) undone. */
export function unslack(text: string): string {
  return text
    .replace(/<([^<>|]*)\|([^<>]*)>/g, '$2')
    .replace(/<([^<>]*)>/g, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** Splits chat text into words: "double", 'single' and Slack's “curly” quotes group; no other shell syntax. */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  const closing: Record<string, string> = { '"': '"', "'": "'", '“': '”', '”': '”', '‘': '’', '’': '’' };
  let cur = '';
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (/\s/.test(ch)) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else if (closing[ch]) {
      const end = text.indexOf(closing[ch]!, i + 1);
      if (end < 0) throw usageError(`Cannot read the command: a quote (${ch}) is not closed`);
      cur += text.slice(i + 1, end);
      inWord = true;
      i = end;
    } else {
      cur += ch;
      inWord = true;
    }
  }
  if (inWord) out.push(cur);
  return out;
}

/** Takes `-n NS` / `--namespace NS` / `--namespace=NS` out of the words; at most once. */
function takeNamespace(words: string[]): { namespace: string | null; rest: string[] } {
  let namespace: string | null = null;
  const rest: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const eq = /^--namespace=(.*)$/.exec(w);
    if (NAMESPACE_FLAGS.includes(w) || eq) {
      const v = eq ? eq[1]! : words[++i];
      if (v === undefined || v === '') throw usageError(`Cannot use ${w}: give a namespace`);
      if (namespace !== null) throw usageError('Cannot use -n/--namespace twice');
      if (!NAMESPACE.test(v)) throw usageError(`Cannot use namespace "${v}": not a Kubernetes namespace name (lower-case letters, digits and -)`);
      namespace = v;
    } else rest.push(w);
  }
  return { namespace, rest };
}

/** Every word that looks like a flag must be an allowed one; anything else is refused naming the flag. */
function checkFlags(words: string[], allowed: readonly string[]): void {
  for (const w of words) {
    if (!w.startsWith('-')) continue;
    const name = w.includes('=') ? w.slice(0, w.indexOf('=')) : w;
    if (!allowed.includes(name)) {
      throw forbidden(`Refused: ${name} is not allowed from chat (allowed: ${[...NAMESPACE_FLAGS, ...allowed].join(', ')}); files, kubeconfigs and evidence bundles are for the CLI`, 'chat flag allowlist');
    }
  }
}

/** A long flag given without a value (`--peer` at the end, `--at=`) is a usage error, not an empty option. */
function emptyValues(words: string[], args: Record<string, unknown>): void {
  for (const w of words) {
    const flag = w.startsWith('--') ? w.split('=')[0]! : null;
    const key = flag?.slice(2).replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
    if (key && [args[key]].flat().some((v) => v === '' || v === undefined)) throw usageError(`Cannot use ${flag} without a value`);
  }
}

/** The target as the CLI names it: pod/NAME, deploy/NAME, svc/NAME or NAME, a Kubernetes object name. */
function checkTarget(t: string): string {
  const m = /^(?:(pod|pods|po|deploy|deployment|deployments|svc|service|services)\/)?(.+)$/.exec(t)!;
  if (!K8S_NAME.test(m[2]!)) throw usageError(`Cannot use target "${t}": expected pod/NAME, deploy/NAME, svc/NAME or NAME (a Kubernetes object name)`);
  return t;
}

/** The CLI's parser in parse-only mode (src/cli/main.ts `parseOnly`): argv → parsed arguments, or a usage error. */
export type ArgvParser = (argv: string[]) => Promise<Record<string, unknown>>;

const one = (v: unknown): string | undefined => (v === undefined ? undefined : Array.isArray(v) ? String(v[v.length - 1]) : String(v));

/**
 * Parses the text of a slash command. Bad usage throws E_USAGE; a flag chat may not use throws E_FORBIDDEN.
 * `fields`: the request table whose `chat` rows chat may set (a test passes a copy with a row added).
 */
export async function parseChatCommand(raw: string, parseArgv: ArgvParser, fields: readonly RequestField[] = REQUEST_FIELDS): Promise<ChatCommand> {
  const text = unslack(raw).trim();
  const first = /^\S*/.exec(text)![0].toLowerCase();
  if (first === '' || first === 'help' || first === '--help' || first === '-h') return { kind: 'help' };
  if (first === 'explain') {
    let rest = text.slice(first.length).trim();
    const q = /^(["'“‘])([\s\S]*)(["'”’])$/.exec(rest);
    if (q) rest = q[2]!;
    if (!rest) throw usageError('Cannot explain an empty error text: /mtls explain "<the error line>"');
    return { kind: 'explain', text: rest };
  }
  const words = tokenize(text).slice(1);
  if (first === 'scan' || first === 'rotation') {
    if (words.some((w) => w === '-A' || w === '--all-namespaces' || w.startsWith('--all-namespaces='))) {
      throw forbidden('Refused: -A (every namespace) is not allowed from chat; give -n NS', 'chat flag allowlist');
    }
    const { namespace, rest } = takeNamespace(words);
    const action = first === 'rotation' ? rest.shift() : undefined;
    // The drill reads the new CA's certificates from a file, and chat never names a file.
    if (first === 'rotation' && action === 'drill') throw forbidden('Refused: /mtls rotation drill needs the new CA\'s certificates in a file (--new-ca FILE), and chat never reads files; run `mtls-doctor rotation drill --new-ca FILE -n NS` from the CLI (/mtls rotation status -n NS shows the phase here)', 'chat: rotation drill needs a file');
    if (first === 'rotation' && action !== 'status') throw usageError(`Cannot read the rotation command${action ? ` "${action}"` : ''}: /mtls rotation status [-n NS] (the plan is in its answer)`);
    checkFlags(rest, first === 'scan' ? [...CHAT_SCAN_FLAGS, ...CHAT_WHAT_IF_FLAGS] : CHAT_SCAN_FLAGS);
    if (first === 'scan' && !namespace) throw usageError('Give a namespace: /mtls scan -n NS');
    const args = await parseArgv([first, ...(action ? [action] : []), ...rest]);
    const extra = ((args._ as unknown[]) ?? []).slice(1);
    if (args.target !== undefined) throw usageError(`Unexpected argument "${String(args.target)}": /mtls ${first === 'scan' ? 'scan [--what-if strict] -n NS' : 'rotation status [-n NS]'} (a pod target is for the CLI)`);
    if (extra.length) throw usageError(`Cannot use "${String(extra[0])}" with ${first}: /mtls ${first === 'scan' ? 'scan [--what-if strict] -n NS' : 'rotation status [-n NS]'}`);
    emptyValues(rest, args);
    const options: ChatScanOptions = {};
    if (args.selector !== undefined) options.selector = one(args.selector)!;
    if (options.selector === '') throw usageError('Cannot use -l/--selector without a label selector (such as app=reviews)');
    if (options.selector !== undefined && !LABEL_SELECTOR.test(options.selector)) throw usageError(`Cannot use -l "${options.selector}": not a label selector such as app=reviews,version!=v1`);
    if (args.at !== undefined) options.at = one(args.at)!;
    if (args.whatIf !== undefined) {
      options.whatIf = one(args.whatIf)!;
      if (options.whatIf !== 'strict') throw usageError(`Cannot use --what-if "${options.whatIf}": /mtls scan --what-if strict -n NS`);
    }
    return first === 'scan' ? { kind: 'scan', namespace: namespace!, options } : { kind: 'rotation', action: 'status', namespace, options };
  }
  if (first !== 'diagnose') throw usageError(`Unknown command "${first}": use diagnose, explain, scan, rotation status or help`);
  const { namespace, rest } = takeNamespace(words);
  checkFlags(rest, chatFlags(fields));
  const args = await parseArgv(['diagnose', ...rest]);
  const positional = args.target === undefined ? [] : [String(args.target)];
  const extra = ((args._ as unknown[]) ?? []).slice(1);
  if (extra.length) throw usageError(`Cannot diagnose more than one target: "${String(extra[0])}"`);
  const target = positional.length ? checkTarget(positional[0]!) : null;
  emptyValues(rest, args);
  // Each value in the form the webhook takes it (a list, a number, else the last one given): chat's request is
  // the webhook's, checked and prepared the same way.
  const options: Record<string, unknown> = {};
  for (const f of chatFields(fields)) {
    const v = args[argOf(f)];
    if (v !== undefined) options[f.name] = f.webhook === 'strings' ? [v].flat().map(String) : f.webhook === 'number' ? Number(one(v)) : one(v);
  }
  if (!target && !options.peer) throw usageError('Give what to diagnose: /mtls diagnose pod/NAME -n NS, or --peer SVC.NS:PORT (see /mtls help)');
  return { kind: 'diagnose', target, namespace, options: options as ChatDiagnoseOptions };
}
