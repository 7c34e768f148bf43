/**
 * THE table of the explainer: what each recognised signal means, and which rules would explain it, weighted.
 * `explain` ranks its likely causes from it and the `--symptom` deriver marks findings from it, so the two
 * cannot disagree. Pure data; the recognisers (recognisers.ts) only decide which signal a fragment shows.
 *
 * Sources for the weights: ../shared/reference/failure-cases.md (§2 incidents, §3 dictionary: Envoy picks
 * the alert it sends with SSL_alert_from_verify_result — expired/not-yet-valid → 45; unknown issuer,
 * invalid CA, self-signed in chain → 48; INVALID_PURPOSE → 43; bad signature → 51; default and SAN matcher
 * → 46; Go and rustls send 42 for most verify failures) and envoy-istio-formats.md §6 (mode mismatches).
 */

/** Who refused whom, from the point of view of the side that printed the error ("we"). */
export type Rejection =
  | 'peer-rejected-ours' // the peer refused our certificate or handshake (an alert we received)
  | 'we-rejected-peers' // we refused the peer's certificate (local verification failed, or we sent the alert)
  | 'no-tls' // one side did not speak TLS at all (plaintext on one end)
  | 'no-connection' // no TCP connection: refused, unresolvable, timed out
  | 'local-setup' // our own credentials were never usable (not delivered, key does not match)
  | 'unknown'; // closed or reset without saying why

/** Where in the connection it broke. */
export type Step =
  | 'tcp-connect'
  | 'tls-negotiation' // first bytes, version, cipher, ALPN
  | 'certificate-verification'
  | 'client-certificate' // the server demanded a client certificate
  | 'after-handshake' // TLS 1.3: the server rejects the client certificate after the client thinks it is done
  | 'credential-loading'
  | 'unknown';

/** A rule that would explain a signal, with how strongly (0..1) and why, in one sentence. */
export interface CauseRef {
  rule: string;
  weight: number;
  why: string;
}

export interface SignalSpec {
  /** One sentence: what the text says happened. */
  summary: string;
  rejection: Rejection;
  step: Step;
  /**
   * The text states the failed check itself (a verifier's own reason, "Secret is not supplied by SDS"), not
   * merely a symptom: the failure and its kind are certain; only which certificate, or whose clock, is open.
   */
  certain?: boolean;
  causes: CauseRef[];
}

const EXPIRED_WHY = 'the verifier found a certificate in the chain past its Not After';

/** Signal id → meaning and causes, most likely first. */
export const SIGNALS = {
  // ── The verifier's own reason (we rejected the peer's certificate) ───────────────────────────────
  'verify:expired-leaf': {
    summary: 'The verifier rejected the leaf (depth 0) certificate as expired.',
    rejection: 'we-rejected-peers',
    step: 'certificate-verification',
    certain: true,
    causes: [
      { rule: 'expiry/leaf-expired', weight: 0.95, why: 'Depth 0 is the workload (leaf) certificate: it is past its Not After.' },
      { rule: 'expiry/served-cert-stale', weight: 0.5, why: 'A renewed certificate may exist while the proxy still serves the old one (SDS push or hot restart missed).' },
      { rule: 'transport/sds-not-delivered', weight: 0.3, why: 'Rotation failed because the agent could not get a new certificate from the CA (expired token, CA unreachable).' },
    ],
  },
  'verify:expired-ca': {
    summary: 'The verifier rejected the CA certificate at depth 1 (normally the issuing intermediate) as expired.',
    rejection: 'we-rejected-peers',
    step: 'certificate-verification',
    certain: true,
    causes: [
      { rule: 'expiry/intermediate-expired', weight: 0.9, why: 'Depth 1 and up are CA certificates; in an Istio chain depth 1 is usually the issuing intermediate (plugged-in CA, Vault, istio-csr).' },
      { rule: 'expiry/root-expired', weight: 0.55, why: 'If the chain is leaf → root with no intermediate, depth 1 is the root (self-signed Citadel roots live one year: istio#14516).' },
      { rule: 'expiry/outlives-issuer', weight: 0.45, why: 'Leaves issued to outlive their issuer were never renewed before the issuer expired (istio#18990, linkerd2#3880).' },
      { rule: 'chain/trust-bundle-duplicate-subject', weight: 0.35, why: 'A renewed CA exists, but the bundle also holds the expired one with the same subject and BoringSSL picked it (envoy#38302).' },
    ],
  },
  'verify:expired-upper': {
    summary: 'The verifier rejected a CA certificate high in the chain (depth ≥ 2) as expired.',
    rejection: 'we-rejected-peers',
    step: 'certificate-verification',
    certain: true,
    causes: [
      { rule: 'expiry/root-expired', weight: 0.85, why: 'Depth 2 is the root in a leaf → intermediate → root chain (or an expired cross-signed root the verifier chose: envoy#18510).' },
      { rule: 'expiry/intermediate-expired', weight: 0.6, why: 'With two intermediates, depth 2 is the upper intermediate.' },
      { rule: 'chain/trust-bundle-duplicate-subject', weight: 0.45, why: 'The bundle holds an expired and a valid CA with one subject and the verifier chose the expired one (envoy#18510, #38302).' },
      { rule: 'expiry/outlives-issuer', weight: 0.35, why: 'Certificates below it were issued to outlive it.' },
    ],
  },
  'verify:expired': {
    summary: 'The verifier rejected a certificate in the chain as expired (depth not given).',
    rejection: 'we-rejected-peers',
    step: 'certificate-verification',
    certain: true,
    causes: [
      { rule: 'expiry/leaf-expired', weight: 0.8, why: `Most often the workload leaf: ${EXPIRED_WHY}.` },
      { rule: 'expiry/intermediate-expired', weight: 0.7, why: 'An expired intermediate CA fails every chain it issued, while the leaves themselves still look valid.' },
      { rule: 'expiry/root-expired', weight: 0.5, why: 'An expired root (or an expired cross-signed root the verifier chose) fails the whole mesh.' },
      { rule: 'expiry/served-cert-stale', weight: 0.45, why: 'The proxy may still serve an old certificate although a renewed one exists.' },
      { rule: 'expiry/outlives-issuer', weight: 0.35, why: 'Leaves that outlive their issuer are not renewed before the issuer expires.' },
      { rule: 'expiry/not-yet-valid', weight: 0.2, why: 'A verifier whose clock runs ahead also reports a valid certificate as expired: compare its clock.' },
    ],
  },
  'verify:not-yet-valid': {
    summary: 'The verifier rejected a certificate whose Not Before is still in the future.',
    rejection: 'we-rejected-peers',
    step: 'certificate-verification',
    certain: true,
    causes: [
      { rule: 'expiry/not-yet-valid', weight: 0.95, why: 'Not Before is after the verifier\'s clock: clock skew between nodes (NTP), or a certificate issued with a future start.' },
    ],
  },
  'verify:unknown-issuer': {
    summary: 'The verifier could not chain the certificate to a root it trusts.',
    rejection: 'we-rejected-peers',
    step: 'certificate-verification',
    certain: true,
    causes: [
      { rule: 'chain/unknown-authority', weight: 0.9, why: 'The chain leads to a root the verifier\'s trust bundle does not hold (different root per cluster, reinstall with a new root).' },
      { rule: 'chain/rotation-order-violation', weight: 0.65, why: 'Mid CA rotation: the new CA issues before its root reached every workload\'s trust bundle.' },
      { rule: 'chain/incomplete-chain', weight: 0.55, why: 'The presented chain lacks the intermediate that links the leaf to the trusted root.' },
    ],
  },
  'verify:incomplete-chain': {
    summary: 'The verifier could not find the issuer of the first certificate: the chain stops at the leaf.',
    rejection: 'we-rejected-peers',
    step: 'certificate-verification',
    certain: true,
    causes: [
      { rule: 'chain/incomplete-chain', weight: 0.85, why: '"Unable to verify the first certificate": the presented chain is the leaf alone, without its intermediate.' },
      { rule: 'chain/unknown-authority', weight: 0.7, why: 'Or the leaf\'s issuer is simply not under any root the verifier trusts.' },
    ],
  },
  'verify:same-name-other-key': {
    summary: 'A CA with the expected name was found, but its key did not verify the certificate: a different CA with the same name.',
    rejection: 'we-rejected-peers',
    step: 'certificate-verification',
    certain: true,
    causes: [
      { rule: 'chain/unknown-authority', weight: 0.85, why: 'The verifier trusts an old or other root with the same subject (reinstall, re-generated self-signed CA: istio#36723).' },
      { rule: 'chain/rotation-order-violation', weight: 0.65, why: 'Mid rotation: the new CA (same name, new key) issues before every trust bundle holds its root.' },
      { rule: 'chain/bad-signature', weight: 0.55, why: 'The chain itself links a certificate to an issuer whose key did not sign it.' },
      { rule: 'chain/trust-bundle-duplicate-subject', weight: 0.5, why: 'The trust bundle holds two CAs with this name and different keys; the verifier tried the wrong one.' },
    ],
  },
  'verify:self-signed-in-chain': {
    summary: 'The chain ends at a self-signed root the verifier does not trust.',
    rejection: 'we-rejected-peers',
    step: 'certificate-verification',
    certain: true,
    causes: [
      { rule: 'chain/unknown-authority', weight: 0.9, why: 'The presented root is not in the verifier\'s trust bundle: another cluster\'s root, or a new root after reinstall.' },
      { rule: 'chain/rotation-order-violation', weight: 0.6, why: 'A new root is in use before every peer trusts it.' },
      { rule: 'chain/incomplete-chain', weight: 0.3, why: 'An intermediate was published as the trust anchor and the real root is missing (istio-csr#155).' },
    ],
  },
  'verify:self-signed-leaf': {
    summary: 'The peer presented a single self-signed certificate that the verifier does not trust.',
    rejection: 'we-rejected-peers',
    step: 'certificate-verification',
    certain: true,
    causes: [
      { rule: 'chain/unknown-authority', weight: 0.85, why: 'The certificate is its own issuer and is not in the trust bundle: not a mesh certificate (an app\'s own TLS, a default proxy certificate).' },
      { rule: 'chain/incomplete-chain', weight: 0.25, why: 'Or a CA certificate was served in place of the workload chain.' },
    ],
  },
  'verify:bad-signature': {
    summary: 'A certificate signature in the chain did not verify.',
    rejection: 'we-rejected-peers',
    step: 'certificate-verification',
    certain: true,
    causes: [
      { rule: 'chain/bad-signature', weight: 0.9, why: 'The issuer named in the certificate did not sign it with the key the verifier has (a re-generated CA with the same name).' },
      { rule: 'chain/unknown-authority', weight: 0.55, why: 'The verifier\'s bundle holds a different CA that shares the issuer\'s name.' },
      { rule: 'chain/rotation-order-violation', weight: 0.4, why: 'Mid rotation, old and new CAs with one name coexist.' },
    ],
  },
  'verify:invalid-ca': {
    summary: 'A certificate used as an issuer is not allowed to be a CA.',
    rejection: 'we-rejected-peers',
    step: 'certificate-verification',
    certain: true,
    causes: [
      { rule: 'chain/issuer-not-ca', weight: 0.9, why: 'The issuer lacks basicConstraints CA:TRUE: an end-entity certificate was plugged in as the CA (istio#16337).' },
      { rule: 'key-usage/ca-missing-cert-sign', weight: 0.6, why: 'Or its keyUsage lacks keyCertSign.' },
    ],
  },
  'verify:no-cert-sign': {
    summary: 'An issuer\'s key usage does not allow signing certificates.',
    rejection: 'we-rejected-peers',
    step: 'certificate-verification',
    certain: true,
    causes: [
      { rule: 'key-usage/ca-missing-cert-sign', weight: 0.9, why: 'The CA certificate\'s keyUsage lacks keyCertSign.' },
      { rule: 'chain/issuer-not-ca', weight: 0.45, why: 'Often the same certificate is not a CA at all.' },
    ],
  },
  'verify:path-length': {
    summary: 'The chain is longer than a CA\'s pathLenConstraint allows.',
    rejection: 'we-rejected-peers',
    step: 'certificate-verification',
    certain: true,
    causes: [{ rule: 'chain/path-length-exceeded', weight: 0.9, why: 'An intermediate was added below a CA whose pathLenConstraint forbids it (e.g. a Vault or PCA intermediate with pathlen 0 issuing istiod\'s CA).' }],
  },
  'verify:invalid-purpose': {
    summary: 'The certificate\'s extended key usage does not allow it for this side of TLS.',
    rejection: 'we-rejected-peers',
    step: 'certificate-verification',
    certain: true,
    causes: [
      { rule: 'key-usage/missing-client-auth', weight: 0.85, why: 'A server checking a client certificate needs EKU clientAuth; mesh certificates are used both ways (istio#47708, grpc-java#6934).' },
      { rule: 'key-usage/missing-server-auth', weight: 0.7, why: 'A client checking a server certificate needs EKU serverAuth.' },
      { rule: 'key-usage/intermediate-eku-mismatch', weight: 0.4, why: 'An intermediate CA whose EKU list lacks the purpose restricts every leaf below it (Go, BoringSSL).' },
      { rule: 'key-usage/missing-digital-signature', weight: 0.3, why: 'A keyUsage without digitalSignature also fails the purpose check on some stacks.' },
    ],
  },
  'verify:weak': {
    summary: 'The verifier refused a weak signature algorithm or key size.',
    rejection: 'we-rejected-peers',
    step: 'certificate-verification',
    certain: true,
    causes: [{ rule: 'chain/weak-algorithm', weight: 0.9, why: 'SHA-1/MD5 signatures or RSA keys under 2048 bits are refused by current TLS stacks.' }],
  },
  'verify:san': {
    summary: 'The certificate is valid but does not carry the identity the verifier expected (SAN / SPIFFE ID check).',
    rejection: 'we-rejected-peers',
    step: 'certificate-verification',
    certain: true,
    causes: [
      { rule: 'san/identity-mismatch', weight: 0.9, why: 'The peer runs as another service account than the one the client expects (redeploy with a new SA, DestinationRule/ServiceEntry subjectAltNames: istio#26324).' },
      { rule: 'san/trust-domain-mismatch', weight: 0.65, why: 'The SPIFFE ID has another trust domain (trustDomain changed, federation without trustDomainAliases: istio#41666, #53666).' },
      { rule: 'san/malformed-spiffe-id', weight: 0.35, why: 'A custom SPIFFE template produced an ID that does not match the expected form (istio#49874).' },
      { rule: 'san/missing', weight: 0.3, why: 'The certificate carries no SAN at all.' },
    ],
  },
  'verify:san-trust-domain': {
    summary: 'The identity check failed and the SPIFFE IDs in the text belong to different trust domains.',
    rejection: 'we-rejected-peers',
    step: 'certificate-verification',
    certain: true,
    causes: [
      { rule: 'san/trust-domain-mismatch', weight: 0.9, why: 'The SPIFFE IDs in the text name two trust domains: the verifier only accepts its own (trustDomainAliases missing).' },
      { rule: 'san/identity-mismatch', weight: 0.6, why: 'Otherwise the service account differs as well.' },
    ],
  },
  'verify:no-san': {
    summary: 'The certificate carries no usable subject alternative name.',
    rejection: 'we-rejected-peers',
    step: 'certificate-verification',
    certain: true,
    causes: [
      { rule: 'san/missing', weight: 0.9, why: 'No SAN (or none of the needed type: no IP SAN, Common Name only).' },
      { rule: 'san/identity-mismatch', weight: 0.45, why: 'Or the SAN present is for another name.' },
    ],
  },
  'verify:bad-encoding': {
    summary: 'The verifier could not parse the certificate (rustls/webpki are stricter than OpenSSL about DER and SAN encoding).',
    rejection: 'we-rejected-peers',
    step: 'certificate-verification',
    causes: [
      { rule: 'chain/malformed-certificate', weight: 0.85, why: 'An extension, name or key does not decode as X.509 requires (duplicate extensions, an empty or malformed subjectAltName).' },
      { rule: 'san/malformed-spiffe-id', weight: 0.4, why: 'A URI SAN that OpenSSL tolerates but webpki refuses is a common trigger.' },
      { rule: 'chain/invalid-name-constraints', weight: 0.3, why: 'Malformed nameConstraints on a CA are refused by webpki.' },
      { rule: 'chain/issuer-not-ca', weight: 0.25, why: 'Version 1 CA certificates (no extensions) are refused as UnsupportedCertVersion.' },
    ],
  },
  'verify:critical-extension': {
    summary: 'The verifier met a critical extension it does not process and rejected the certificate.',
    rejection: 'we-rejected-peers',
    step: 'certificate-verification',
    certain: true,
    causes: [{ rule: 'chain/unknown-critical-extension', weight: 0.95, why: 'RFC 5280 §4.2: a critical extension the verifier does not recognise makes it reject the certificate.' }],
  },
  'verify:name-constraints': {
    summary: "A certificate's name lies outside a CA's name constraints.",
    rejection: 'we-rejected-peers',
    step: 'certificate-verification',
    certain: true,
    causes: [
      { rule: 'chain/name-constraints-violated', weight: 0.9, why: 'The leaf carries a name (SPIFFE trust domain, DNS, IP) that a CA above it does not permit.' },
      { rule: 'chain/invalid-name-constraints', weight: 0.4, why: 'Or the constraints themselves are malformed and cannot mean what was intended.' },
    ],
  },
  'verify:leaf-is-ca': {
    summary: 'The peer presented a CA certificate as its leaf.',
    rejection: 'we-rejected-peers',
    step: 'certificate-verification',
    certain: true,
    causes: [
      { rule: 'chain/leaf-is-ca', weight: 0.9, why: 'rustls/webpki refuse a CA certificate used as the end entity (CaUsedAsEndEntity): the wrong certificate is mounted.' },
      { rule: 'chain/unknown-authority', weight: 0.3, why: 'A self-signed CA served as the leaf is also not under the trusted root.' },
    ],
  },
  'verify:invalid-purpose-ca': {
    summary: "A CA certificate's extended key usage (depth ≥ 1) does not allow the TLS purpose of the chain.",
    rejection: 'we-rejected-peers',
    step: 'certificate-verification',
    certain: true,
    causes: [
      { rule: 'key-usage/intermediate-eku-mismatch', weight: 0.9, why: 'An intermediate that lists EKUs limits everything below it: without clientAuth (serverAuth) its chains fail that side.' },
      { rule: 'key-usage/ca-missing-cert-sign', weight: 0.3, why: "Or the CA's keyUsage is wrong as well." },
    ],
  },
  'verify:revoked': {
    summary: 'The verifier found the certificate on a revocation list.',
    rejection: 'we-rejected-peers',
    step: 'certificate-verification',
    certain: true,
    causes: [{ rule: 'chain/certificate-revoked', weight: 0.95, why: "A CRL the verifier holds lists the certificate's serial as revoked." }],
  },
  'verify:crl-expired': {
    summary: 'The verifier\'s CRL for an issuer on the path is out of date.',
    rejection: 'we-rejected-peers',
    step: 'certificate-verification',
    certain: true,
    causes: [{ rule: 'chain/crl-expired', weight: 0.95, why: 'Past its nextUpdate, a CRL fails verification of every certificate its issuer signed, revoked or not.' }],
  },
  'verify:crl-unusable': {
    summary: 'The verifier could not use the CRL for an issuer on the path.',
    rejection: 'we-rejected-peers',
    step: 'certificate-verification',
    certain: true,
    causes: [{ rule: 'chain/crl-unusable', weight: 0.9, why: 'Missing, badly signed, or issued by a CA without cRLSign: with CRL checking on, every certificate of that issuer then fails.' }],
  },
  'verify:chain-too-long': {
    summary: 'The chain is deeper than the verifier allows.',
    rejection: 'we-rejected-peers',
    step: 'certificate-verification',
    certain: true,
    causes: [
      { rule: 'chain/max-depth-exceeded', weight: 0.9, why: "The verifier's depth limit (Envoy max_verify_depth, OpenSSL -verify_depth) is below the chain length." },
      { rule: 'chain/path-length-exceeded', weight: 0.3, why: "Or a CA's own pathLenConstraint forbids the chain." },
    ],
  },
  'verify:failed': {
    summary: 'We rejected the peer\'s certificate; the text does not say which check failed.',
    rejection: 'we-rejected-peers',
    step: 'certificate-verification',
    causes: [
      { rule: 'chain/unknown-authority', weight: 0.6, why: 'The most common cause in meshes: the peer\'s chain leads to a root this side does not trust (multi-cluster, reinstall, rotation).' },
      { rule: 'san/identity-mismatch', weight: 0.5, why: 'Envoy reports a SAN (SPIFFE ID) mismatch as CERTIFICATE_VERIFY_FAILED too (istio#26324).' },
      { rule: 'expiry/intermediate-expired', weight: 0.45, why: 'An expired intermediate fails every chain it issued.' },
      { rule: 'expiry/leaf-expired', weight: 0.45, why: 'The peer\'s workload certificate expired (rotation stalled).' },
      { rule: 'chain/rotation-order-violation', weight: 0.45, why: 'Mid CA rotation: the new root has not reached this side\'s trust bundle.' },
      { rule: 'san/trust-domain-mismatch', weight: 0.35, why: 'A peer from another trust domain without an alias.' },
      { rule: 'expiry/root-expired', weight: 0.3, why: 'The root expired.' },
      { rule: 'chain/incomplete-chain', weight: 0.3, why: 'The peer presents its leaf without the intermediate.' },
      { rule: 'expiry/not-yet-valid', weight: 0.2, why: 'Clock skew: the peer\'s certificate starts in this side\'s future.' },
    ],
  },
  'verify:failed-client': {
    summary: 'We rejected the client\'s certificate; the text does not say which check failed.',
    rejection: 'we-rejected-peers',
    step: 'certificate-verification',
    causes: [
      { rule: 'chain/unknown-authority', weight: 0.6, why: 'The client\'s chain leads to a root this server does not trust.' },
      { rule: 'key-usage/missing-client-auth', weight: 0.45, why: 'The client certificate lacks EKU clientAuth.' },
      { rule: 'expiry/leaf-expired', weight: 0.4, why: 'The client certificate expired.' },
      { rule: 'expiry/intermediate-expired', weight: 0.4, why: 'Its intermediate expired.' },
      { rule: 'chain/incomplete-chain', weight: 0.3, why: 'The client sent its leaf without the intermediate.' },
    ],
  },

  // ── Alerts the peer sent us (the peer rejected our certificate or handshake) ─────────────────────
  'alert:45': {
    summary: 'The peer says our certificate (or a CA in our chain) is expired — or not yet valid by its clock.',
    rejection: 'peer-rejected-ours',
    step: 'certificate-verification',
    causes: [
      { rule: 'expiry/leaf-expired', weight: 0.85, why: 'Alert 45 certificate_expired: our workload certificate is past its Not After (consul#10213).' },
      { rule: 'expiry/intermediate-expired', weight: 0.75, why: 'Or our issuing intermediate expired while the leaf is still in its window.' },
      { rule: 'expiry/not-yet-valid', weight: 0.6, why: 'BoringSSL and OpenSSL send the same alert for "not yet valid": the peer\'s clock may be behind (clock skew).' },
      { rule: 'expiry/served-cert-stale', weight: 0.5, why: 'Our proxy may serve an old certificate although a renewed one exists (consul#16779).' },
      { rule: 'expiry/root-expired', weight: 0.45, why: 'Or the root our chain ends at expired.' },
      { rule: 'expiry/outlives-issuer', weight: 0.35, why: 'Leaves outliving their issuer are not renewed before the issuer expires.' },
    ],
  },
  'alert:48': {
    summary: 'The peer cannot chain our certificate to a root it trusts (alert 48 unknown_ca).',
    rejection: 'peer-rejected-ours',
    step: 'certificate-verification',
    causes: [
      { rule: 'chain/unknown-authority', weight: 0.85, why: 'Our chain ends at a root the peer\'s trust bundle does not hold (different roots per cluster: istio#52356).' },
      { rule: 'chain/rotation-order-violation', weight: 0.75, why: 'Mid rotation: our new CA issues before the peer trusts its root (istio#44932).' },
      { rule: 'chain/incomplete-chain', weight: 0.5, why: 'We present our leaf without the intermediate that links it to the peer\'s root.' },
      { rule: 'chain/issuer-not-ca', weight: 0.3, why: 'Envoy also sends unknown_ca for an invalid CA certificate in the chain.' },
    ],
  },
  'alert:46': {
    summary: 'The peer rejected our certificate for a reason other than expiry or trust (alert 46 certificate_unknown).',
    rejection: 'peer-rejected-ours',
    step: 'certificate-verification',
    causes: [
      { rule: 'san/identity-mismatch', weight: 0.7, why: 'An Envoy peer sends certificate_unknown when our SPIFFE ID is not the one it expects (SAN matcher).' },
      { rule: 'san/trust-domain-mismatch', weight: 0.65, why: 'Federated or renamed trust domains without aliases (istio#30769, #41666).' },
      { rule: 'transport/peer-rejected-certificate', weight: 0.5, why: 'Otherwise the reason is only in the peer\'s own log.' },
      { rule: 'san/missing', weight: 0.3, why: 'Our certificate has no SAN.' },
    ],
  },
  'alert:42': {
    summary: 'The peer rejected our certificate (alert 42 bad_certificate; Go and rustls peers send this for most verification failures).',
    rejection: 'peer-rejected-ours',
    step: 'certificate-verification',
    causes: [
      { rule: 'chain/unknown-authority', weight: 0.6, why: 'The commonest reason: the peer does not trust our root (linkerd2#3344).' },
      { rule: 'transport/peer-rejected-certificate', weight: 0.55, why: 'The alert does not say why; the peer\'s log does.' },
      { rule: 'expiry/leaf-expired', weight: 0.5, why: 'Go and rustls report an expired certificate as bad_certificate too.' },
      { rule: 'key-usage/missing-client-auth', weight: 0.45, why: 'Go servers answer a client certificate without EKU clientAuth with bad_certificate (mimir#10647).' },
      { rule: 'expiry/intermediate-expired', weight: 0.4, why: 'An expired intermediate in our chain.' },
      { rule: 'expiry/not-yet-valid', weight: 0.35, why: 'Clock skew: rustls sends BadCertificate for CertNotValidYet (linkerd2#6427).' },
      { rule: 'san/identity-mismatch', weight: 0.3, why: 'An identity the peer does not accept.' },
    ],
  },
  'alert:43': {
    summary: 'The peer refused our certificate\'s purpose (alert 43 unsupported_certificate).',
    rejection: 'peer-rejected-ours',
    step: 'certificate-verification',
    causes: [
      { rule: 'key-usage/missing-client-auth', weight: 0.85, why: 'BoringSSL maps X509_V_ERR_INVALID_PURPOSE to unsupported_certificate: our client certificate lacks EKU clientAuth (istio#47708).' },
      { rule: 'key-usage/missing-server-auth', weight: 0.55, why: 'As a server: our certificate lacks EKU serverAuth.' },
      { rule: 'key-usage/missing-digital-signature', weight: 0.35, why: 'Our keyUsage lacks digitalSignature.' },
    ],
  },
  'alert:51': {
    summary: 'The peer could not verify a signature from us (alert 51 decrypt_error).',
    rejection: 'peer-rejected-ours',
    step: 'certificate-verification',
    causes: [
      { rule: 'chain/bad-signature', weight: 0.65, why: 'Envoy sends decrypt_error for CERT_SIGNATURE_FAILURE: a certificate in our chain was signed by a different key than the CA the peer has.' },
      { rule: 'chain/key-mismatch', weight: 0.55, why: 'Or our private key does not match our certificate, so our CertificateVerify signature fails.' },
    ],
  },
  'alert:116': {
    summary: 'The peer requires a client certificate and we sent none (alert 116 certificate_required).',
    rejection: 'peer-rejected-ours',
    step: 'client-certificate',
    causes: [
      { rule: 'transport/client-cert-required', weight: 0.95, why: 'A TLS 1.3 server demanded a client certificate: the caller used TLS without its mesh certificate (DestinationRule SIMPLE, or no sidecar originating mTLS).' },
    ],
  },
  'alert:40': {
    summary: 'The peer aborted the handshake (alert 40 handshake_failure).',
    rejection: 'peer-rejected-ours',
    step: 'tls-negotiation',
    causes: [
      { rule: 'transport/client-cert-required', weight: 0.55, why: 'A TLS 1.2 server that requires a client certificate and got none sends handshake_failure.' },
      { rule: 'transport/cipher-mismatch', weight: 0.5, why: 'No cipher suite in common.' },
      { rule: 'transport/protocol-version-mismatch', weight: 0.35, why: 'No TLS version in common.' },
      { rule: 'transport/alpn-mismatch', weight: 0.3, why: 'Some servers refuse an unknown ALPN this way.' },
    ],
  },
  'alert:70': {
    summary: 'The peer does not support our TLS version (alert 70 protocol_version).',
    rejection: 'peer-rejected-ours',
    step: 'tls-negotiation',
    causes: [{ rule: 'transport/protocol-version-mismatch', weight: 0.95, why: 'Our minimum/maximum TLS version and the peer\'s do not overlap.' }],
  },
  'alert:71': {
    summary: 'The peer finds our offer too weak (alert 71 insufficient_security).',
    rejection: 'peer-rejected-ours',
    step: 'tls-negotiation',
    causes: [
      { rule: 'transport/cipher-mismatch', weight: 0.8, why: 'The ciphers we offer are all below the peer\'s minimum.' },
      { rule: 'transport/protocol-version-mismatch', weight: 0.4, why: 'Or our TLS version is below its minimum.' },
    ],
  },
  'alert:120': {
    summary: 'The peer supports none of the ALPN protocols we offered (alert 120 no_application_protocol).',
    rejection: 'peer-rejected-ours',
    step: 'tls-negotiation',
    causes: [{ rule: 'transport/alpn-mismatch', weight: 0.95, why: 'The ALPN lists do not overlap (istio-peer-exchange/istio vs h2/http/1.1).' }],
  },
  'alert:49': {
    summary: 'The peer accepted our certificate but denied access (alert 49 access_denied).',
    rejection: 'peer-rejected-ours',
    step: 'certificate-verification',
    causes: [
      { rule: 'transport/peer-rejected-certificate', weight: 0.6, why: 'The peer\'s policy refuses our identity; its log says which rule.' },
      { rule: 'san/identity-mismatch', weight: 0.45, why: 'We present another identity than the peer allows.' },
    ],
  },
  'alert:44': {
    summary: 'The peer says our certificate is revoked (alert 44 certificate_revoked).',
    rejection: 'peer-rejected-ours',
    step: 'certificate-verification',
    causes: [
      { rule: 'chain/certificate-revoked', weight: 0.85, why: "The peer's CRL lists our certificate (or a CA above it) as revoked." },
      { rule: 'transport/peer-rejected-certificate', weight: 0.4, why: "Which CRL, and which certificate, only the peer's configuration says." },
    ],
  },
  'alert:other-cert': {
    summary: 'The peer rejected our certificate (a certificate alert with no specific cause).',
    rejection: 'peer-rejected-ours',
    step: 'certificate-verification',
    causes: [{ rule: 'transport/peer-rejected-certificate', weight: 0.6, why: 'The alert does not say why; the peer\'s own log does.' }],
  },
  'alert:other': {
    summary: 'The peer aborted the handshake with an alert that does not concern certificates.',
    rejection: 'peer-rejected-ours',
    step: 'tls-negotiation',
    causes: [
      { rule: 'transport/peer-rejected-certificate', weight: 0.35, why: 'The reason is on the peer\'s side; read its log.' },
      { rule: 'transport/protocol-version-mismatch', weight: 0.3, why: 'Protocol-level alerts often mean the two stacks disagree on version or extensions.' },
    ],
  },

  // ── No TLS on one side; no client certificate; negotiation ───────────────────────────────────────
  'plaintext-reply': {
    summary: 'We spoke TLS and the peer answered with bytes that are not TLS (a plaintext server).',
    rejection: 'no-tls',
    step: 'tls-negotiation',
    certain: true,
    causes: [
      { rule: 'transport/peer-not-tls', weight: 0.95, why: 'The server has no sidecar, its port is not captured, or its PeerAuthentication is DISABLE while our side originates mTLS (istio#33208, #35870, #53030).' },
    ],
  },
  'plaintext-request': {
    summary: 'A TLS listener received plaintext (an HTTP request) from the peer.',
    rejection: 'no-tls',
    step: 'tls-negotiation',
    certain: true,
    causes: [
      { rule: 'transport/peer-not-tls', weight: 0.85, why: 'The caller sent plaintext to an mTLS port: it has no sidecar, or its sidecar was not ready yet (istio#26922).' },
      { rule: 'transport/client-cert-required', weight: 0.5, why: 'The port is STRICT: a caller must use mesh mTLS with its certificate.' },
    ],
  },
  'no-filter-chain': {
    summary: 'The server-side proxy had no listener filter chain for the connection (NR filter_chain_not_found).',
    rejection: 'no-tls',
    step: 'tls-negotiation',
    causes: [
      { rule: 'transport/client-cert-required', weight: 0.7, why: 'A plaintext (or non-mesh TLS) caller reached a STRICT port: only mTLS chains exist (envoyproxy/ratelimit#296).' },
      { rule: 'transport/alpn-mismatch', weight: 0.5, why: 'TLS without the mesh ALPN matches no chain (istio#31297).' },
      { rule: 'transport/peer-not-tls', weight: 0.4, why: 'Or the caller sent mTLS to a DISABLE port that has only plaintext chains.' },
    ],
  },
  'no-client-cert': {
    summary: 'We required a client certificate and the peer sent none.',
    rejection: 'we-rejected-peers',
    step: 'client-certificate',
    certain: true,
    causes: [
      { rule: 'transport/client-cert-required', weight: 0.95, why: 'The caller connected with TLS but no client certificate (DestinationRule SIMPLE, an app doing its own TLS, a probe without --cert).' },
    ],
  },
  'cipher-mismatch': {
    summary: 'The two sides have no cipher suite (or key-exchange group) in common.',
    rejection: 'unknown',
    step: 'tls-negotiation',
    certain: true,
    causes: [{ rule: 'transport/cipher-mismatch', weight: 0.95, why: 'Restricted cipher lists (meshConfig tlsDefaults, a FIPS build, an old client) do not overlap.' }],
  },
  'version-mismatch': {
    summary: 'The two sides have no TLS version in common.',
    rejection: 'unknown',
    step: 'tls-negotiation',
    certain: true,
    causes: [{ rule: 'transport/protocol-version-mismatch', weight: 0.95, why: 'minProtocolVersion on one side is above the other\'s maximum (e.g. TLS 1.3 only against a TLS 1.2 client).' }],
  },
  'alpn-mismatch': {
    summary: 'The two sides have no application protocol (ALPN) in common.',
    rejection: 'unknown',
    step: 'tls-negotiation',
    certain: true,
    causes: [{ rule: 'transport/alpn-mismatch', weight: 0.95, why: 'The offered ALPN list and the server\'s accepted list do not overlap.' }],
  },

  // ── Our own credentials ──────────────────────────────────────────────────────────────────────────
  'sds-not-delivered': {
    summary: 'The proxy has no certificate to present: the secret was never delivered (SDS).',
    rejection: 'local-setup',
    step: 'credential-loading',
    certain: true,
    causes: [
      { rule: 'transport/sds-not-delivered', weight: 0.95, why: 'The istio-agent did not push the `default`/`ROOTCA` secret to Envoy (CA unreachable or refusing the CSR, agent/istiod race: istio#26468).' },
    ],
  },
  'ca-request-failed': {
    summary: 'The istio-agent failed to get a workload certificate from the CA.',
    rejection: 'local-setup',
    step: 'credential-loading',
    causes: [
      { rule: 'transport/sds-not-delivered', weight: 0.8, why: 'Without a signed certificate the agent cannot deliver one to Envoy (istio#26225: expired token; istio-csr#149).' },
      { rule: 'expiry/leaf-expired', weight: 0.5, why: 'The old certificate keeps being served until it expires.' },
      { rule: 'chain/unknown-authority', weight: 0.35, why: 'The agent does not trust the CA\'s serving certificate (istio#42323).' },
    ],
  },
  'key-mismatch': {
    summary: 'The private key does not match the certificate.',
    rejection: 'local-setup',
    step: 'credential-loading',
    certain: true,
    causes: [{ rule: 'chain/key-mismatch', weight: 0.95, why: 'The key file belongs to another certificate (a rotation that replaced one file but not the other).' }],
  },
  'local-cert-problem': {
    summary: 'The client could not load its own certificate or key.',
    rejection: 'local-setup',
    step: 'credential-loading',
    causes: [
      { rule: 'chain/key-mismatch', weight: 0.6, why: 'curl (58) most often means the key does not match the certificate, or the files are swapped.' },
    ],
  },

  // ── Context only: where the failure surfaced, without the TLS reason ─────────────────────────────
  'upstream-connect-failure': {
    summary: 'Envoy could not establish the upstream connection (UF / "connection failure"), without a recorded TLS reason.',
    rejection: 'unknown',
    step: 'tls-negotiation',
    causes: [
      { rule: 'transport/peer-rejected-certificate', weight: 0.45, why: 'TLS failed and Envoy recorded no reason ("-"): the peer\'s log holds it (istio#17139).' },
      { rule: 'transport/peer-unreachable', weight: 0.45, why: 'UF also covers plain TCP connect failures (no endpoint listening, network policy).' },
      { rule: 'transport/peer-not-tls', weight: 0.35, why: 'mTLS toward a server without a sidecar often shows as a connection failure.' },
      { rule: 'transport/sds-not-delivered', weight: 0.3, why: 'No certificate to present: the client secret is still warming.' },
    ],
  },
  'upstream-terminated': {
    summary: 'The server closed the connection right after it was opened (UC / "connection termination").',
    rejection: 'unknown',
    step: 'tls-negotiation',
    causes: [
      { rule: 'transport/client-cert-required', weight: 0.55, why: 'Under STRICT the server closes connections that are not mesh mTLS: a client without a sidecar or with DestinationRule DISABLE (istio#27169).' },
      { rule: 'transport/peer-rejected-certificate', weight: 0.45, why: 'The server rejected our certificate and closed; its log has the alert (fail_verify_error, TLS_error).' },
      { rule: 'transport/peer-not-tls', weight: 0.3, why: 'mTLS sent to a plaintext server can end the same way.' },
    ],
  },
  reset: {
    summary: 'The connection was reset or closed by the peer without a TLS reason.',
    rejection: 'unknown',
    step: 'unknown',
    causes: [
      { rule: 'transport/client-cert-required', weight: 0.5, why: 'A plaintext or certificate-less client to a STRICT mTLS port is reset (curl exit 56: istio mtls-migration docs).' },
      { rule: 'transport/peer-rejected-certificate', weight: 0.4, why: 'TLS 1.3 servers may reject our certificate after the handshake and just close.' },
      { rule: 'transport/alpn-mismatch', weight: 0.3, why: 'Istio\'s inbound listener resets TLS without the mesh ALPN (no filter chain matches).' },
      { rule: 'transport/peer-unreachable', weight: 0.25, why: 'Or nothing healthy listens behind the address.' },
    ],
  },
  'handshake-failed': {
    summary: 'The TLS handshake failed (the text gives no reason).',
    rejection: 'unknown',
    step: 'tls-negotiation',
    causes: [
      { rule: 'transport/client-cert-required', weight: 0.45, why: 'The server requires a client certificate we did not send.' },
      { rule: 'transport/peer-rejected-certificate', weight: 0.4, why: 'The peer rejected our certificate; its log has the reason.' },
      { rule: 'transport/peer-not-tls', weight: 0.3, why: 'The peer does not speak TLS on that port.' },
      { rule: 'transport/protocol-version-mismatch', weight: 0.3, why: 'No common TLS version.' },
      { rule: 'transport/cipher-mismatch', weight: 0.25, why: 'No common cipher.' },
    ],
  },
  'connection-refused': {
    summary: 'Nothing accepted the TCP connection.',
    rejection: 'no-connection',
    step: 'tcp-connect',
    certain: true,
    causes: [{ rule: 'transport/peer-unreachable', weight: 0.95, why: 'No process listens on that address and port (wrong port, pod not ready, sidecar not up yet).' }],
  },
  'dns-failure': {
    summary: 'The peer\'s name did not resolve.',
    rejection: 'no-connection',
    step: 'tcp-connect',
    certain: true,
    causes: [{ rule: 'transport/peer-unreachable', weight: 0.95, why: 'The service name does not resolve from here (typo, other namespace, ServiceEntry missing).' }],
  },
  timeout: {
    summary: 'The connection or handshake timed out.',
    rejection: 'no-connection',
    step: 'tcp-connect',
    causes: [
      { rule: 'transport/peer-unreachable', weight: 0.7, why: 'Packets are dropped (NetworkPolicy, firewall) or the peer is overloaded.' },
      { rule: 'transport/alpn-mismatch', weight: 0.3, why: 'Server-first protocols (MySQL) hang under protocol sniffing, and a peer that advertises istio-peer-exchange without the filter waits forever (istio#38655, #38990).' },
    ],
  },
  'no-healthy-upstream': {
    summary: 'Envoy had no healthy endpoint to send to (UH).',
    rejection: 'no-connection',
    step: 'tcp-connect',
    certain: true,
    causes: [{ rule: 'transport/peer-unreachable', weight: 0.8, why: 'No endpoint is ready (or all are ejected by outlier detection): not a TLS problem.' }],
  },
} satisfies Record<string, SignalSpec>;

export type SignalId = keyof typeof SIGNALS;

/** How each cause is confirmed and what to run next; `{pod}` is the pod whose certificate is in question. */
export interface RuleHint {
  /** A hypothesis title: what may be wrong. */
  title: string;
  /** Used when the rule is not registered (yet); otherwise the rule's own meta severity wins. */
  severity: 'critical' | 'error' | 'warning';
  /** What evidence would confirm it. */
  confirm: string;
  /** The exact next command. */
  next: string;
  /** The fix, in one line. */
  fix: string;
  /** Whose configuration is at fault when the direction does not say (default: the certificate that was rejected). */
  subject?: 'local' | 'peer';
}

const DIAG = 'mtls-doctor diagnose --chain cert-chain.pem --trust root-cert.pem';
const SECRET = "istioctl proxy-config secret {pod} -n NS -o json | jq -r '.dynamicActiveSecrets[0].secret.tlsCertificate.certificateChain.inlineBytes' | base64 -d > cert-chain.pem";

export const RULE_HINTS: Record<string, RuleHint> = {
  'expiry/leaf-expired': {
    title: 'Workload certificate expired',
    severity: 'critical',
    confirm: "the leaf's Not After is before the time of the error (istioctl proxy-config secret shows NOT AFTER in the past)",
    next: 'istioctl proxy-config secret {pod} -n NS',
    fix: 'Restart the pod or the istio-agent so it requests a new certificate; then find why rotation stopped (agent log: "failed to rotate secret").',
  },
  'expiry/intermediate-expired': {
    title: 'Intermediate CA certificate expired',
    severity: 'critical',
    confirm: "the issuing CA's Not After (cacerts ca-cert.pem, or depth 1 of the served chain) is in the past",
    next: `${SECRET} && ${DIAG}`,
    fix: 'Renew the intermediate (cacerts / Vault / istio-csr issuer), restart istiod, then roll the workloads.',
  },
  'expiry/root-expired': {
    title: 'Root CA certificate expired',
    severity: 'critical',
    confirm: "the root in root-cert.pem / istio-ca-root-cert has Not After in the past",
    next: "kubectl -n NS get configmap istio-ca-root-cert -o jsonpath='{.data.root-cert\\.pem}' | openssl x509 -noout -subject -enddate",
    fix: 'Issue a new root, distribute it to every trust bundle first, then re-issue intermediates and workload certificates.',
  },
  'expiry/not-yet-valid': {
    title: 'Certificate not yet valid (clock skew)',
    severity: 'critical',
    confirm: "the certificate's Not Before is after the verifying node's clock",
    next: 'openssl s_client -connect HOST:PORT -showcerts </dev/null 2>/dev/null | openssl x509 -noout -dates; date -u',
    fix: 'Fix NTP on the nodes (timedatectl set-ntp true); issue certificates with a backdated Not Before.',
  },
  'expiry/served-cert-stale': {
    title: 'Proxy serves an old certificate',
    severity: 'error',
    confirm: 'the certificate on the wire differs from the newest one the agent holds',
    next: 'kubectl exec {pod} -c istio-proxy -- pilot-agent request GET certs',
    fix: 'Restart the istio-proxy (or the pod) so Envoy loads the current secret.',
  },
  'expiry/outlives-issuer': {
    title: 'Leaf certificates outlive their issuer',
    severity: 'warning',
    confirm: "a leaf's Not After is later than its issuing CA's Not After",
    next: `${SECRET} && ${DIAG} --ca ca-cert.pem`,
    fix: 'Cap the workload certificate TTL below the issuer\'s remaining life; renew the issuer early.',
  },
  'chain/unknown-authority': {
    title: 'Chain does not lead to a root the verifier trusts',
    severity: 'critical',
    confirm: "the root the chain ends at is absent from the verifying side's trust bundle (compare the ROOTCA serial on both pods)",
    next: `${DIAG} --peer-trust peer-root-cert.pem`,
    fix: 'Put the signing root into every trust bundle (shared root or meshConfig.caCertificates), then restart the workloads so they pick it up.',
  },
  'chain/rotation-order-violation': {
    title: 'New CA issuing before its root reached every peer',
    severity: 'critical',
    confirm: 'client and server show different ROOTCA serials in istioctl proxy-config secret',
    next: 'for p in POD PEER_POD; do istioctl proxy-config secret $p -n NS | grep ROOTCA; done',
    fix: 'Distribute the new root to every trust bundle (old + new) before any workload gets a certificate from the new CA; restart lagging pods.',
  },
  'chain/incomplete-chain': {
    title: 'Chain is missing an intermediate',
    severity: 'critical',
    confirm: 'the served chain has only the leaf (or skips the intermediate) while the root is a different CA',
    next: 'openssl s_client -connect HOST:PORT -showcerts </dev/null',
    fix: 'Serve leaf + intermediate(s) (cert-chain.pem); with istio-csr/Vault set the full chain (app.tls.rootCAFile).',
  },
  'chain/bad-signature': {
    title: 'Certificate signature does not verify',
    severity: 'critical',
    confirm: 'openssl verify fails with "certificate signature failure" against the CA of that name',
    next: `${SECRET} && ${DIAG}`,
    fix: 'Re-issue the certificate from the CA whose key matches the published CA certificate; remove the stale same-name CA.',
  },
  'chain/issuer-not-ca': {
    title: 'Issuer is not a CA',
    severity: 'critical',
    confirm: 'the issuer certificate has basicConstraints CA:FALSE (or none)',
    next: 'openssl x509 -in ca-cert.pem -noout -ext basicConstraints,keyUsage',
    fix: 'Use a real CA certificate (CA:TRUE, keyCertSign) as the issuer (cacerts ca-cert.pem).',
  },
  'chain/path-length-exceeded': {
    title: 'Path length constraint exceeded',
    severity: 'critical',
    confirm: "a CA's pathLenConstraint is smaller than the number of intermediates below it",
    next: 'openssl x509 -in ca-cert.pem -noout -ext basicConstraints',
    fix: 'Re-issue the upper CA with a larger pathlen, or shorten the chain.',
  },
  'chain/malformed-certificate': {
    title: 'Malformed certificate encoding',
    severity: 'error',
    confirm: 'openssl asn1parse / x509 -text shows a duplicate or undecodable extension, or an empty subjectAltName',
    next: 'openssl x509 -in cert-chain.pem -noout -text',
    fix: 'Re-issue the certificate with a well-formed profile (one instance of each extension, a non-empty SAN).',
  },
  'chain/unknown-critical-extension': {
    title: 'Unknown critical extension',
    severity: 'critical',
    confirm: 'a certificate marks an extension the verifier does not know as critical',
    next: "openssl x509 -in cert-chain.pem -noout -text | grep -B1 -A2 critical",
    fix: 'Re-issue without that extension, or mark it non-critical.',
  },
  'chain/name-constraints-violated': {
    title: "Name outside the CA's name constraints",
    severity: 'critical',
    confirm: "the leaf's SAN is outside the permitted subtrees (or inside the excluded ones) of a CA above it",
    next: 'openssl x509 -in ca-cert.pem -noout -ext nameConstraints; openssl x509 -in cert-chain.pem -noout -ext subjectAltName',
    fix: "Issue names inside the CA's constraints (the right trust domain), or re-issue the CA with the intended constraints.",
  },
  'chain/invalid-name-constraints': {
    title: 'Malformed name constraints',
    severity: 'error',
    confirm: "a CA's nameConstraints is empty, non-critical, or holds a wildcard/leading-dot DNS name",
    next: 'openssl x509 -in ca-cert.pem -noout -ext nameConstraints',
    fix: 'Re-issue the CA with well-formed, critical name constraints.',
  },
  'chain/leaf-is-ca': {
    title: 'Leaf certificate has CA flags',
    severity: 'warning',
    confirm: 'the presented leaf has basicConstraints CA:TRUE (or keyUsage keyCertSign)',
    next: 'openssl x509 -in cert-chain.pem -noout -ext basicConstraints,keyUsage',
    fix: 'Mount the workload certificate, not the CA certificate; issue leaves with CA:FALSE.',
  },
  'chain/trust-bundle-duplicate-subject': {
    title: 'Trust bundle holds two CA certificates with the same subject',
    severity: 'warning',
    confirm: 'the trust bundle holds two CA certificates with one subject but different keys or Not After dates',
    next: "openssl crl2pkcs7 -nocrl -certfile root-cert.pem | openssl pkcs7 -print_certs -noout | grep subject= | sort | uniq -d",
    fix: 'Remove the expired or superseded CA certificate from the bundle.',
  },
  'chain/certificate-revoked': {
    title: 'Certificate is revoked',
    severity: 'critical',
    confirm: "the certificate's serial is listed in the CRL the verifier uses",
    next: 'openssl crl -in crl.pem -noout -text | grep -A1 "Serial Number"; openssl x509 -in cert-chain.pem -noout -serial',
    fix: 'Issue a new certificate (a revoked one cannot be un-revoked), or remove a wrong entry from the CRL.',
  },
  'chain/crl-expired': {
    title: 'CRL is out of date',
    severity: 'error',
    confirm: "the CRL's Next Update is in the past (or Last Update in the future)",
    next: 'openssl crl -in crl.pem -noout -lastupdate -nextupdate',
    fix: 'Publish a fresh CRL and reload it into the verifier (Envoy validation_context.crl).',
  },
  'chain/crl-unusable': {
    title: 'CRL cannot be used',
    severity: 'critical',
    confirm: 'the CRL is missing for an issuer, fails its signature check, or its issuer lacks cRLSign',
    next: 'openssl crl -in crl.pem -noout -issuer; openssl verify -crl_check -CRLfile crl.pem -CAfile root-cert.pem cert-chain.pem',
    fix: 'Provide a CRL signed by each issuer on the path (with cRLSign), or turn CRL checking off for issuers that publish none.',
  },
  'chain/max-depth-exceeded': {
    title: 'Chain is deeper than the verifier allows',
    severity: 'critical',
    confirm: 'the number of CA certificates above the leaf exceeds the verifier\'s max_verify_depth',
    next: 'openssl s_client -connect HOST:PORT -showcerts </dev/null 2>/dev/null | grep -c "BEGIN CERTIFICATE"',
    fix: 'Raise max_verify_depth on the verifier, or shorten the chain.',
  },
  'key-usage/intermediate-eku-mismatch': {
    title: 'Intermediate CA restricts the purpose (EKU)',
    severity: 'critical',
    confirm: 'an intermediate CA lists Extended Key Usages without clientAuth/serverAuth (or anyExtendedKeyUsage)',
    next: 'openssl x509 -in ca-cert.pem -noout -ext extendedKeyUsage',
    fix: 'Re-issue the intermediate without EKU, or with both serverAuth and clientAuth.',
  },
  'chain/weak-algorithm': {
    title: 'Weak signature algorithm or key',
    severity: 'error',
    confirm: 'a certificate is signed with SHA-1/MD5 or has an RSA key under 2048 bits',
    next: "openssl x509 -in cert-chain.pem -noout -text | grep -E 'Signature Algorithm|Public-Key'",
    fix: 'Re-issue with SHA-256 and RSA ≥ 2048 or ECDSA P-256.',
  },
  'chain/key-mismatch': {
    title: 'Private key does not match the certificate',
    severity: 'critical',
    confirm: 'the public key in the certificate differs from the one derived from the key file',
    next: 'diff <(openssl x509 -in cert-chain.pem -noout -pubkey) <(openssl pkey -in key.pem -pubout) && echo match',
    fix: 'Deploy the key that belongs to the certificate (replace both files together).',
    subject: 'local',
  },
  'san/identity-mismatch': {
    title: 'Certificate identity does not match the expected one',
    severity: 'critical',
    confirm: "the leaf's URI SAN (spiffe://TD/ns/NS/sa/SA) differs from the subjectAltNames the client expects",
    next: 'istioctl proxy-config cluster CLIENT_POD -n NS --fqdn SERVICE -o json | grep -A4 -i subjectAltNames',
    fix: 'Run the server under the expected service account, or correct DestinationRule/ServiceEntry subjectAltNames.',
  },
  'san/trust-domain-mismatch': {
    title: 'Trust domain mismatch',
    severity: 'critical',
    confirm: "the peer's SPIFFE ID trust domain differs from the verifier's trust domain and aliases",
    next: "kubectl -n istio-system get configmap istio -o jsonpath='{.data.mesh}' | grep -iA3 trustDomain",
    fix: 'Add the other trust domain to meshConfig.trustDomainAliases (or align trustDomain across clusters).',
  },
  'san/missing': {
    title: 'Certificate has no usable subject alternative name',
    severity: 'error',
    confirm: 'openssl shows no (or no matching type of) Subject Alternative Name',
    next: 'openssl x509 -in cert-chain.pem -noout -ext subjectAltName',
    fix: 'Re-issue with the SPIFFE URI SAN (and DNS/IP SANs where clients check them).',
  },
  'san/malformed-spiffe-id': {
    title: 'Malformed SPIFFE ID',
    severity: 'error',
    confirm: 'the URI SAN is not spiffe://TD/ns/NS/sa/SA',
    next: 'openssl x509 -in cert-chain.pem -noout -ext subjectAltName',
    fix: 'Fix the SPIFFE ID template (SPIRE ClusterSPIFFEID, custom CA) to produce spiffe://TD/ns/NS/sa/SA.',
  },
  'key-usage/missing-client-auth': {
    title: 'Certificate not allowed for TLS clients (clientAuth missing)',
    severity: 'critical',
    confirm: 'Extended Key Usage lacks "TLS Web Client Authentication"',
    next: 'openssl x509 -in cert-chain.pem -noout -ext extendedKeyUsage,keyUsage',
    fix: 'Re-issue with EKU serverAuth + clientAuth (mesh certificates are used both ways).',
  },
  'key-usage/missing-server-auth': {
    title: 'Certificate not allowed for TLS servers (serverAuth missing)',
    severity: 'critical',
    confirm: 'Extended Key Usage lacks "TLS Web Server Authentication"',
    next: 'openssl x509 -in cert-chain.pem -noout -ext extendedKeyUsage,keyUsage',
    fix: 'Re-issue with EKU serverAuth + clientAuth.',
  },
  'key-usage/missing-digital-signature': {
    title: 'Key usage lacks digitalSignature',
    severity: 'critical',
    confirm: 'Key Usage lacks "Digital Signature"',
    next: 'openssl x509 -in cert-chain.pem -noout -ext keyUsage',
    fix: 'Re-issue with keyUsage digitalSignature (+ keyEncipherment for RSA).',
  },
  'key-usage/ca-missing-cert-sign': {
    title: 'CA key usage lacks keyCertSign',
    severity: 'critical',
    confirm: "the CA certificate's Key Usage lacks \"Certificate Sign\"",
    next: 'openssl x509 -in ca-cert.pem -noout -ext keyUsage,basicConstraints',
    fix: 'Re-issue the CA with keyUsage keyCertSign, cRLSign.',
  },
  'transport/peer-not-tls': {
    title: 'Peer does not speak TLS on that port',
    severity: 'critical',
    confirm: 'the server pod has no istio-proxy, its port is excluded from capture, or its PeerAuthentication (or portLevelMtls) is DISABLE',
    next: 'istioctl x describe pod PEER_POD -n NS',
    fix: 'Inject the sidecar on the server, or stop originating mTLS to it (DestinationRule tls.mode DISABLE for that host/port) — never both.',
    subject: 'peer',
  },
  'transport/client-cert-required': {
    title: 'Peer requires a client certificate that was not sent',
    severity: 'error',
    confirm: 'the server port is STRICT (PeerAuthentication) while the caller uses plaintext or TLS without its mesh certificate',
    next: 'istioctl proxy-config cluster CLIENT_POD -n NS --fqdn SERVICE -o json | grep -c transportSocket',
    fix: 'Give the caller a sidecar (or DestinationRule ISTIO_MUTUAL), or relax the server port to PERMISSIVE during migration.',
  },
  'transport/protocol-version-mismatch': {
    title: 'No TLS version in common',
    severity: 'critical',
    confirm: 'one side allows only versions the other does not (minProtocolVersion / maxProtocolVersion)',
    next: 'openssl s_client -connect HOST:PORT -tls1_2 </dev/null; openssl s_client -connect HOST:PORT -tls1_3 </dev/null',
    fix: 'Align meshConfig.meshMTLS.minProtocolVersion / the app\'s TLS settings so the ranges overlap.',
    subject: 'peer',
  },
  'transport/cipher-mismatch': {
    title: 'No cipher suite in common',
    severity: 'critical',
    confirm: 'the cipher lists (meshConfig tlsDefaults.cipherSuites, app settings, FIPS) do not overlap',
    next: 'mtls-doctor diagnose --chain cert-chain.pem --key key.pem --peer HOST:PORT',
    fix: 'Allow at least one common ECDHE-AES-GCM suite on both sides.',
    subject: 'peer',
  },
  'transport/alpn-mismatch': {
    title: 'No ALPN protocol in common',
    severity: 'critical',
    confirm: 'the client offers ALPN values the server does not accept (mesh: istio-peer-exchange, istio, istio-http/1.1, istio-h2)',
    next: 'openssl s_client -connect HOST:PORT -alpn istio-peer-exchange,istio </dev/null 2>&1 | grep -i alpn',
    fix: 'Offer the mesh ALPN (let the sidecar originate mTLS), or set appProtocol on the Service port for server-first protocols.',
    subject: 'peer',
  },
  'transport/peer-rejected-certificate': {
    title: 'Peer rejected our certificate (its reason is on its side)',
    severity: 'critical',
    confirm: "the peer's proxy logs a verify failure (verify cert failed: …) or counts ssl.fail_verify_error for our connection",
    next: "istioctl proxy-config log PEER_POD -n NS --level connection:debug && kubectl logs PEER_POD -n NS -c istio-proxy | grep -E 'verify cert failed|TLS_error'",
    fix: 'Fix what the peer\'s log names; with our chain in hand, run mtls-doctor diagnose --chain cert-chain.pem --peer-trust PEER_ROOT.pem.',
    subject: 'local',
  },
  'transport/peer-unreachable': {
    title: 'Peer unreachable',
    severity: 'critical',
    confirm: 'no ready endpoint listens at the address (kubectl get endpoints is empty, or nc cannot connect)',
    next: 'kubectl get endpoints SERVICE -n NS -o wide',
    fix: 'Fix the address/port or the endpoint readiness before looking at TLS.',
    subject: 'peer',
  },
  'transport/sds-not-delivered': {
    title: 'Certificate never delivered to the proxy (SDS)',
    severity: 'critical',
    confirm: 'istioctl proxy-config secret shows the default or ROOTCA secret WARMING, or /certs is empty',
    next: "istioctl proxy-config secret {pod} -n NS; kubectl logs {pod} -n NS -c istio-proxy | grep -iE 'failed to generate secret|sds|ca request'",
    fix: 'Fix the agent → CA path (istiod reachable, service-account token valid, CA healthy), then restart the pod.',
    subject: 'local',
  },
};
