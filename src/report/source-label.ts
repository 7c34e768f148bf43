/** How a typed Source reads in evidence lines and reports: the one place a label is rendered. */
import type { Source } from '../model/source.js';

/** `chain.pem #2`, `envoy secret "ROOTCA" trust domain td`, `peer 10.0.0.7:8443` */
export function sourceLabel(s: Source): string {
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
}
