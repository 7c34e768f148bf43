/**
 * Certificates from the JSON people have off the pod: `istioctl proxy-config secret POD -o json` (a bare
 * SecretsConfigDump, camelCase) and an Envoy `/config_dump` (snake_case, the SecretsConfigDump among
 * `configs[]`, whole or `?resource=`). Off the pod, that JSON is often the only copy of an istiod-issued
 * certificate: istiod's leaves live in Envoy's memory, not in files.
 *
 * Pure: text in, certificate inputs out. The `default` secret is the workload's chain; `ROOTCA` (its
 * trusted_ca, or SPIRE's per-trust-domain bundles) is its trust bundle.
 */
import { inputError, jsonSyntaxProblem } from '../errors.js';
import type { CertificateInput } from '../x509/pem.js';
import { parseSecrets } from './envoy-parse.js';
import type { ProxySecret } from './proxy.js';
import type { Source, SourceLabel } from '../model/source.js';

/** A certificate input named for its source (as `NamedInput` in evidence/from-inputs.ts). */
export interface SecretJsonInput {
  name: string;
  origin: Source;
  data: string;
}

/** A secret read from a saved JSON file, typed, and named by `label`: `envoy secret "default" in secret.json`. */
function secretInput(secret: string, file: string, pems: string[], label: SourceLabel, trustDomain?: string): SecretJsonInput {
  const origin: Source = { kind: 'envoy-secret', name: secret, ...(trustDomain ? { trustDomain } : {}), file };
  return { name: label(origin), origin, data: pems.join('') };
}

/** True when the input is JSON (its first non-blank character is `{`), not PEM or DER. */
export function looksLikeJson(data: CertificateInput): boolean {
  const head = typeof data === 'string' ? data.slice(0, 64) : Buffer.from(data.subarray(0, 64)).toString('latin1');
  return /^\uFEFF?\s*\{/.test(head);
}

const WHAT = '`istioctl proxy-config secret POD -o json` or an Envoy /config_dump';

function parse(data: CertificateInput, file: string, flag: string): ProxySecret[] {
  const text = typeof data === 'string' ? data : Buffer.from(data).toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw inputError(`Cannot read ${flag} "${file}": it starts like JSON but is ${jsonSyntaxProblem(text, e)}; expected PEM, DER, or the JSON of ${WHAT}`);
  }
  const p = parseSecrets(json);
  if (!p.sawSecretsDump) throw inputError(`Cannot read ${flag} "${file}": JSON, but no secrets in it; expected PEM, DER, or the JSON of ${WHAT} (which lists "default" and "ROOTCA")`);
  return p.secrets;
}

const names = (secrets: ProxySecret[]) => (secrets.length ? secrets.map((s) => `${s.name}${s.state === 'warming' ? ' (WARMING)' : ''}`).join(', ') : 'none');

/** ROOTCA's certificates (trusted_ca, and each SPIRE trust domain's bundle) as trust inputs; [] without one. */
function rootcaInputs(secrets: ProxySecret[], file: string, label: SourceLabel): SecretJsonInput[] {
  const rootca = secrets.find((s) => s.name === 'ROOTCA' && s.state !== 'warming');
  if (!rootca) return [];
  const out: SecretJsonInput[] = [];
  if (rootca.pems.length) out.push(secretInput('ROOTCA', file, rootca.pems, label));
  for (const td of rootca.trustDomains) if (td.pems.length) out.push(secretInput('ROOTCA', file, td.pems, label, td.name));
  return out;
}

/**
 * `--chain` given as secrets JSON: the active `default` secret's chain, and ROOTCA as the trust bundle (used
 * unless `--trust` is given). One clear E_INPUT line when the JSON holds no usable `default`. `label` names the
 * inputs (the report's, handed down by the pipeline).
 */
export function chainFromSecretJson(data: CertificateInput, file: string, label: SourceLabel, flag = '--chain'): { chain: SecretJsonInput; trust: SecretJsonInput[] } {
  const secrets = parse(data, file, flag);
  const def = secrets.find((s) => s.name === 'default' && s.state !== 'warming' && s.pems.length > 0);
  if (!def) {
    const warming = secrets.some((s) => s.name === 'default' && s.state === 'warming');
    throw inputError(
      `Cannot read ${flag} "${file}": its secrets (${names(secrets)}) hold no "default" certificate chain${warming ? ': "default" is WARMING, Envoy never received it over SDS (mtls-doctor diagnose inside the pod explains why)' : ''}`,
    );
  }
  return { chain: secretInput('default', file, def.pems, label), trust: rootcaInputs(secrets, file, label) };
}

/** `--trust` (or `--peer-trust`, `--ca`) given as secrets JSON: ROOTCA's certificates. */
export function trustFromSecretJson(data: CertificateInput, file: string, flag: string, label: SourceLabel): SecretJsonInput[] {
  const secrets = parse(data, file, flag);
  const trust = rootcaInputs(secrets, file, label);
  if (trust.length === 0) throw inputError(`Cannot read ${flag} "${file}": its secrets (${names(secrets)}) hold no "ROOTCA" certificates`);
  return trust;
}
