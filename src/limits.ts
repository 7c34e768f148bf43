/**
 * Every input limit in one table. They are enforced at the edge — files, evidence bundles, Envoy admin
 * answers, pasted text and library arguments alike — before anything is parsed further, each with one clear
 * line (exit 2) that names the limit. Together they bound memory and time: the fuzz runner (`npm run fuzz`)
 * feeds the largest inputs they admit and reports the peak RSS (DESIGN: bad input gets one clear line, never a
 * hang).
 *
 * Real sizes for scale: Mozilla's whole root store is ~150 certificates (200 kB); an Istio workload holds a
 * chain of 2–4 and a root or two; a big mesh's `/config_dump?resource=dynamic_active_secrets` is a few hundred kB.
 *
 * This module imports nothing, so that every layer (src/x509 included) can read it.
 */
export const LIMITS = {
  /** One certificate, CRL or key input: a file, or one library string/buffer. */
  fileBytes: 4 * 1024 * 1024,
  /** A saved evidence bundle (`--evidence FILE`). */
  bundleBytes: 16 * 1024 * 1024,
  /**
   * One answer of the Envoy admin API or the pilot-agent. `?resource=dynamic_active_secrets` is a few hundred
   * kB even in a big mesh; only the full-dump fallback (old Envoy) can be larger, and it is then not read.
   */
  adminBodyBytes: 8 * 1024 * 1024,
  /** Pasted error text (`explain`, `--symptom`). */
  textBytes: 1024 * 1024,
  /** `--thresholds FILE`. */
  thresholdsBytes: 64 * 1024,
  /** Certificates in one source: one file, one library input, one Envoy secret, one set of a bundle. */
  certificatesPerSource: 1000,
  /** Certificates in one diagnosis, every source together (chain, bundles, CA files, Envoy secrets, peers). */
  certificatesTotal: 2000,
  /** CRLs in one file. */
  crlsPerSource: 500,
  /** CRLs in one diagnosis. */
  crlsTotal: 1000,
  /** Entries (revoked serials) of one CRL. */
  crlEntries: 100_000,
  /** Inputs in one library list (`trust: [...]`, `ca: [...]`): each holds at least one certificate. */
  inputsPerList: 1000,
  /** Nesting of JSON read from outside (bundles, admin answers): real ones nest under 20 deep. */
  jsonDepth: 64,
  /** Envoy secrets, `/certs` contexts or stats kept from one admin answer. */
  adminItems: 10_000,
  /** Distinct served certificates (by serial) kept from `/certs`: a proxy serves a handful. */
  servedCertificates: 500,
  /** Total time for every Envoy admin and pilot-agent request of one collection (the window sleep excluded). */
  collectBudgetMs: 8000,
  /** One admin or agent request. */
  requestTimeoutMs: 5000,
  /**
   * One deadline for a whole diagnosis of a local proxy, files and a peer (src/model/deadline.ts): the Envoy admin
   * endpoints, the pilot-agent and the probe each wait at most min(their own cap, the time left), at once where
   * they do not need each other's answers.
   */
  diagnoseBudgetMs: 8000,
  /**
   * The same for a cluster target (`diagnose pod/NAME`, `svc/NAME`): the Kubernetes API, port-forward and exec
   * streams, the sidecars read through them (the target's and, for a connection, every server pod's) and the probe.
   */
  clusterDiagnoseBudgetMs: 30_000,
  /** Reading a pipe or device given as a file (`--chain <(…)`, `/dev/stdin`) waits at most this long for data. */
  pipeReadTimeoutMs: 10_000,
} as const;

export type LimitName = keyof typeof LIMITS;

/** Bytes as a person reads them: `4.0 MiB`, `64.0 KiB`, `12 B`. */
export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} B`;
}

/**
 * The deepest nesting of objects and arrays in JSON text, found without parsing it (strings skipped), so that a
 * hostile `[[[[…]]]]` is refused before JSON.parse and before any recursive walk. Stops counting past `max`.
 */
export function jsonNestingDepth(text: string, max: number = LIMITS.jsonDepth): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > max) return deepest;
      }
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return deepest;
}

/**
 * Counts certificates across the sources of one diagnosis and refuses, with one clear line, the first source
 * that would take the total over `LIMITS.certificatesTotal`. `add` returns nothing; it throws `tooMany()`.
 */
export class CertificateBudget {
  private used = 0;
  constructor(
    private readonly tooMany: (message: string) => Error,
    readonly max: number = LIMITS.certificatesTotal,
    private readonly noun = 'certificates',
  ) {}
  get count(): number {
    return this.used;
  }
  add(n: number, label: string): void {
    this.used += n;
    if (this.used > this.max) {
      throw this.tooMany(`Cannot read ${label}: it takes the diagnosis over ${this.max} ${this.noun} in total (the limit for one diagnosis); give only the bundles the verifier uses`);
    }
  }
}
