/**
 * The rotation drill's simulated leaves (src/x509/issue.ts simulateLeaf): made without the CA's key, their signature
 * is assumed valid while the drill that made them runs, and only theirs are forgotten when it ends.
 */
import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { simulateLeaf } from '../../src/x509/issue.js';
import { forgetSimulated, verifySignature } from '../../src/x509/certificate.js';
import { NOW, intermediate, leaf, root, spiffe } from '../support/pki.js';

// Fresh node:crypto objects each time: verifySignature remembers results per certificate object.
const checks = (pem: string, issuer: string) => verifySignature(new X509Certificate(pem), new X509Certificate(issuer));

describe('simulated leaves', () => {
  it('are assumed signed by the new CA until their own drill forgets them; another drill keeps its own', async () => {
    const oldInter = await intermediate(await root('Mesh Root CA 2025'), 'Mesh Intermediate CA 2025');
    const newInter = await intermediate(await root('Mesh Root CA 2026'), 'Mesh Intermediate CA 2026');
    const current = await leaf(oldInter, { uris: [spiffe('shop', 'web')] });
    const mine = await simulateLeaf(current.pem, newInter.pem, NOW, 1);
    const theirs = await simulateLeaf(current.pem, newInter.pem, NOW, 2);
    expect(checks(mine.pem, newInter.pem)).toBe(true);
    expect(checks(theirs.pem, newInter.pem)).toBe(true);
    // Never assumed under a CA whose names do not match.
    expect(checks(mine.pem, oldInter.pem)).toBe(false);
    forgetSimulated([mine.fingerprint]);
    expect(checks(mine.pem, newInter.pem)).toBe(false);
    expect(checks(theirs.pem, newInter.pem)).toBe(true);
    forgetSimulated([theirs.fingerprint]);
    expect(checks(theirs.pem, newInter.pem)).toBe(false);
  });
});
