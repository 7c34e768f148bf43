/**
 * Verify commands, built from where the evidence came from (its typed Source), never from a label and never
 * with a placeholder for a file the user named: a file is used by its path; a certificate that is no file (a
 * peer's chain, an Envoy secret) is first fetched with the command that fetches it, into a local file.
 * Every command is POSIX sh (no process substitution, no bash-only syntax). Pure.
 */
import type { Source } from '../../src/model/source.js';
import { whole } from '../../src/model/source.js';
import type { BundleFact } from '../../src/x509/chain.js';
import type { CertFact } from '../../src/x509/types.js';

/** Quotes a word for a POSIX shell when it needs it. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Where a certificate came from; one parsed without a typed source is named by the path it was read from. */
export const originOf = (c: CertFact): Source => c.origin ?? { kind: 'file', path: c.source };

/** Contents given without a path are named after what carried them: `chain` → `chain.pem`. */
const inlineFile = (name: string) => (/\.[A-Za-z0-9]+$/.test(name) ? name : `${name.replace(/\[(\d+)\]$/, '-$1')}.pem`);

/** The file a source is read from: a file's path; contents given inline are named after what carried them. */
function pathOf(s: Source): string | null {
  return s.kind === 'file' ? s.path : s.kind === 'inline' ? inlineFile(s.name) : null;
}

const AWK_NTH = (n: number) => `awk '/-----BEGIN CERTIFICATE-----/{n++} n==${n}'`;

/**
 * How a live Envoy secret is read: through istioctl (the default), or with kubectl alone — the pilot-agent in the
 * istio-proxy container answers Envoy's admin API (`pilot-agent request GET config_dump`), for users without
 * istioctl.
 */
export type LiveRead = 'istioctl' | 'kubectl';

/** A command that prints a (non-file) source's PEM certificates on standard output. */
export function printPems(s: Source, live: LiveRead = 'istioctl'): string {
  switch (s.kind) {
    case 'file':
      return `cat ${shellQuote(s.path)}`;
    case 'inline':
      return `cat ${shellQuote(inlineFile(s.name))}`;
    case 'envoy-secret':
      return secretCommand(s.name, s.trustDomain, s.file, live, s.pod);
    case 'peer':
      // A STRICT mesh peer rejects s_client (no client certificate) after sending its chain: s_client then exits
      // 1, which must not stop `… > chain.pem && openssl verify …` — the chain was printed all the same.
      return `(openssl s_client -connect ${s.address} -showcerts </dev/null 2>/dev/null || true)`;
    case 'envoy-certs':
      // /certs shows no PEM: the certificate it lists is the one SDS delivered as "default", read whole here.
      return secretCommand('default', undefined, undefined, live);
    case 'kube': {
      // jsonpath needs the dots of a key escaped (root-cert.pem → root-cert\.pem); Secret data is base64.
      const path = shellQuote(`{.data.${s.key.replace(/\./g, '\\.')}}`);
      return s.resource === 'configmap' ? `kubectl get configmap ${s.name} -n ${s.namespace} -o jsonpath=${path}` : `kubectl get secret ${s.name} -n ${s.namespace} -o jsonpath=${path} | base64 -d`;
    }
    case 'pasted':
      return 'cat pasted.pem';
  }
}

/**
 * The PEM of an Envoy secret: live through istioctl, or from a saved istioctl / config_dump JSON file. One jq
 * filter reads both shapes (istioctl's camelCase SecretsConfigDump, Envoy's snake_case config_dump) and a SPIRE
 * trust domain's bundle.
 */
export function secretCommand(name: string, trustDomain?: string, file?: string, live: LiveRead = 'istioctl', pod?: { namespace: string; name: string }): string {
  const pick = `[..|objects|select(.name?=="${name}" and has("secret"))][0].secret`;
  const vc = '.validation_context//.validationContext';
  const field = trustDomain
    ? `${vc}|.custom_validator_config//.customValidatorConfig|.typed_config//.typedConfig|.trust_domains//.trustDomains|.[]|select(.name=="${trustDomain}")|.trust_bundle//.trustBundle|.inline_bytes//.inlineBytes`
    : `(.tls_certificate//.tlsCertificate|.certificate_chain//.certificateChain|.inline_bytes//.inlineBytes)//(${vc}|.trusted_ca//.trustedCa|.inline_bytes//.inlineBytes)`;
  const jq = `jq -r '${pick}|${field}'`;
  if (file) return `${jq} ${shellQuote(file)} | base64 -d`;
  const where = pod ? `${shellQuote(pod.name)} -n ${shellQuote(pod.namespace)}` : 'POD -n NS';
  return live === 'kubectl' ? `kubectl exec ${where} -c istio-proxy -- pilot-agent request GET config_dump | ${jq} | base64 -d` : `istioctl proxy-config secret ${where} -o json | ${jq} | base64 -d`;
}

/** Shell steps to run first (empty, or ending in ` && `) and the file word a command then reads. */
export interface FileArg {
  fetch: string;
  file: string;
}

/** A source as a file argument: a file by its path; anything else fetched into `local` first. */
export function fileArg(s: Source, local: string): FileArg {
  const w = whole(s);
  const path = pathOf(w);
  if (path !== null) return { fetch: '', file: shellQuote(path) };
  return { fetch: `${printPems(w)} > ${local} && `, file: local };
}

/** The file that holds this certificate and the ones presented with it (a chain file, a fetched peer chain). */
export function fileOf(c: CertFact, local = 'chain.pem'): FileArg {
  return fileArg(originOf(c), local);
}

/** Exactly this certificate in a file of its own (cut out of its chain file, or fetched). */
export function certFile(c: CertFact, local: string): FileArg {
  const o = originOf(c);
  const n = o.kind === 'pasted' ? 1 : (o.index ?? 1);
  const w = whole(o);
  const path = pathOf(w);
  if (path !== null) return { fetch: `${AWK_NTH(n)} ${shellQuote(path)} > ${local} && `, file: local };
  return { fetch: `${printPems(w)} | ${AWK_NTH(n)} > ${local} && `, file: local };
}

/** A trust bundle as one file argument (several files or secrets are concatenated into `local` first). */
export function bundleFile(b: BundleFact | undefined, local = 'trust.pem'): FileArg {
  const sources: Source[] = [];
  const seen = new Set<string>();
  for (const c of b?.certs ?? []) {
    const w = whole(originOf(c));
    const key = JSON.stringify(w);
    if (!seen.has(key)) {
      seen.add(key);
      sources.push(w);
    }
  }
  if (sources.length === 0) return { fetch: '', file: local };
  if (sources.length === 1) return fileArg(sources[0]!, local);
  return { fetch: `{ ${sources.map((x) => printPems(x)).join('; ')}; } > ${local} && `, file: local };
}

/** The steps of several file arguments, each once, in order. */
export function fetchAll(...args: FileArg[]): string {
  return [...new Set(args.map((a) => a.fetch).filter(Boolean))].join('');
}

/**
 * The start of a command that reads exactly this certificate — `openssl x509 -in FILE` only sees a file's
 * first certificate, so the Nth one of a chain file, an Envoy secret or a peer's chain is cut out first.
 * Rules write `{x509} -noout -enddate` in their verify templates.
 */
export function x509Of(c: CertFact, live: LiveRead = 'istioctl'): string {
  const o = originOf(c);
  const n = o.kind === 'pasted' ? 1 : (o.index ?? 1);
  const w = whole(o);
  const path = pathOf(w);
  if (path !== null) return n === 1 ? `openssl x509 -in ${shellQuote(path)}` : `${AWK_NTH(n)} ${shellQuote(path)} | openssl x509`;
  const pick = n === 1 && w.kind !== 'peer' ? '' : ` | ${AWK_NTH(n)}`;
  return `${printPems(w, live)}${pick} | openssl x509`;
}

/** A file whose first certificate is this one: the file itself for a chain's first, else cut out into `local`. */
export function firstCertArg(c: CertFact, local: string): FileArg {
  const o = originOf(c);
  const path = pathOf(whole(o));
  return path !== null && (o.kind === 'pasted' || (o.index ?? 1) === 1) ? { fetch: '', file: shellQuote(path) } : certFile(c, local);
}

/**
 * What `{fetch}openssl verify -CAfile {trust} -untrusted {chain} {chain}` needs to verify a chain (whose first
 * certificate is `leaf`) against a trust bundle: the user's files by path, anything else fetched first.
 * Without a bundle `{trust}` stays TRUST.pem — the user has not named one.
 */
export function verifyArgs(leaf: CertFact, bundle: BundleFact | undefined): { fetch: string; chain: string; trust: string } {
  const chain = fileOf(leaf, 'chain.pem');
  const trust = bundle && bundle.certs.length > 0 ? bundleFile(bundle) : { fetch: '', file: 'TRUST.pem' };
  return { fetch: fetchAll(chain, trust), chain: chain.file, trust: trust.file };
}

/** A key file for a command (`openssl pkey -in {key}`): its path, or KEY.pem when it was given as contents. */
export function keyFile(key: { source: string; origin?: Source } | null): string {
  const o = key?.origin ?? (key ? { kind: 'file' as const, path: key.source } : undefined);
  return o?.kind === 'file' ? shellQuote(o.path) : 'KEY.pem';
}

/**
 * The `mtls-doctor diagnose` flags that repeat this diagnosis's own files (`--chain`, `--key`, `--trust`,
 * `--peer-trust`): files by path; material that came from the proxy is collected again, so it is left out.
 */
export function diagnoseFileFlags(f: { local: { leaf: CertFact } | null; key: { source: string; origin?: Source } | null; bundles: Record<string, BundleFact>; peerTrustAssumed: boolean }): string {
  const out: string[] = [];
  const chain = f.local ? originOf(f.local.leaf) : null;
  if (chain?.kind === 'file') out.push(`--chain ${shellQuote(chain.path)}`);
  if (f.key) {
    const k = keyFile(f.key);
    if (k !== 'KEY.pem') out.push(`--key ${k}`);
  }
  const files = (b: BundleFact | undefined) => [...new Set((b?.certs ?? []).map(originOf).filter((o) => o.kind === 'file').map((o) => (o as { path: string }).path))];
  for (const p of files(f.bundles.trust)) out.push(`--trust ${shellQuote(p)}`);
  if (!f.peerTrustAssumed) for (const p of files(f.bundles.peerTrust)) out.push(`--peer-trust ${shellQuote(p)}`);
  return out.join(' ');
}

/** A CRL's file (`openssl crl -in {crlFile}`): its path, or fetched into `crl.pem`. */
export function crlFileArg(crl: { source: string; origin?: Source }): FileArg {
  return fileArg(crl.origin ?? { kind: 'file', path: crl.source }, 'crl.pem');
}
