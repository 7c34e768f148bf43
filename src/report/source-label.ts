/**
 * How a source reads, the one place a label is rendered from the typed Source (src/model/source.ts):
 * `chain.pem #2`, `envoy secret "ROOTCA" trust domain td`, `peer 10.0.0.7:8443`, `ConfigMap ns/name key`.
 * The pipeline (src/diagnose) hands it to the layers that name sources in evidence bundles (`source`) and in
 * findings (facts, collectors, the connection judgement); they import no label of their own. Nothing parses a
 * label back.
 */
import type { Source, SourceLabel } from '../model/source.js';

export const sourceLabel: SourceLabel = (s: Source): string => {
  const base =
    s.kind === 'file'
      ? s.path
      : s.kind === 'envoy-secret'
        ? `envoy secret "${s.name}"${s.trustDomain ? ` trust domain ${s.trustDomain}` : ''}${s.file ? ` in ${s.file}` : ''}${s.pod ? ` of pod/${s.pod.name}` : ''}`
        : s.kind === 'envoy-certs'
          ? 'envoy /certs'
          : s.kind === 'peer'
            ? `peer ${s.address}`
            : s.kind === 'inline'
              ? s.name
              : s.kind === 'kube'
                ? `${s.resource === 'configmap' ? 'ConfigMap' : 'Secret'} ${s.namespace}/${s.name} ${s.key}`
                : 'pasted text';
  return s.kind !== 'pasted' && s.index !== undefined ? `${base} #${s.index}` : base;
};
