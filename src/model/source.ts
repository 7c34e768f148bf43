/**
 * Where a piece of evidence came from, as data. Collectors set it; verify commands and labels are rendered from
 * it at the edge (rules/_kit/commands.ts; labels: src/report/source-label.ts), and nothing parses a label back.
 *
 * `index` is the 1-based position of a certificate among those of its source (the Nth certificate of a chain
 * file or of an Envoy secret); absent for the source as a whole.
 */
export type Source =
  /** A file the user named (`--chain`, `--trust`, …) or one read from the proxy's filesystem. */
  | { kind: 'file'; path: string; index?: number }
  /**
   * An SDS secret from Envoy's config_dump (`default`, `ROOTCA`), optionally one trust domain's bundle of it;
   * `file`: read from a saved istioctl `proxy-config secret -o json` / config_dump file rather than a live proxy;
   * `pod`: the pod whose sidecar served it (cluster mode: a peer pod read through its Envoy admin).
   */
  | { kind: 'envoy-secret'; name: string; trustDomain?: string; file?: string; index?: number; pod?: { namespace: string; name: string } }
  /** Envoy admin `/certs`. */
  | { kind: 'envoy-certs'; index?: number }
  /** What a peer presented in a probe handshake (`HOST:PORT`). */
  | { kind: 'peer'; address: string; index?: number }
  /** Contents given without a path (the library's `chain: pem`), named by the option that carried them. */
  | { kind: 'inline'; name: string; index?: number }
  /** A key of a ConfigMap or Secret read through the Kubernetes API (cluster mode): `istio-ca-root-cert`, `cacerts`. */
  | { kind: 'kube'; resource: 'configmap' | 'secret'; namespace: string; name: string; key: string; index?: number }
  /** Pasted error text (`explain`, `--symptom`). */
  | { kind: 'pasted' };

export type SourceKind = Source['kind'];

/** The same source, narrowed to its Nth certificate. */
export function atIndex(source: Source, index: number): Source {
  return source.kind === 'pasted' ? source : { ...source, index };
}

/** The same source as a whole (without a certificate position). */
export function whole(source: Source): Source {
  if (source.kind === 'pasted' || source.index === undefined) return source;
  const { index: _index, ...rest } = source;
  return rest as Source;
}

/**
 * How a source reads in evidence lines and reports (`chain.pem #2`, `envoy secret "ROOTCA" trust domain td`,
 * `peer 10.0.0.7:8443`). Only src/report renders it (src/report/source-label.ts `sourceLabel`); the pipeline hands
 * that function to the layers below that must name a source (facts, collectors, the connection judgement), so
 * none of them imports the report or spells a label of its own. Nothing parses a label back.
 */
export type SourceLabel = (s: Source) => string;
