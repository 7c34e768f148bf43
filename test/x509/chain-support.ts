/** Helpers for chain-building tests: re-issuing a CA with the same key (cross-signs, twins). */
import { issue, type Issued, type IssueSpec } from '../../src/x509/issue.js';
export { DAY, intermediate, leaf, NOW, root, t, type Issued } from '../support/pki.js';

/** The same subject and key as `ca`, issued by `issuer` (a cross-sign or a re-issue), with overrides. */
export function issueSameKey(ca: Issued, issuer: Issued, o: Partial<IssueSpec>): Promise<Issued> {
  return issue({ subject: ca.subject, notBefore: ca.cert.notBefore, notAfter: ca.cert.notAfter, ca: true, issuer, keys: ca.keys, keyAlg: ca.keyAlg, ...o });
}
