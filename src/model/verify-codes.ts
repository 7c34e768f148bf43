/** OpenSSL's X.509 verify codes and the symptom (pasted signal) each one means; read by `explain` and the probe. */
import type { SignalId } from './symptom.js';

export interface VerifyCode {
  num: number;
  name: string;
  /** X509_verify_cert_error_string() texts (OpenSSL 1.1 and 3 spellings). */
  texts: string[];
  signal: SignalId;
}

export const VERIFY_CODES: readonly VerifyCode[] = [
  { num: 3, name: 'UNABLE_TO_GET_CRL', texts: ['unable to get certificate CRL'], signal: 'verify:crl-unusable' },
  { num: 8, name: 'CRL_SIGNATURE_FAILURE', texts: ['CRL signature failure'], signal: 'verify:crl-unusable' },
  { num: 12, name: 'CRL_HAS_EXPIRED', texts: ['CRL has expired'], signal: 'verify:crl-expired' },
  { num: 11, name: 'CRL_NOT_YET_VALID', texts: ['CRL is not yet valid'], signal: 'verify:crl-expired' },
  { num: 22, name: 'CERT_CHAIN_TOO_LONG', texts: ['certificate chain too long'], signal: 'verify:chain-too-long' },
  { num: 23, name: 'CERT_REVOKED', texts: ['certificate revoked'], signal: 'verify:revoked' },
  { num: 2, name: 'UNABLE_TO_GET_ISSUER_CERT', texts: ['unable to get issuer certificate'], signal: 'verify:unknown-issuer' },
  { num: 4, name: 'UNABLE_TO_DECRYPT_CERT_SIGNATURE', texts: ["unable to decrypt certificate's signature"], signal: 'verify:bad-signature' },
  { num: 7, name: 'CERT_SIGNATURE_FAILURE', texts: ['certificate signature failure'], signal: 'verify:bad-signature' },
  { num: 9, name: 'CERT_NOT_YET_VALID', texts: ['certificate is not yet valid'], signal: 'verify:not-yet-valid' },
  { num: 10, name: 'CERT_HAS_EXPIRED', texts: ['certificate has expired'], signal: 'verify:expired' },
  { num: 18, name: 'DEPTH_ZERO_SELF_SIGNED_CERT', texts: ['self signed certificate', 'self-signed certificate'], signal: 'verify:self-signed-leaf' },
  { num: 19, name: 'SELF_SIGNED_CERT_IN_CHAIN', texts: ['self signed certificate in certificate chain', 'self-signed certificate in certificate chain'], signal: 'verify:self-signed-in-chain' },
  { num: 20, name: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', texts: ['unable to get local issuer certificate'], signal: 'verify:unknown-issuer' },
  { num: 21, name: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', texts: ['unable to verify the first certificate'], signal: 'verify:incomplete-chain' },
  { num: 24, name: 'INVALID_CA', texts: ['invalid CA certificate'], signal: 'verify:invalid-ca' },
  { num: 25, name: 'PATH_LENGTH_EXCEEDED', texts: ['path length constraint exceeded'], signal: 'verify:path-length' },
  { num: 26, name: 'INVALID_PURPOSE', texts: ['unsupported certificate purpose'], signal: 'verify:invalid-purpose' },
  { num: 27, name: 'CERT_UNTRUSTED', texts: ['certificate not trusted'], signal: 'verify:unknown-issuer' },
  { num: 28, name: 'CERT_REJECTED', texts: ['certificate rejected'], signal: 'verify:failed' },
  { num: 34, name: 'UNHANDLED_CRITICAL_EXTENSION', texts: ['unhandled critical extension'], signal: 'verify:critical-extension' },
  { num: 47, name: 'PERMITTED_VIOLATION', texts: ['permitted subtree violation'], signal: 'verify:name-constraints' },
  { num: 48, name: 'EXCLUDED_VIOLATION', texts: ['excluded subtree violation'], signal: 'verify:name-constraints' },
  { num: 32, name: 'KEYUSAGE_NO_CERTSIGN', texts: ['key usage does not include certificate signing'], signal: 'verify:no-cert-sign' },
  { num: 62, name: 'HOSTNAME_MISMATCH', texts: ['hostname mismatch'], signal: 'verify:san' },
  { num: 64, name: 'IP_ADDRESS_MISMATCH', texts: ['IP address mismatch'], signal: 'verify:san' },
  { num: 66, name: 'EE_KEY_TOO_SMALL', texts: ['EE certificate key too weak'], signal: 'verify:weak' },
  { num: 67, name: 'CA_KEY_TOO_SMALL', texts: ['CA certificate key too weak'], signal: 'verify:weak' },
  { num: 68, name: 'CA_MD_TOO_WEAK', texts: ['CA signature digest algorithm too weak'], signal: 'verify:weak' },
];

export const verifyByNum = (n: number) => VERIFY_CODES.find((v) => v.num === n);
export const verifyByName = (s: string) => VERIFY_CODES.find((v) => v.name === s.toUpperCase().replace(/^X509_V_ERR_/, ''));

/** The signal of an OpenSSL verify code name (`CERT_HAS_EXPIRED`, `X509_V_ERR_…`), or undefined. */
export const verifySignal = (name: string): SignalId | undefined => verifyByName(name)?.signal;
