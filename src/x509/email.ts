/** RFC 822 mailbox identities (a TLS client identified by an email SAN): recognising and matching them. */

/** An RFC 822 mailbox as an expected identity: `local@domain`, no URI scheme. */
export function isEmailIdentity(id: string): boolean {
  return !/^[a-z][a-z0-9+.-]*:/i.test(id) && /^[^@\s]+@[^@\s]+$/.test(id);
}

/** RFC 5280 §4.2.1.6 / RFC 5321 §2.4: the local part is compared exactly (case-sensitive), the domain without case. */
export function emailMatches(expected: string, san: string): boolean {
  const at = expected.lastIndexOf('@');
  const sat = san.lastIndexOf('@');
  if (at <= 0 || sat <= 0) return false;
  return expected.slice(0, at) === san.slice(0, sat) && expected.slice(at + 1).toLowerCase() === san.slice(sat + 1).toLowerCase();
}
