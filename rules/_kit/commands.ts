/** Verify commands: the shell words that read exactly one certificate, wherever it came from. Pure. */
import type { CertFact } from '../../src/x509/types.js';

/** The file a certificate came from, for commands: `chain.pem #2` → `chain.pem`. */
export function fileOf(c: CertFact): string {
  return sourceFile(c.source);
}

/**
 * A source as a shell file argument. Certificates read from Envoy (`envoy secret "NAME"`) are no file: give
 * the command that extracts that secret's PEM, as a process substitution.
 */
export function sourceFile(source: string): string {
  source = source.replace(/ #\d+$/, '');
  const m = /^envoy secret "([^"]+)"/.exec(source);
  if (!m) return source;
  return `<(istioctl proxy-config secret POD -n NS -o json | jq -r '.dynamicActiveSecrets[] | select(.name=="${m[1]}") | .secret | (.tlsCertificate.certificateChain // .validationContext.trustedCa).inlineBytes' | base64 -d)`;
}

/** Quotes a path for a POSIX shell when it needs it. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * The start of a command that reads exactly this certificate — `openssl x509 -in FILE` only sees a file's
 * first certificate, so the Nth one of a chain file, an Envoy secret or a peer's chain is cut out first.
 * Rules write `{x509} -noout -enddate` in their verify templates.
 */
export function x509Of(c: CertFact): string {
  const m = / #(\d+)$/.exec(c.source);
  const n = m ? Number(m[1]) : 1;
  const src = c.source.replace(/ #\d+$/, '');
  const pick = n === 1 ? '' : ` | awk '/-----BEGIN CERTIFICATE-----/{n++} n==${n}'`;
  const envoy = /^envoy secret "([^"]+)"/.exec(src);
  if (envoy) {
    return `istioctl proxy-config secret POD -n NS -o json | jq -r '.dynamicActiveSecrets[] | select(.name=="${envoy[1]}") | .secret | (.tlsCertificate.certificateChain // .validationContext.trustedCa).inlineBytes' | base64 -d${pick} | openssl x509`;
  }
  const peer = /^peer (\S+)$/.exec(src);
  if (peer) return `openssl s_client -connect ${peer[1]} -showcerts </dev/null 2>/dev/null${pick || ` | awk '/-----BEGIN CERTIFICATE-----/{n++} n==1'`} | openssl x509`;
  return n === 1 ? `openssl x509 -in ${shellQuote(src)}` : `awk '/-----BEGIN CERTIFICATE-----/{n++} n==${n}' ${shellQuote(src)} | openssl x509`;
}

