/**
 * RFC 5280 §6.3.3 (a)(2): a CRL is used only until its nextUpdate. OpenSSL and BoringSSL (Envoy, with a
 * validation-context CRL) fail verification with "CRL has expired" / "CRL is not yet valid" for every
 * certificate the CRL's issuer signed, revoked or not.
 */
import { defineRule } from '../../src/engine/define-rule.js';
import { crlFileArg, describe, duration, iso } from '../_kit/index.js';

const crlArgs = (crl: Parameters<typeof crlFileArg>[0]) => {
  const f = crlFileArg(crl);
  return { fetch: f.fetch, crlFile: f.file };
};
import { revocationChecks } from '../../src/x509/revocation.js';

export default defineRule({
  meta: {
    id: 'chain/crl-expired',
    stage: 'chain',
    severity: 'error',
    title: 'CRL is out of date',
    description: 'The CRL a verifier uses for an issuer on the path is past its nextUpdate (or not yet valid).',
    requires: ['chain', 'crl'],
    confidence: 0.9,
    citation: 'RFC 5280 §5.1.2.5, §6.3.3; OpenSSL X509_V_ERR_CRL_HAS_EXPIRED',
    explains: [
      { symptom: 'verify:crl-expired', weight: 0.95, why: 'Past its nextUpdate, a CRL fails verification of every certificate its issuer signed, revoked or not.' },
    ],
    hint: {
      confirm: 'the CRL\'s Next Update is in the past (or Last Update in the future)',
      next: 'openssl crl -in crl.pem -noout -lastupdate -nextupdate',
      fix: 'Publish a fresh CRL and reload it into the verifier (Envoy validation_context.crl).',
    },
    messages: {
      expired:
        'The CRL {crl} for {issuer} expired {ago} ago (nextUpdate {nextUpdate}). A verifier that checks it rejects every certificate {issuer} issued, {cert} included, with "CRL has expired" — nothing was revoked, the CRL was simply not re-published. With Istio\'s plug-in CA the ca-crl.pem in the cacerts Secret must be refreshed before nextUpdate.',
      notYetValid:
        'The CRL {crl} for {issuer} is not valid until {thisUpdate} ({ago} from now). A verifier that checks it rejects every certificate {issuer} issued, {cert} included, with "CRL is not yet valid": the CRL was dated ahead, or this clock is behind.',
    },
    remediation: [
      'Publish a fresh CRL signed by {issuer} (openssl ca -gencrl -crldays 7 …) and update ca-crl.pem in the cacerts Secret; istiod distributes it to the sidecars',
      'Automate it: re-publish the CRL well before nextUpdate (e.g. daily with a week of validity)',
    ],
    verify: '{fetch}openssl crl -in {crlFile} -noout -lastupdate -nextupdate',
  },
  check(ctx) {
    const seen = new Set<string>();
    for (const chain of ctx.facts.chains) {
      for (const c of revocationChecks(chain.path, ctx.facts.crls, ctx.now)) {
        if (!c.crl || c.time === 'current' || c.time === null) continue;
        // One finding per CRL and chain: the whole CA's certificates fail, not just this one.
        const key = `${chain.subject}|${c.crl.fingerprint}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const expired = c.time === 'expired';
        ctx.report({
          messageId: expired ? 'expired' : 'notYetValid',
          subject: chain.subject,
          about: c.cert.fingerprint,
          data: {
            crl: c.crl.source,
            issuer: `"${c.issuer.name}"`,
            cert: describe(c.cert),
            ago: duration(expired ? ctx.now - c.crl.nextUpdate! : c.crl.thisUpdate - ctx.now),
            nextUpdate: c.crl.nextUpdate === null ? 'none' : iso(c.crl.nextUpdate),
            thisUpdate: iso(c.crl.thisUpdate),
            ...crlArgs(c.crl),
          },
          evidence: [
            { source: c.crl.source, detail: `issuer "${c.crl.issuer}", thisUpdate ${iso(c.crl.thisUpdate)}, nextUpdate ${c.crl.nextUpdate === null ? 'none' : iso(c.crl.nextUpdate)}, evaluated at ${iso(ctx.now)}` },
          ],
        });
      }
    }
  },
});
