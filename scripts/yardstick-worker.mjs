// One yardstick worker: receives x509-limbo test cases with the verifier profiles to judge them as, runs each
// through the library's diagnose() once per profile, and answers with one plain verdict record per profile.
// Started by scripts/yardstick.mjs (which owns timeouts).
import { parentPort, workerData } from 'node:worker_threads';

const lib = await import(workerData.library);
const { diagnose, MtlsDoctorError } = lib;
const NO_EXPIRY_FORECAST = { leaf: { warnFraction: 0, criticalFraction: 0 }, intermediate: { warnDays: 0, criticalDays: 0 }, root: { warnDays: 0, criticalDays: 0 } };

/**
 * Runs one case. SERVER cases verify the peer as a TLS server (serverAuth, DNS/IP name); CLIENT cases as a
 * TLS client (clientAuth, each of `expected_peer_names`: RFC 822 names, matched against email SANs). The
 * case's `crls` and `max_chain_depth` are the verifier's CRLs and depth limit (`--crl`, `--max-depth`). The trusted certificates are the verifying side's trust, both as
 * `trust` and `peerTrust`: the chain under test is the one that side verifies.
 */
async function runCase(tc, verifier) {
  const names = tc.expected_peer_name ? [tc.expected_peer_name] : tc.expected_peer_names ?? [];
  const ids = names.length ? names.map((n) => n.value) : [undefined];
  const role = tc.validation_kind === 'CLIENT' ? 'client' : 'server';
  const at = tc.validation_time ?? workerData.defaultTime;
  let failing = false;
  const rules = new Set();
  const ruleErrors = [];
  // Several expected names (CLIENT cases): the chain must be valid for each of them.
  for (const expectId of ids) {
    const report = await diagnose({
      chain: [tc.peer_certificate, ...tc.untrusted_intermediates],
      trust: tc.trusted_certs,
      peerTrust: tc.trusted_certs,
      role,
      ...(expectId === undefined ? {} : { expectId }),
      // The verifier's CRLs and depth limit, when the case sets them.
      ...(tc.crls?.length ? { crls: tc.crls } : {}),
      ...(typeof tc.max_chain_depth === 'number' ? { maxChainDepth: tc.max_chain_depth } : {}),
      at,
      verifier,
      // The suite asks whether the chain is valid at `at`; "expires soon" is a forecast, not a failure.
      thresholds: NO_EXPIRY_FORECAST,
    });
    if (report.verdict === 'failing') failing = true;
    for (const f of report.findings) if (f.severity === 'critical' || f.severity === 'error') rules.add(f.rule);
    for (const n of report.notEvaluated) if (n.reason === 'rule-error') ruleErrors.push(`${n.rule}: ${n.detail}`);
  }
  return { actual: failing ? 'FAILURE' : 'SUCCESS', rules: [...rules], ruleErrors };
}

parentPort.on('message', async ({ tc, verifiers }) => {
  const byVerifier = {};
  for (const verifier of verifiers) byVerifier[verifier] = await judge(tc, verifier);
  parentPort.postMessage({ id: tc.id, byVerifier });
});

async function judge(tc, verifier) {
  const started = performance.now();
  let out;
  try {
    out = await runCase(tc, verifier);
  } catch (e) {
    // Bad input (a certificate that does not parse) is a diagnosis: the CLI exits 2 with "Cannot parse …",
    // and the chain is rejected. Anything else is a crash of the analysis.
    if (e instanceof MtlsDoctorError && (e.code === 'E_INPUT' || e.code === 'E_USAGE')) {
      out = { actual: 'FAILURE', rules: [`input:${e.code}`], ruleErrors: [], inputError: e.message };
    } else {
      out = { actual: 'CRASH', rules: [], ruleErrors: [], crash: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
    }
  }
  return { ms: performance.now() - started, ...out };
}
