/**
 * Certificates and a key as evidence records: the pieces every part of the evidence model holds (types.ts,
 * proxy.ts, cluster.ts), in a file of their own so that those parts do not import each other.
 */
import type { Source } from '../model/source.js';

export interface CertSet {
  /** Where the certificates came from, as a label: a file path, `envoy secret "default"`, … */
  source: string;
  /** The same as data (absent in bundles saved before it existed: then `source` is taken as a file path). */
  origin?: Source;
  pems: string[];
}

export interface KeyEvidence {
  source: string;
  /** Where the key file is (for commands such as `openssl pkey -in FILE`); absent: `source` is its path. */
  origin?: Source;
  /** Key algorithm, e.g. `ec`, `rsa`, `ed25519`. */
  type: string;
  /** SHA-256 of the public key's SubjectPublicKeyInfo DER: enough to match the certificate, nothing secret. */
  spkiSha256: string;
}
