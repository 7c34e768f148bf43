/**
 * The registry of simulated certificates (src/x509/simulate.ts, the rotation drill): leaves made without their
 * CA's key, whose signature the chain builder assumes valid when the issuer's names and key ids match. Kept apart
 * from the generator so that the signature check does not load the certificate library.
 */
const assumed = new Set<string>();

/** Registers a simulated certificate by its SHA-256 fingerprint (lowercase hex). */
export function assumeSignature(fingerprint: string): void {
  assumed.add(fingerprint);
}

/** Is this certificate (by SHA-256 fingerprint, lowercase hex) a simulated one? */
export function isSimulated(fingerprint: string): boolean {
  return assumed.has(fingerprint);
}

/** True when any simulated certificate exists (the signature check looks only then). */
export function anySimulated(): boolean {
  return assumed.size > 0;
}

/** Forgets every simulated certificate (the drill is over). */
export function forgetSimulated(): void {
  assumed.clear();
}
