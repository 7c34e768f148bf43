/**
 * The evidence model: everything a diagnosis saw, as plain JSON. A bundle saved with `--save-evidence`
 * replays to the identical report with `--evidence`. Private keys are never part of it: a key given with
 * `--key` is reduced, at collection time, to the public facts needed to match it to the certificate.
 */
import type { Thresholds } from '../model/thresholds.js';
import type { VerifierId } from '../x509/verifiers.js';
import type { ProxyEvidence } from './proxy.js';
import type { HandshakeEvidence } from './handshake.js';
import type { ClusterEvidence } from './cluster.js';
import type { ConnectionEvidence } from '../model/workload.js';
import type { CertSet, KeyEvidence } from './cert-set.js';

export const EVIDENCE_KIND = 'mtls-doctor-evidence';
export const EVIDENCE_VERSION = 1;

export type Role = 'client' | 'server' | 'both';

export type { CertSet, KeyEvidence } from './cert-set.js';

export interface SourceRecord {
  name: string;
  status: 'ok' | 'unavailable' | 'skipped';
  reason?: string;
  detail?: string;
  /** A peer probe: the peer's TLS stack and what told it ("GnuTLS, told from …"). */
  peerStack?: string;
  /**
   * It gave no complete answer within its cap or the diagnosis's deadline (src/model/deadline.ts). The verdict is
   * then never `healthy`.
   */
  timedOut?: true;
  /** With `timedOut`: what was not judged because of it. */
  notJudged?: string;
}

export interface Target {
  kind: 'files' | 'library' | 'example' | 'evidence' | 'pasted' | 'pod' | 'peer' | 'service';
  [k: string]: unknown;
}

export interface DiagnosisOptions {
  role: Role;
  /** The identity our certificate must carry: the first of `expectIds` (kept for bundles and bots). */
  expectId: string | null;
  /** Every identity given (`--expect-id` repeated): any one of them is enough, as a DestinationRule's subjectAltNames. */
  expectIds?: string[];
  peerId: string | null;
  thresholds: Thresholds;
  /**
   * The verifier's depth limit (`--max-depth`): at most this many intermediate CAs between the leaf and the
   * trust anchor, as OpenSSL's -verify_depth counts them. Absent or null: no limit given.
   */
  maxChainDepth?: number | null;
  /**
   * Whose verifier judges the chain (`--verifier`): envoy (BoringSSL, the default), ztunnel (rustls-webpki), go
   * (crypto/x509) or strict (RFC 5280 + CA/B Forum). Absent: envoy. See src/x509/verifiers.ts.
   */
  verifier?: VerifierId;
}

export interface EvidenceBundle {
  kind: typeof EVIDENCE_KIND;
  version: typeof EVIDENCE_VERSION;
  /** When the evidence was collected (ISO 8601). */
  collectedAt: string;
  /** The time the diagnosis evaluates at (ISO 8601): `--at`, or the collection time. */
  evaluatedAt: string;
  target: Target;
  options: DiagnosisOptions;
  sources: SourceRecord[];
  certificates: {
    chain: CertSet | null;
    trust: CertSet[];
    /** Null: the peer verifies with the same bundle as ours (`--trust`). */
    peerTrust: CertSet[] | null;
    ca: CertSet[];
  };
  key: KeyEvidence | null;
  /** The error text the user saw, when given (`--symptom`, `explain`). */
  symptomText: string | null;
  /** What the istio-proxy showed: Envoy admin secrets, `/certs`, stats samples, pilot-agent, mounted files. */
  proxy?: ProxyEvidence;
  /** Real test handshakes with the peer (`--peer`): how each ended and what the peer presented. */
  handshakes?: HandshakeEvidence[];
  /** Certificate revocation lists the verifier checks with (`--crl`, Istio's ca-crl.pem): PEM "X509 CRL" blocks. */
  crls?: CertSet[];
  /** What the Kubernetes API showed (cluster mode): the pod, mesh config, root ConfigMap, policies, the peer's pods. */
  cluster?: ClusterEvidence;
  /**
   * Workload classes and the connections between them (`diagnose pod/A --peer SVC:PORT`, `diagnose svc/B`,
   * `--trust` with `--peer-trust`): judged both ways by src/connection/judge.ts, offline on replay.
   */
  connections?: ConnectionEvidence;
}
