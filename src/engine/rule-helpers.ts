/** Pure helpers that rules share: naming certificates, durations, evidence lines. No I/O, no clock. */
import type { Facts } from '../facts/types.js';
import type { ChainFact } from '../x509/chain.js';
import type { CertFact } from '../x509/types.js';
import type { EvidenceRef } from '../report/types.js';
import type { RuleContext } from './define-rule.js';

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

export const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
export const days = (ms: number) => ms / DAY;

/** `"CN=x" (serial 0a1b…, chain.pem #2)` */
export function describe(c: CertFact): string {
  return `"${c.name}" (serial ${c.serial.slice(0, 16)}${c.serial.length > 16 ? '…' : ''}, ${c.source})`;
}

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
  const secret = secretCommand(source);
  return secret ? `<(${secret})` : source;
}

const ENVOY_SECRET = /^envoy secret "([^"]+)"(?: trust domain (\S+))?(?: in (.+))?$/;

/**
 * The command that prints the PEM of a certificate source read from Envoy: `envoy secret "NAME"` (live, through
 * istioctl), `… trust domain TD` (a SPIRE bundle), `… in FILE` (a saved istioctl / config_dump JSON). One jq
 * filter reads both shapes: istioctl's camelCase SecretsConfigDump and Envoy's snake_case config_dump.
 */
export function secretCommand(source: string): string | null {
  // A leaf known only from /certs is the one SDS delivered as `default`: read it whole through istioctl.
  const m = ENVOY_SECRET.exec(source.startsWith('envoy admin /certs') ? 'envoy secret "default"' : source);
  if (!m) return null;
  const [, name, td, file] = m;
  const pick = `[..|objects|select(.name?=="${name}" and has("secret"))][0].secret`;
  const vc = '.validation_context//.validationContext';
  const field = td
    ? `${vc}|.custom_validator_config//.customValidatorConfig|.typed_config//.typedConfig|.trust_domains//.trustDomains|.[]|select(.name=="${td}")|.trust_bundle//.trustBundle|.inline_bytes//.inlineBytes`
    : `(.tls_certificate//.tlsCertificate|.certificate_chain//.certificateChain|.inline_bytes//.inlineBytes)//(${vc}|.trusted_ca//.trustedCa|.inline_bytes//.inlineBytes)`;
  const jq = `jq -r '${pick}|${field}'`;
  return file ? `${jq} ${shellQuote(file)} | base64 -d` : `istioctl proxy-config secret POD -n NS -o json | ${jq} | base64 -d`;
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
  const envoy = secretCommand(src);
  if (envoy) return `${envoy}${pick} | openssl x509`;
  const peer = /^peer (\S+)$/.exec(src);
  if (peer) return `openssl s_client -connect ${peer[1]} -showcerts </dev/null 2>/dev/null${pick || ` | awk '/-----BEGIN CERTIFICATE-----/{n++} n==1'`} | openssl x509`;
  return n === 1 ? `openssl x509 -in ${shellQuote(src)}` : `awk '/-----BEGIN CERTIFICATE-----/{n++} n==${n}' ${shellQuote(src)} | openssl x509`;
}

export function validityEvidence(c: CertFact, now: number): EvidenceRef {
  const state = now > c.notAfter ? `expired ${duration(now - c.notAfter)} ago` : now < c.notBefore ? `not valid for another ${duration(c.notBefore - now)}` : `${duration(c.notAfter - now)} left`;
  return { source: c.source, detail: `${c.subject || c.name}: notBefore ${iso(c.notBefore)}, notAfter ${iso(c.notAfter)} (${state})` };
}

export type CaLevel = 'intermediate' | 'root';

/** A CA certificate worth watching: on a chain's path above the leaf, or among the mesh CA's certificates. */
export interface CaCert {
  cert: CertFact;
  level: CaLevel;
  /** The chain it sits on, if any. */
  chain: ChainFact | null;
}

/** Every distinct CA certificate on a chain's path or in `--ca`, with its level. */
export function caCertificates(f: Facts): CaCert[] {
  const out = new Map<string, CaCert>();
  for (const chain of f.chains) {
    chain.path.slice(1).forEach((cert) => {
      if (!out.has(cert.fingerprint)) out.set(cert.fingerprint, { cert, level: cert.selfIssued ? 'root' : 'intermediate', chain });
    });
  }
  // Certificates given as CA material that are not CAs (a leaf in --ca) are flagged by chain/ca-material-not-ca,
  // not judged as CAs.
  for (const cert of (f.bundles.ca?.certs ?? []).filter(isCaCertificate)) {
    if (!out.has(cert.fingerprint)) out.set(cert.fingerprint, { cert, level: cert.selfIssued ? 'root' : 'intermediate', chain: null });
  }
  return [...out.values()];
}

/** A CA certificate: basicConstraints cA=TRUE, or a v1/v2 self-signed root (which predates the extension). */
export function isCaCertificate(c: CertFact): boolean {
  return c.basicConstraints ? c.basicConstraints.ca : c.version < 3 && c.selfIssued;
}

/** The identities a chain's leaf may carry: every --expect-id for our own chain, --peer-id for the peer's. */
export function expectedIds(f: Facts, chain: ChainFact): string[] {
  if (chain.subject === 'local' && f.expectIds.length) return f.expectIds;
  return chain.expectedId ? [chain.expectedId] : [];
}

/** Whose chain, to start a sentence: `Our` or `The peer's`. */
export function whose(chain: ChainFact): string {
  return chain.subject === 'local' ? 'Our' : "The peer's";
}

export const hasEku = (c: CertFact, usage: string) => c.eku === null || c.eku.includes(usage) || c.eku.includes('any');

/**
 * The check shared by expiry/intermediate-expiring and expiry/root-expiring: every CA certificate of `level`
 * with fewer days left than the level's thresholds (warn → warning, critical → error).
 */
export function checkCaExpiring(ctx: RuleContext<'expiring' | 'expiringShortLived'>, level: CaLevel): void {
  const t = ctx.facts.thresholds[level];
  const f = ctx.facts.thresholds.leaf;
  for (const { cert, level: l, chain } of caCertificates(ctx.facts)) {
    if (l !== level || ctx.now > cert.notAfter || ctx.now < cert.notBefore) continue;
    const life = cert.notAfter - cert.notBefore;
    const base = { cert: describe(cert), notAfter: iso(cert.notAfter), left: duration(cert.notAfter - ctx.now), file: fileOf(cert), x509: x509Of(cert), renew: renewAdvice(caKind(cert), level) };
    const common = { subject: chain?.subject ?? 'ca', about: cert.fingerprint, deadline: cert.notAfter, evidence: [validityEvidence(cert, ctx.now)] };
    if (isShortLivedCa(cert, t.warnDays)) {
      // A CA that lives less than the warning window (SPIRE's default 24 h) would always be "expiring" in days:
      // judge it as leaves are, by the fraction of its own lifetime left.
      const left = (cert.notAfter - ctx.now) / life;
      if (left >= f.warnFraction) continue;
      const critical = left < f.criticalFraction;
      ctx.report({
        ...common,
        messageId: 'expiringShortLived',
        severity: critical ? 'error' : 'warning',
        data: { ...base, lifetime: duration(life), leftPct: Math.round(left * 100), thresholdPct: Math.round((critical ? f.criticalFraction : f.warnFraction) * 100) },
      });
      continue;
    }
    const leftDays = days(cert.notAfter - ctx.now);
    if (leftDays >= t.warnDays) continue;
    const critical = leftDays < t.criticalDays;
    ctx.report({ ...common, messageId: 'expiring', severity: critical ? 'error' : 'warning', data: { ...base, threshold: critical ? t.criticalDays : t.warnDays } });
  }
}

/** A CA whose whole lifetime is shorter than its level's warning window (in days): judged by fraction, not days. */
export function isShortLivedCa(cert: CertFact, warnDays: number): boolean {
  const life = cert.notAfter - cert.notBefore;
  return life > 0 && life <= warnDays * DAY;
}

/** Which CA issued the mesh's certificates, as far as its certificate tells: the fix differs for each. */
export type CaKind = 'spire' | 'cert-manager' | 'istiod' | 'plugin';

/**
 * SPIRE's server CA carries the trust domain as a URI SAN (`spiffe://TD`, no path) and, by default, the subject
 * C=US, O=SPIFFE; cert-manager istio-csr's CA is its Certificate `istio-ca` (O=cert-manager in the docs);
 * istiod's self-signed CA is `O=<trust domain>` with no CN; anything else is a plug-in CA (cacerts).
 */
export function caKind(cert: CertFact): CaKind {
  if (cert.sans.some((s) => s.type === 'uri' && /^spiffe:\/\/[^/]+\/?$/i.test(s.value)) || /(^|, )O=SPIFFE(,|$)/.test(cert.subject)) return 'spire';
  if (/cert-manager/i.test(cert.subject) || cert.cn.includes('istio-ca')) return 'cert-manager';
  if (cert.cn.length === 0 && /^O=[^,]+$/.test(cert.subject)) return 'istiod';
  return 'plugin';
}

/** The first fix step for a CA close to expiry, fitting the CA that issued it. */
export function renewAdvice(kind: CaKind, level: CaLevel): string {
  switch (kind) {
    case 'spire':
      return 'SPIRE rotates its own CA (ca_ttl, default 24 h; the next one is prepared at half its life): check that spire-server is up and can reach its UpstreamAuthority: kubectl logs -n spire statefulset/spire-server | grep -iE "rotat|x509 ca|upstream"';
    case 'cert-manager':
      return 'cert-manager renews this CA (the Certificate istio-csr uses, renewBefore): check that it is Ready and renewing: kubectl get certificate -A | grep -i istio-ca; then restart istio-csr if it still serves the old CA';
    case 'istiod':
      return level === 'root'
        ? "This is istiod's self-signed root (Secret istio-ca-secret in istio-system): plan the rotation now, new root into every trust bundle first (Istio's self-signed root rotation, or move to a plug-in CA)"
        : "Re-issue istiod's CA (Secret istio-ca-secret in istio-system) and restart istiod: kubectl rollout restart deployment/istiod -n istio-system";
    default:
      return level === 'root'
        ? 'Plan the root rotation now: new root into every trust bundle first, then issue from it, then retire the old one (never issue from a root before every peer trusts it)'
        : 'Re-issue the intermediate from the root now and roll it out (cacerts Secret, then restart istiod), while the old one is still valid';
  }
}

/**
 * The check shared by key-usage/missing-client-auth and key-usage/missing-server-auth: a leaf used as a TLS
 * `role` whose extended key usage is present and lacks `eku`.
 */
export function checkLeafEku(ctx: RuleContext<'missing'>, role: 'client' | 'server', eku: 'clientAuth' | 'serverAuth'): void {
  for (const chain of ctx.facts.chains) {
    if (chain.usage !== role && chain.usage !== 'both') continue;
    if (hasEku(chain.leaf, eku)) continue;
    const list = (chain.leaf.eku ?? []).join(', ');
    ctx.report({
      messageId: 'missing',
      subject: chain.subject,
      about: chain.leaf.fingerprint,
      data: {
        whose: whose(chain),
        cert: describe(chain.leaf),
        why: chain.usage === 'both' ? ' (a mesh workload is client and server)' : '',
        eku: list || 'empty',
        file: fileOf(chain.leaf),
        x509: x509Of(chain.leaf),
      },
      evidence: [{ source: chain.leaf.source, detail: `extendedKeyUsage: ${list}` }],
    });
  }
}
