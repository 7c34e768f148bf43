/**
 * `explain` over real-world error strings: each case names where the string was seen (an issue thread, a
 * reference doc, a library's own source), and asserts the rank-1 rule, who rejected whom, and the TLS alert.
 * "failure-cases" and "formats" name the team's notes these strings were gathered in, each from a public
 * source: the issue thread or library source a case names, Envoy's admin docs and BoringSSL's error tables.
 * Strings are quoted as the threads show them (timestamps and addresses kept where they were pasted so).
 */
import { describe, expect, it } from 'vitest';
import { explain, explainText } from '../../src/explain/explain.js';
import { decodeErrorText, MAX_EXPLAIN_BYTES } from '../../src/explain/decode.js';
import { decodeBoringSsl, decodeHexError } from '../../src/explain/codes.js';
import { SIGNALS, type Rejection } from '../../src/explain/table.js';
import { pastedSymptom } from '../../src/explain/symptom-deriver.js';
import { catalogue } from '../../src/explain/catalogue.js';
import { SIGNAL_IDS, SYMPTOM_CODES } from '../../src/model/symptom.js';
import { MtlsDoctorError } from '../../src/errors.js';
import { rules } from '../../rules/index.js';
import type { EvidenceBundle } from '../../src/evidence/types.js';

interface Case {
  /** Where the string comes from. */
  source: string;
  family: 'envoy' | 'boringssl' | 'openssl/node' | 'go' | 'rustls/linkerd' | 'curl' | 'java';
  text: string;
  rule: string;
  rejection: Rejection;
  alert: number | null;
  /** Asserted when the case is about the verdict (certain vs likely). */
  verdict?: 'failing' | 'unknown';
  /** The text cannot tell the cause from its rivals: it must be among the first N candidates (default: first). */
  within?: number;
}

const CVF_503 =
  'upstream connect error or disconnect/reset before headers. reset reason: connection failure, transport failure reason: TLS error: 268435581:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED';

const CASES: Case[] = [
  // ── Envoy / Istio ────────────────────────────────────────────────────────────────────────────────
  { source: 'istio/istio#34920 (title)', family: 'envoy', text: CVF_503, rule: 'chain/unknown-authority', rejection: 'we-rejected-peers', alert: null, verdict: 'unknown' },
  {
    source: 'envoyproxy/envoy#42266 (new TLS_error:|…|:TLS_error_end form)',
    family: 'envoy',
    text: 'upstream connect error or disconnect/reset before headers. reset reason: remote connection failure, transport failure reason: TLS_error:|268435581:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED:TLS_error_end',
    rule: 'chain/unknown-authority',
    rejection: 'we-rejected-peers',
    alert: null,
  },
  {
    source: 'istio/istio#32562 (access log, underscore form, UF,URX)',
    family: 'envoy',
    text: '[2021-04-30T08:19:22.064Z] "GET /productpage HTTP/1.1" 503 UF,URX upstream_reset_before_response_started{connection_failure,TLS_error:_268435581:SSL_routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED} - "TLS error: 268435581:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED" 0 195 77 - "172.20.1.53" "curl/7.76.1-DEV" "621a908e-393d-967a-8a35-77d382fbbdf4" "productpage.istio.svc.cluster.local:9080" "172.20.0.23:9080" outbound|9080||productpage.istio.svc.cluster.local',
    rule: 'chain/unknown-authority',
    rejection: 'we-rejected-peers',
    alert: null,
  },
  {
    source: 'istio/istio#26349 (older Envoy debug lines)',
    family: 'envoy',
    text: '[C321] handshake error: 1\n[C321] TLS error: 268435581:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED\n[C321] closing socket: 0',
    rule: 'chain/unknown-authority',
    rejection: 'we-rejected-peers',
    alert: null,
  },
  {
    source: 'failure-cases §3 + istio/istio#18990 (verify detail line before TLS_error, depth 1)',
    family: 'envoy',
    text: 'verify cert failed: X509_verify_cert: certificate verification error at depth 1: certificate has expired\n[Tags: "ConnectionId":"42"] remote address:10.1.2.3:8080,TLS_error:|268435581:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED:TLS_error_end',
    rule: 'expiry/intermediate-expired',
    rejection: 'we-rejected-peers',
    alert: null,
    verdict: 'failing',
  },
  {
    source: 'failure-cases §3 (newer builds inline the detail), depth 0',
    family: 'envoy',
    text: 'TLS_error:|268435581:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED:verify cert failed: X509_verify_cert: certificate verification error at depth 0: certificate has expired:TLS_error_end',
    rule: 'expiry/leaf-expired',
    rejection: 'we-rejected-peers',
    alert: null,
    verdict: 'failing',
  },
  {
    source: 'envoyproxy/envoy#18510 via failure-cases (expired cross-signed root at depth 2)',
    family: 'envoy',
    text: 'verify cert failed: X509_verify_cert: certificate verification error at depth 2: certificate has expired',
    rule: 'expiry/root-expired',
    rejection: 'we-rejected-peers',
    alert: null,
  },
  { source: 'istio/istio#49874 (title)', family: 'envoy', text: 'the error message "verify cert failed: SAN matcher" is reported when running mtls', rule: 'san/identity-mismatch', rejection: 'we-rejected-peers', alert: null, verdict: 'failing' },
  {
    source: 'envoyproxy/envoy#43069 + failure-cases §3 ("certificate SANs are [...]"): foreign trust domain',
    family: 'envoy',
    text: 'verify cert failed: SAN matcher, certificate SANs are [spiffe://cluster-b.local/ns/shop/sa/cart] while spiffe://cluster-a.local/ns/shop/sa/cart is expected',
    rule: 'san/trust-domain-mismatch',
    rejection: 'we-rejected-peers',
    alert: null,
  },
  {
    source: 'aidancarson.com/blog/istio-pod-to-pod-mtls via failure-cases (UC)',
    family: 'envoy',
    text: 'upstream connect error or disconnect/reset before headers. reset reason: connection termination',
    rule: 'transport/client-cert-required',
    rejection: 'unknown',
    alert: null,
  },
  { source: 'istio/istio#35870 (title)', family: 'envoy', text: 'TLS error: 268435703:SSL routines:OPENSSL_internal:WRONG_VERSION_NUMBER', rule: 'transport/peer-not-tls', rejection: 'no-tls', alert: null, verdict: 'failing' },
  { source: 'istio/istio#53030', family: 'envoy', text: 'TLS_error:|268435703:SSL routines:OPENSSL_internal:WRONG_VERSION_NUMBER:TLS_error_end:TLS_error_end', rule: 'transport/peer-not-tls', rejection: 'no-tls', alert: null },
  { source: 'istio/istio#33208', family: 'envoy', text: 'TLS_error:_268435703:SSL_routines:OPENSSL_internal:WRONG_VERSION_NUMBER', rule: 'transport/peer-not-tls', rejection: 'no-tls', alert: null },
  // The server received plaintext: the client is not speaking TLS (issue 20: not "the peer is not TLS").
  { source: 'istio/istio#26922 via failure-cases (plaintext HTTP into a TLS listener)', family: 'envoy', text: 'TLS error: 268435612:SSL routines:OPENSSL_internal:HTTP_REQUEST', rule: 'policy/strict-plaintext-client', rejection: 'no-tls', alert: null },
  { source: 'envoyproxy/ratelimit#296 via failure-cases', family: 'envoy', text: '[2022-03-01T10:00:00.000Z] "- - -" 0 NR filter_chain_not_found - "-" 0 0 0 - "-" "-" "-" "-" "-" - - 10.0.0.7:8081 10.0.0.9:42310 - -', rule: 'policy/strict-plaintext-client', rejection: 'no-tls', alert: null },
  // The app originated TLS into a listener with plaintext chains; the line alone reads like plaintext into STRICT.
  { source: 'aws/aws-app-mesh-roadmap#244 via failure-cases', family: 'envoy', text: '[C12] closing connection: no matching filter chain found', rule: 'transport/peer-not-tls', rejection: 'no-tls', alert: null, within: 3 },
  { source: 'istio/istio#26468 via failure-cases', family: 'envoy', text: '"GET /api HTTP/1.1" 503 UF,URX "-" "TLS error: Secret is not supplied by SDS"', rule: 'transport/sds-not-delivered', rejection: 'local-setup', alert: null, verdict: 'failing' },
  { source: 'hashicorp/consul#10213 via failure-cases', family: 'envoy', text: 'TLS error: 268436501:SSL routines:OPENSSL_internal:SSLV3_ALERT_CERTIFICATE_EXPIRED', rule: 'expiry/leaf-expired', rejection: 'peer-rejected-ours', alert: 45, verdict: 'unknown' },
  { source: 'istio/istio#52356 via failure-cases', family: 'envoy', text: 'TLS_error:|268436504:SSL routines:OPENSSL_internal:TLSV1_ALERT_UNKNOWN_CA:TLS_error_end', rule: 'chain/unknown-authority', rejection: 'peer-rejected-ours', alert: 48 },
  { source: 'istio/istio#30769 via failure-cases', family: 'envoy', text: 'TLS error: 268436502:SSL routines:OPENSSL_internal:SSLV3_ALERT_CERTIFICATE_UNKNOWN', rule: 'san/identity-mismatch', rejection: 'peer-rejected-ours', alert: 46 },
  {
    source: 'istio/istio#41666 via failure-cases (client and server logs pasted together)',
    family: 'envoy',
    text: 'client: ' + CVF_503 + '\nserver: TLS error: 268436502:SSL routines:OPENSSL_internal:SSLV3_ALERT_CERTIFICATE_UNKNOWN',
    rule: 'san/identity-mismatch',
    rejection: 'peer-rejected-ours',
    alert: 46,
  },
  { source: 'formats §6 (fail_verify_san on the verifying side)', family: 'envoy', text: 'cluster.outbound|9080||reviews.default.svc.cluster.local.ssl.fail_verify_san: 7', rule: 'san/identity-mismatch', rejection: 'we-rejected-peers', alert: null },
  { source: 'formats §6 (TLS without a client cert → STRICT: fail_verify_no_cert)', family: 'envoy', text: 'listener.0.0.0.0_15006.ssl.fail_verify_no_cert: 12', rule: 'transport/client-cert-required', rejection: 'we-rejected-peers', alert: null },
  { source: 'istio/istio#17139 via failure-cases (UF,URX, no transport failure reason)', family: 'envoy', text: '"GET /healthz HTTP/1.1" 503 UF,URX "-" "-" 0 91 29 - "-" "curl/7.64.0"', rule: 'transport/peer-rejected-certificate', rejection: 'unknown', alert: null },
  {
    source: 'istio/istio.io mtls-migration task via formats §6 (plaintext client → STRICT)',
    family: 'curl',
    text: 'sleep.legacy to httpbin.foo: 000\ncommand terminated with exit code 56',
    // No TLS word anywhere: the client spoke plaintext (the task's own point), so STRICT reset it.
    rule: 'policy/strict-plaintext-client',
    rejection: 'unknown',
    alert: null,
  },

  // ── BoringSSL codes outside Envoy ────────────────────────────────────────────────────────────────
  {
    source: 'owntracks/android#1225 (Conscrypt/BoringSSL hex form)',
    family: 'boringssl',
    text: 'javax.net.ssl.SSLProtocolException: Read error: ssl=0xb40000736a9bf488: Failure in SSL library, usually a protocol error\nerror:10000418:SSL routines:OPENSSL_internal:TLSV1_ALERT_UNKNOWN_CA (/usr/local/google/home/prb/src/boringssl/ssl/tls_record.cc:594 0xb40000736953a5c8:0x00000001)',
    rule: 'chain/unknown-authority',
    rejection: 'peer-rejected-ours',
    alert: 48,
  },
  { source: 'fullstorydev/grpcurl#359 (gRPC core)', family: 'boringssl', text: 'Handshake failed with fatal error SSL_ERROR_SSL: error:100000f7:SSL routines:OPENSSL_internal:WRONG_VERSION_NUMBER.', rule: 'transport/peer-not-tls', rejection: 'no-tls', alert: null },
  { source: 'failure-cases §3 (268436498 derived from the formula)', family: 'boringssl', text: 'TLS error: 268436498:SSL routines:OPENSSL_internal:SSLV3_ALERT_BAD_CERTIFICATE', rule: 'chain/unknown-authority', rejection: 'peer-rejected-ours', alert: 42 },
  { source: 'failure-cases §3 + istio/istio#47708 (268436499, EKU)', family: 'boringssl', text: 'TLS error: 268436499:SSL routines:OPENSSL_internal:SSLV3_ALERT_UNSUPPORTED_CERTIFICATE', rule: 'key-usage/missing-client-auth', rejection: 'peer-rejected-ours', alert: 43 },
  { source: 'boringssl ssl.h SSL_R_TLSV1_ALERT_CERTIFICATE_REQUIRED 1116 + failure-cases §3 (268436572)', family: 'boringssl', text: 'TLS error: 268436572:SSL routines:OPENSSL_internal:TLSV1_ALERT_CERTIFICATE_REQUIRED', rule: 'transport/client-cert-required', rejection: 'peer-rejected-ours', alert: 116 },
  { source: 'Envoy prints only the number in some paths (decoded from the packed code alone)', family: 'boringssl', text: 'TLS error: 268436504', rule: 'chain/unknown-authority', rejection: 'peer-rejected-ours', alert: 48 },

  // ── OpenSSL / Node ───────────────────────────────────────────────────────────────────────────────
  {
    source: 'wazuh/wazuh#20679 (Node on OpenSSL 1.1)',
    family: 'openssl/node',
    text: '{"message":"140324594411392:error:14094418:SSL routines:ssl3_read_bytes:tlsv1 alert unknown ca:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:1563:SSL alert number 48\\n","name":"Error","code":"ERR_SSL_TLSV1_ALERT_UNKNOWN_CA"}',
    rule: 'chain/unknown-authority',
    rejection: 'peer-rejected-ours',
    alert: 48,
  },
  {
    source: 'rustls/tokio-rustls#83 (openssl s_client, TLS 1.3)',
    family: 'openssl/node',
    text: '40774BE4047F0000:error:0A00045C:SSL routines:ssl3_read_bytes:tlsv13 alert certificate required:../ssl/record/rec_layer_s3.c:1586:SSL alert number 116',
    rule: 'transport/client-cert-required',
    rejection: 'peer-rejected-ours',
    alert: 116,
  },
  { source: 'akash-network/console#3647 (Node err.code)', family: 'openssl/node', text: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', rule: 'transport/client-cert-required', rejection: 'peer-rejected-ours', alert: 116 },
  { source: 'akash-network/console#3647 (Node err.code)', family: 'openssl/node', text: 'Error: ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE', rule: 'chain/unknown-authority', rejection: 'peer-rejected-ours', alert: 42 },
  {
    source: 'failure-cases §3 (Node on OpenSSL 3: note the slash)',
    family: 'openssl/node',
    text: "Error: C0A7F4F7:error:0A000416:SSL routines:ssl3_read_bytes:ssl/tls alert certificate unknown:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:1584:SSL alert number 46 code: 'ERR_SSL_SSL/TLS_ALERT_CERTIFICATE_UNKNOWN'",
    rule: 'san/identity-mismatch',
    rejection: 'peer-rejected-ours',
    alert: 46,
  },
  {
    source: 'linkerd/linkerd2#10697',
    family: 'openssl/node',
    text: 'failed with error error trying to connect: error:1416F086:SSL routines:tls_process_server_certificate:certificate verify failed:../ssl/statem/statem_clnt.c:1914: (unable to get local issuer certificate)',
    rule: 'chain/unknown-authority',
    rejection: 'we-rejected-peers',
    alert: null,
    verdict: 'failing',
  },
  { source: 'linkerd/linkerd2#10994', family: 'openssl/node', text: 'error:1416F086:SSL routines:tls_process_server_certificate:certificate verify failed:ssl/statem/statem_clnt.c:1921:: unable to get issuer certificate', rule: 'chain/unknown-authority', rejection: 'we-rejected-peers', alert: null },
  {
    source: 'forwardemail/superagent#1485 (Node)',
    family: 'openssl/node',
    text: "{ Error: unable to get local issuer certificate\n    at TLSSocket.<anonymous> (_tls_wrap.js:1116:38)\n  code: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',\n  response: undefined }",
    rule: 'chain/unknown-authority',
    rejection: 'we-rejected-peers',
    alert: null,
  },
  { source: 'nicferrier/nodejs-self-signed-cert-server-and-client#1 (Node)', family: 'openssl/node', text: "Error: self signed certificate\n    at TLSSocket.onConnectSecure (node:_tls_wrap:1518:34) {\n  code: 'DEPTH_ZERO_SELF_SIGNED_CERT'\n}", rule: 'chain/unknown-authority', rejection: 'we-rejected-peers', alert: null },
  { source: 'cert-manager/istio-csr#155 via failure-cases (openssl s_client)', family: 'openssl/node', text: 'depth=2 CN = Vault Root\nverify error:num=19:self signed certificate in certificate chain', rule: 'chain/unknown-authority', rejection: 'we-rejected-peers', alert: null },
  {
    source: 'openconfig/gnmic#113 (openssl s_client: issuer missing, then the leaf alone)',
    family: 'openssl/node',
    text: 'depth=0 C = IN, ST = UP, L = abc, O = abc3, CN = servershikha\nverify error:num=20:unable to get local issuer certificate\nverify return:1\ndepth=0 C = IN, ST = UP, L = abc, O = abc3, CN = servershikha\nverify error:num=21:unable to verify the first certificate',
    rule: 'chain/unknown-authority',
    rejection: 'we-rejected-peers',
    alert: null,
  },
  { source: 'openconfig/gnmic#113 (OpenSSL info callback)', family: 'openssl/node', text: 'SSL_connect:SSLv3 write finished A\nSSL3 alert read:fatal:bad certificate\nSSL_connect:failed in error', rule: 'chain/unknown-authority', rejection: 'peer-rejected-ours', alert: 42 },
  {
    source: 'jspm/project#311 (Node)',
    family: 'openssl/node',
    text: "Error [ERR_TLS_CERT_ALTNAME_INVALID]: Hostname/IP does not match certificate's altnames: Host: ga.jspm.io. is not in the cert's altnames: DNS:*.rbxcdn.com, DNS:*.cachefly.net, DNS:rbxcdn.com",
    rule: 'san/identity-mismatch',
    rejection: 'we-rejected-peers',
    alert: null,
  },
  { source: 'failure-cases §3 Node X509 codes (CERT_HAS_EXPIRED)', family: 'openssl/node', text: "Error: certificate has expired\n    at TLSSocket.onConnectSecure (node:_tls_wrap:1674:34) {\n  code: 'CERT_HAS_EXPIRED'\n}", rule: 'expiry/leaf-expired', rejection: 'we-rejected-peers', alert: null, verdict: 'failing' },
  { source: 'failure-cases §3 (openssl s_client num=10 at depth 1)', family: 'openssl/node', text: 'depth=1 O = cluster.local, CN = Intermediate CA\nverify error:num=10:certificate has expired\nnotAfter=Nov 29 02:47:00 2026 GMT', rule: 'expiry/intermediate-expired', rejection: 'we-rejected-peers', alert: null },
  { source: 'OpenSSL x509_vfy.h X509_V_ERR_PERMITTED_VIOLATION (47) as s_client prints it', family: 'openssl/node', text: 'depth=0 \nverify error:num=47:permitted subtree violation', rule: 'chain/name-constraints-violated', rejection: 'we-rejected-peers', alert: null },
  { source: 'OpenSSL X509_V_ERR_CERT_REVOKED (23) as s_client prints it', family: 'openssl/node', text: 'depth=0 O = cluster.local\nverify error:num=23:certificate revoked', rule: 'chain/certificate-revoked', rejection: 'we-rejected-peers', alert: null },
  { source: 'OpenSSL X509_V_ERR_CERT_CHAIN_TOO_LONG (22)', family: 'openssl/node', text: 'verify error:num=22:certificate chain too long', rule: 'chain/max-depth-exceeded', rejection: 'we-rejected-peers', alert: null },
  { source: 'OpenSSL purpose check on a CA (num=26 at depth 1), as in key-usage/intermediate-eku-mismatch', family: 'openssl/node', text: 'depth=1 O = cluster.local, CN = Intermediate CA\nverify error:num=26:unsupported certificate purpose', rule: 'key-usage/intermediate-eku-mismatch', rejection: 'we-rejected-peers', alert: null },
  { source: 'boringssl ssl.h SSL_R_SSLV3_ALERT_CERTIFICATE_REVOKED 1044 (268436500 by the formula)', family: 'boringssl', text: 'TLS error: 268436500:SSL routines:OPENSSL_internal:SSLV3_ALERT_CERTIFICATE_REVOKED', rule: 'chain/certificate-revoked', rejection: 'peer-rejected-ours', alert: 44 },
  { source: 'failure-cases §3 (openssl num=26)', family: 'openssl/node', text: 'verify error:num=26:unsupported certificate purpose', rule: 'key-usage/missing-client-auth', rejection: 'we-rejected-peers', alert: null },
  { source: 'openssl/openssl#17519 (curl on OpenSSL 1.1)', family: 'openssl/node', text: 'Error:OpenSSL SSL_read: error:14094418:SSL routines:ssl3_read_bytes:tlsv1 alert unknown ca, errno 0', rule: 'chain/unknown-authority', rejection: 'peer-rejected-ours', alert: 48 },
  { source: 'civetweb/civetweb#1014', family: 'openssl/node', text: 'sslize error: error:14094416:SSL routines:ssl3_read_bytes:sslv3 alert certificate unknown', rule: 'san/identity-mismatch', rejection: 'peer-rejected-ours', alert: 46 },
  { source: 'Node server side (tlsClientError) via failure-cases §3', family: 'openssl/node', text: 'tlsClientError: Error: peer did not return a certificate code: ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE', rule: 'transport/client-cert-required', rejection: 'we-rejected-peers', alert: null },

  // ── Go ───────────────────────────────────────────────────────────────────────────────────────────
  {
    source: 'hashicorp-education/learn-consul-docker#15',
    family: 'go',
    text: 'transport: Error while dialing x509: certificate has expired or is not yet valid: current time 2023-07-11T16:39:32Z is after 2022-02-23T15:30:42Z',
    rule: 'expiry/leaf-expired',
    rejection: 'we-rejected-peers',
    alert: null,
    verdict: 'failing',
  },
  {
    source: 'Go crypto/x509 verify.go ("current time %s is before %s"); clock skew as in linkerd/linkerd2#2762',
    family: 'go',
    text: 'x509: certificate has expired or is not yet valid: current time 2026-11-29T02:59:40Z is before 2026-11-29T03:00:00Z',
    rule: 'expiry/not-yet-valid',
    rejection: 'we-rejected-peers',
    alert: null,
  },
  {
    source: 'istio/istio#36723 via failure-cases (reinstall with a new root)',
    family: 'go',
    text: 'x509: certificate signed by unknown authority (possibly because of "crypto/rsa: verification error" while trying to verify candidate authority certificate "cluster.local")',
    rule: 'chain/unknown-authority',
    rejection: 'we-rejected-peers',
    alert: null,
  },
  {
    source: 'linkerd/linkerd2#11440',
    family: 'go',
    text: 'failed to call webhook: Post "https://linkerd-policy-validator.linkerd.svc:443/?timeout=10s": tls: failed to verify certificate: x509: certificate signed by unknown authority (possibly because of "x509: invalid signature: parent certificate cannot sign this kind of certificate" while trying to verify candidate authority certificate "linkerd-policy-validator.linkerd.svc")',
    rule: 'chain/issuer-not-ca',
    rejection: 'we-rejected-peers',
    alert: null,
  },
  { source: 'grafana/mimir#10647 via failure-cases', family: 'go', text: 'agent.server.rpc: failed to read byte: error="remote error: tls: bad certificate"', rule: 'chain/unknown-authority', rejection: 'peer-rejected-ours', alert: 42 },
  { source: 'go-gost/gost#514', family: 'go', text: '{"level":"error","msg":"remote error: tls: certificate required","network":"tcp"}', rule: 'transport/client-cert-required', rejection: 'peer-rejected-ours', alert: 116 },
  { source: 'failure-cases §3 (Go peers)', family: 'go', text: 'rpc error: code = Unavailable desc = connection error: desc = "transport: authentication handshake failed: remote error: tls: unknown certificate authority"', rule: 'chain/unknown-authority', rejection: 'peer-rejected-ours', alert: 48 },
  { source: 'failure-cases §3 (Go EKU)', family: 'go', text: 'tls: failed to verify certificate: x509: certificate specifies an incompatible key usage', rule: 'key-usage/missing-client-auth', rejection: 'we-rejected-peers', alert: null },
  { source: 'rules/san/identity-mismatch.ts message (Go SAN form)', family: 'go', text: 'x509: certificate is valid for reviews.default.svc.cluster.local, not ratings.default.svc.cluster.local', rule: 'san/identity-mismatch', rejection: 'we-rejected-peers', alert: null },
  { source: 'Trisia/gotlcp#18 (Go server side)', family: 'go', text: "http: TLS handshake error from 10.0.0.5:51234: tls: client didn't provide a certificate", rule: 'transport/client-cert-required', rejection: 'we-rejected-peers', alert: null },
  { source: 'Go net/http client to a plaintext port', family: 'go', text: 'Get "https://ratings:9080/": http: server gave HTTP response to HTTPS client', rule: 'transport/peer-not-tls', rejection: 'no-tls', alert: null },

  // ── rustls / Linkerd / ztunnel ───────────────────────────────────────────────────────────────────
  {
    source: 'linkerd/linkerd2#11156',
    family: 'rustls/linkerd',
    text: 'linkerd_reconnect: Failed to connect error=endpoint 10.129.192.22:8080: invalid peer certificate contents: invalid peer certificate: UnknownIssuer error.sources=[invalid peer certificate contents: invalid peer certificate: UnknownIssuer]',
    rule: 'chain/unknown-authority',
    rejection: 'we-rejected-peers',
    alert: null,
  },
  { source: 'linkerd/linkerd2#6427', family: 'rustls/linkerd', text: 'ERROR ThreadId(02) daemon:identity: linkerd2_proxy_identity::certify: Received invalid ceritficate: invalid certificate: CertNotValidYet', rule: 'expiry/not-yet-valid', rejection: 'we-rejected-peers', alert: null },
  { source: 'linkerd/linkerd2#6427 (rustls sends the alert)', family: 'rustls/linkerd', text: 'WARN ThreadId(01) dst: rustls::session: Sending fatal alert BadCertificate', rule: 'chain/unknown-authority', rejection: 'we-rejected-peers', alert: 42 },
  { source: 'istio/istio#60626 via failure-cases (ztunnel)', family: 'rustls/linkerd', text: 'error="connection closed due to policy rejection: Identity verification error: peer did not present the expected SAN"', rule: 'san/identity-mismatch', rejection: 'we-rejected-peers', alert: null },
  { source: 'erebe/wstunnel#234', family: 'rustls/linkerd', text: 'Cannot create tls connector: invalid peer certificate: BadEncoding', rule: 'chain/malformed-certificate', rejection: 'we-rejected-peers', alert: null },
  { source: 'rustls/webpki Error::CaUsedAsEndEntity (a self-signed CA served as the leaf, as in the Flyte local-TLS guide)', family: 'rustls/linkerd', text: 'invalid peer certificate: CaUsedAsEndEntity', rule: 'chain/leaf-is-ca', rejection: 'we-rejected-peers', alert: null },
  { source: 'rustls CertificateError for webpki UnhandledCriticalExtension', family: 'rustls/linkerd', text: 'invalid peer certificate: Other(OtherError(UnhandledCriticalExtension))', rule: 'chain/unknown-critical-extension', rejection: 'we-rejected-peers', alert: null },
  { source: 'rustls/rustls#2448', family: 'rustls/linkerd', text: 'TLS error: invalid peer certificate: BadSignature', rule: 'chain/bad-signature', rejection: 'we-rejected-peers', alert: null },
  { source: 'rustls CertificateError::NotValidForName (brief list)', family: 'rustls/linkerd', text: 'invalid peer certificate: NotValidForName', rule: 'san/identity-mismatch', rejection: 'we-rejected-peers', alert: null },
  { source: 'rustls CertificateError::Expired (brief list)', family: 'rustls/linkerd', text: 'tls handshake eof: invalid peer certificate: Expired', rule: 'expiry/leaf-expired', rejection: 'we-rejected-peers', alert: null },
  {
    source: 'rustls Display for NotValidForName (newer prose, seen in public test logs)',
    family: 'rustls/linkerd',
    text: 'tls handshake with example.invalid: invalid peer certificate: certificate not valid for name "example.invalid"; certificate is only valid for DnsName("localhost") or IpAddress(127.0.0.1)',
    rule: 'san/identity-mismatch',
    rejection: 'we-rejected-peers',
    alert: null,
  },
  { source: 'rustls Error::InvalidMessage (plaintext on a TLS port)', family: 'rustls/linkerd', text: 'received corrupt message of type InvalidContentType', rule: 'transport/peer-not-tls', rejection: 'no-tls', alert: null },
  { source: 'rustls AlertDescription::CertificateRequired (received)', family: 'rustls/linkerd', text: 'io error: received fatal alert: CertificateRequired', rule: 'transport/client-cert-required', rejection: 'peer-rejected-ours', alert: 116 },

  // ── curl ─────────────────────────────────────────────────────────────────────────────────────────
  // curl without any TLS output spoke plaintext: a reset is then most likely a STRICT server refusing it.
  { source: 'istio/istio#60626 via failure-cases', family: 'curl', text: 'curl: (56) Recv failure: Connection reset by peer', rule: 'policy/strict-plaintext-client', rejection: 'unknown', alert: null },
  { source: 'istio/istio#37431 via failure-cases (pod IP under STRICT)', family: 'curl', text: 'curl: (52) Empty reply from server', rule: 'policy/strict-plaintext-client', rejection: 'unknown', alert: null },
  { source: 'curl exit 60 with OpenSSL detail', family: 'curl', text: 'curl: (60) SSL certificate problem: unable to get local issuer certificate', rule: 'chain/unknown-authority', rejection: 'we-rejected-peers', alert: null, verdict: 'failing' },
  { source: 'curl exit 60, a different root', family: 'curl', text: 'curl: (60) SSL certificate problem: self signed certificate in certificate chain', rule: 'chain/unknown-authority', rejection: 'we-rejected-peers', alert: null },
  { source: 'curl exit 58', family: 'curl', text: "curl: (58) unable to set private key file: 'client.key' type PEM", rule: 'chain/key-mismatch', rejection: 'local-setup', alert: null },
  { source: 'layer5io/istio-service-mesh-workshop#25', family: 'curl', text: 'curl: (16) SSL_write() returned SYSCALL, errno = 104', rule: 'transport/client-cert-required', rejection: 'unknown', alert: null },
  { source: 'layer5io/istio-service-mesh-workshop#25', family: 'curl', text: 'curl: (7) Failed to connect to details port 9080: Connection refused', rule: 'transport/peer-unreachable', rejection: 'no-connection', alert: null },
  { source: 'istio/istio#47708 via failure-cases (curl alert display 555 = 2 << 8 | 43)', family: 'curl', text: '* TLSv1.3 (IN), TLS alert, unsupported certificate (555):', rule: 'key-usage/missing-client-auth', rejection: 'peer-rejected-ours', alert: 43 },
  { source: 'curl/curl#6790', family: 'curl', text: 'curl: (35) error:14094410:SSL routines:ssl3_read_bytes:sslv3 alert handshake failure', rule: 'transport/client-cert-required', rejection: 'peer-rejected-ours', alert: 40 },
  { source: 'apache/apisix-ingress-controller#2092', family: 'curl', text: '* TLSv1.3 (IN), TLS alert, internal error (592):\ncurl: (35) OpenSSL/3.0.8: error:0A000438:SSL routines::tlsv1 alert internal error', rule: 'transport/peer-rejected-certificate', rejection: 'peer-rejected-ours', alert: 80 },
  { source: 'failure-cases §3 (curl on OpenSSL 3, TLS 1.3 rejection after the handshake)', family: 'curl', text: 'curl: (56) OpenSSL SSL_read: error:0A00045C:SSL routines::tlsv13 alert certificate required, errno 0', rule: 'transport/client-cert-required', rejection: 'peer-rejected-ours', alert: 116 },
  { source: 'istio/istio#3155 via failure-cases (GnuTLS curl)', family: 'curl', text: 'curl: (35) gnutls_handshake() failed: Certificate is expired', rule: 'expiry/leaf-expired', rejection: 'we-rejected-peers', alert: null },

  // ── Java ─────────────────────────────────────────────────────────────────────────────────────────
  { source: 'grpc/grpc-java#6934 via failure-cases', family: 'java', text: 'java.security.cert.CertificateException: Extended key usage does not permit use for TLS client authentication', rule: 'key-usage/missing-client-auth', rejection: 'we-rejected-peers', alert: null },
  { source: 'javax.net.ssl (received alert)', family: 'java', text: 'javax.net.ssl.SSLHandshakeException: Received fatal alert: certificate_unknown', rule: 'san/identity-mismatch', rejection: 'peer-rejected-ours', alert: 46 },
];

describe('explain: real-world error strings', () => {
  it('covers at least 50 strings across every family', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(50);
    for (const f of ['envoy', 'boringssl', 'openssl/node', 'go', 'rustls/linkerd', 'curl'] as const) expect(CASES.filter((c) => c.family === f).length, f).toBeGreaterThanOrEqual(5);
  });

  it.each(CASES.map((c) => [`${c.source}: ${c.text.slice(0, 70)}`, c] as const))('%s', async (_name, c) => {
    const report = await explain(c.text, { at: '2026-11-29T03:00:00Z' });
    const d = decodeErrorText(c.text);
    const ranked = report.findings.map((f) => `${f.rule} ${f.confidence}`);
    if (c.within) expect(report.findings.slice(0, c.within).map((f) => f.rule), JSON.stringify(ranked)).toContain(c.rule);
    else expect(report.findings[0]?.rule, JSON.stringify(ranked)).toBe(c.rule);
    expect(d.rejection).toBe(c.rejection);
    expect(d.alert?.number ?? null).toBe(c.alert);
    if (c.verdict) expect(report.verdict).toBe(c.verdict);
    // The report shape of diagnose, with the pasted symptom.
    expect(report.schemaVersion).toBe(1);
    expect(report.symptom).toMatchObject({ source: 'pasted', code: d.code });
    expect(report.findings.map((f) => f.rank)).toEqual(report.findings.map((_, i) => i + 1));
    for (const f of report.findings) {
      expect(f.explainsSymptom).toBe(true);
      expect(f.stage).toBe(f.rule.split('/')[0]);
      expect(f.docs).toMatch(new RegExp(`#${f.rule.replace('/', '-')}$`));
      expect(f.remediation[0]).toContain(f.verify);
    }
    const conf = report.findings.map((f) => f.confidence);
    expect(conf).toEqual([...conf].sort((a, b) => b - a));
    // Evidence quotes the paste: the rank-1 finding carries a fragment of the text itself.
    const flat = c.text.replace(/\s+/g, ' ');
    const quoted = report.findings[0]!.evidence.filter((e) => e.source.startsWith('pasted text'));
    expect(quoted.length).toBeGreaterThan(0);
    expect(quoted.some((e) => flat.includes(e.detail.replace(/^…|…$/g, '')))).toBe(true);
  });
});

describe('decoding packed codes', () => {
  it('BoringSSL decimal: library 16 (SSL) and the reason', () => {
    expect(decodeBoringSsl(268435581)).toMatchObject({ lib: 16, reason: 125, reasonName: 'CERTIFICATE_VERIFY_FAILED' });
    expect(decodeBoringSsl(268435703)).toMatchObject({ lib: 16, reason: 247, reasonName: 'WRONG_VERSION_NUMBER' });
    expect(decodeBoringSsl(268436504)).toMatchObject({ lib: 16, reason: 1048, reasonName: 'TLSV1_ALERT_UNKNOWN_CA' });
    expect(decodeBoringSsl(268436501)).toMatchObject({ reason: 1045, reasonName: 'SSLV3_ALERT_CERTIFICATE_EXPIRED' });
    expect(decodeBoringSsl(268436572)).toMatchObject({ reason: 1116, reasonName: 'TLSV1_ALERT_CERTIFICATE_REQUIRED' });
  });

  it('hex: OpenSSL 3 packs lib << 23, OpenSSL 1.x and BoringSSL lib << 24', () => {
    expect(decodeHexError('0A000418')).toMatchObject({ flavour: 'OpenSSL 3', lib: 20, reason: 1048, reasonName: 'TLSV1_ALERT_UNKNOWN_CA' });
    expect(decodeHexError('0A000086')).toMatchObject({ flavour: 'OpenSSL 3', reason: 134, reasonName: 'CERTIFICATE_VERIFY_FAILED' });
    expect(decodeHexError('14094418')).toMatchObject({ flavour: 'OpenSSL 1.x', lib: 20, reason: 1048 });
    expect(decodeHexError('1408F10B')).toMatchObject({ flavour: 'OpenSSL 1.x', reasonName: 'WRONG_VERSION_NUMBER' });
    expect(decodeHexError('1000045c')).toMatchObject({ flavour: 'BoringSSL', lib: 16, reason: 1116 });
    expect(decodeHexError('0A00045C')).toMatchObject({ flavour: 'OpenSSL 3', reasonName: 'TLSV13_ALERT_CERTIFICATE_REQUIRED' });
    expect(decodeHexError('zz')).toBeNull();
  });

  it('the decoded arithmetic is shown as evidence', async () => {
    const r = await explain('TLS error: 268435581:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED');
    expect(r.findings[0]!.evidence).toContainEqual({ source: 'decoded', detail: expect.stringContaining('268435581 = (16 << 24) + 125: BoringSSL SSL routines (library 16), reason 125 CERTIFICATE_VERIFY_FAILED') });
  });
});

describe('combining recognisers', () => {
  it('the most specific line decides: a depth-1 expiry inside a 503 body with UF,URX and CERTIFICATE_VERIFY_FAILED', async () => {
    const text = `"GET / HTTP/1.1" 503 UF,URX "-" "${CVF_503}"\nverify cert failed: X509_verify_cert: certificate verification error at depth 1: certificate has expired`;
    const r = await explain(text);
    expect(r.findings[0]!.rule).toBe('expiry/intermediate-expired');
    // The generic causes of a bare CERTIFICATE_VERIFY_FAILED (trust, SAN) are not offered once the reason is known.
    expect(r.findings.map((f) => f.rule)).not.toContain('chain/unknown-authority');
    expect(r.findings.map((f) => f.rule)).not.toContain('san/identity-mismatch');
    expect(r.symptom!.detail).toMatch(/Also recognised: .*tls:CERTIFICATE_VERIFY_FAILED/);
    expect(r.verdict).toBe('failing');
  });

  it('a bare CERTIFICATE_VERIFY_FAILED offers several causes with lower confidence than a stated reason', async () => {
    const bare = await explain(CVF_503);
    const stated = await explain('verify cert failed: X509_verify_cert: certificate verification error at depth 0: certificate has expired');
    expect(bare.findings.length).toBeGreaterThanOrEqual(5);
    expect(bare.findings[0]!.confidence).toBeLessThan(stated.findings[0]!.confidence);
  });

  it('the subject and the commands follow the direction: our certificate when the peer rejected it', async () => {
    const theirs = await explain('TLS error: 268436504:SSL routines:OPENSSL_internal:TLSV1_ALERT_UNKNOWN_CA');
    expect(theirs.findings[0]!.subject).toBe('local');
    const ours = await explain('verify cert failed: X509_verify_cert: certificate verification error at depth 0: certificate has expired');
    expect(ours.findings[0]!.subject).toBe('peer');
    expect(ours.findings[0]!.verify).toBe('istioctl proxy-config secret PEER_POD -n NS');
  });

  it('a counter at 0 says nothing failed and is not a symptom', () => {
    expect(decodeErrorText('cluster.outbound|9080||reviews.default.svc.cluster.local.ssl.fail_verify_san: 0').recognised).toBe(false);
  });
});

describe('not recognised, and bad input', () => {
  it('unrecognised text: no findings, a clear symptom with next steps, verdict unknown', async () => {
    const r = await explain('Deployment "reviews" exceeded its progress deadline');
    expect(r.findings).toEqual([]);
    expect(r.verdict).toBe('unknown');
    expect(r.symptom).toMatchObject({ source: 'pasted', code: 'unrecognised' });
    expect(r.symptom!.detail).toMatch(/Not recognised/);
    expect(r.symptom!.detail).toContain('mtls-doctor diagnose --chain');
  });

  it('empty text is a usage error; more than 1 MiB an input error', () => {
    for (const t of ['', '   \n\t']) expect(() => explainText(t)).toThrow(expect.objectContaining({ code: 'E_USAGE', message: expect.stringMatching(/^Cannot explain an empty error text/) }));
    const big = 'x'.repeat(MAX_EXPLAIN_BYTES + 1);
    expect(() => explainText(big)).toThrow(MtlsDoctorError);
    expect(() => explainText(big)).toThrow(/more than the 1 MiB limit/);
  });

  it('1 MiB of noisy log with one error in it decodes in bounded time', () => {
    const line = '2026-11-29T02:47:00.123Z info envoy upstream [C1][S2] request done: status 200 OK path=/api/v1/items?page=42 user-agent="Go-http-client/1.1"\n';
    const filler = line.repeat(Math.floor((MAX_EXPLAIN_BYTES - 300) / line.length));
    const text = filler + 'TLS_error:|268436504:SSL routines:OPENSSL_internal:TLSV1_ALERT_UNKNOWN_CA:TLS_error_end\n';
    const t0 = performance.now();
    const r = explainText(text);
    const ms = performance.now() - t0;
    expect(r.findings[0]!.rule).toBe('chain/unknown-authority');
    expect(ms).toBeLessThan(3000);
  });

  it.each(['\n', ' \n', 'default \n', 'ssl.fail_verify_san ', '0 ', 'x509: certificate is valid for a', 'TLS alert, ', 'remote error: tls: '])(
    'adversarial 1 MiB of %j stays linear',
    (unit) => {
      const text = unit.repeat(Math.floor(MAX_EXPLAIN_BYTES / unit.length) - 1);
      const t0 = performance.now();
      decodeErrorText(text);
      expect(performance.now() - t0).toBeLessThan(2000);
    },
  );
});

describe('the one catalogue', () => {
  it('every symptom code maps to at least one rule (a code no rule explains is dead: give a rule meta.explains for it, or drop it)', () => {
    const known = new Set(catalogue.codes());
    expect(SYMPTOM_CODES.filter((c) => !known.has(c))).toEqual([]);
    expect(catalogue.codes().filter((c) => !SYMPTOM_CODES.includes(c)), 'codes rules explain that src/model/symptom.ts does not list').toEqual([]);
  });

  it('every pasted signal has its summary, and the table names no rule', () => {
    expect(Object.keys(SIGNALS).sort()).toEqual([...SIGNAL_IDS].sort());
    for (const spec of Object.values(SIGNALS)) expect(JSON.stringify(spec)).not.toMatch(/"(expiry|chain|san|key-usage|transport|policy)\/[a-z-]+"/);
  });

  it('every rule that explains a symptom has its hint (confirm, next command, fix), and only those', () => {
    const noHint = rules.filter((r) => r.meta.explains?.length && !r.meta.hint).map((r) => r.meta.id);
    expect(noHint, 'add meta.hint to these rules').toEqual([]);
    const idle = rules.filter((r) => r.meta.hint && !r.meta.explains?.length).map((r) => r.meta.id);
    expect(idle, 'hints on rules no symptom points at').toEqual([]);
  });

  it('weights are 0..1 and a rule lists a symptom once', () => {
    for (const { meta } of rules) {
      const codes = (meta.explains ?? []).map((e) => e.symptom);
      expect(new Set(codes).size, `${meta.id} lists a symptom twice`).toBe(codes.length);
      for (const e of meta.explains ?? []) expect(e.weight > 0 && e.weight <= 1 && e.why.trim() !== '', `${meta.id} ${e.symptom}`).toBe(true);
    }
  });

  it('the --symptom deriver names exactly the rules explain lists', () => {
    for (const c of CASES) {
      const s = pastedSymptom(c.text);
      expect(new Set(catalogue.explainers(s!)), c.source).toEqual(new Set(explainText(c.text).findings.map((f) => f.rule)));
      expect(s).toMatchObject({ source: 'pasted', rejectedBy: 'unknown' });
    }
  });
});

describe('hints', () => {
  it("every rule's next command parses under sh", async () => {
    const { spawnSync } = await import('node:child_process');
    const bad = rules
      .filter((r) => r.meta.hint)
      .map((r) => ({ id: r.meta.id, r: spawnSync('sh', ['-n', '-c', r.meta.hint!.next.replace(/\{pod\}/g, 'POD')], { encoding: 'utf8' }) }))
      .filter((x) => x.r.status !== 0)
      .map((x) => `${x.id}: ${x.r.stderr.trim()}`);
    expect(bad).toEqual([]);
  });
});

describe('explain as a differential (issue 20)', () => {
  const AT = { at: '2026-11-29T03:00:00Z' };

  it('marks every candidate a hypothesis whose confidence is its likelihood, and always says what to run', () => {
    const r = explainText('CERTIFICATE_VERIFY_FAILED', AT);
    expect(r.findings.every((f) => f.hypothesis === true)).toBe(true);
    const total = r.findings.reduce((s, f) => s + f.confidence, 0);
    expect(total).toBeGreaterThan(0.9);
    expect(total).toBeLessThan(1.1);
    expect(r.proves).toMatchObject({ rejection: 'we-rejected-peers', step: 'certificate-verification', certain: false });
    expect(r.decide![0]!.command).toMatch(/^mtls-doctor diagnose /);
    expect(r.decide![0]!.tellsApart).toEqual(r.findings.slice(0, 3).map((f) => f.rule));
    // The paste is quoted on the first candidate only.
    expect(r.findings.slice(1).flatMap((f) => f.evidence).filter((e) => e.detail === 'CERTIFICATE_VERIFY_FAILED')).toEqual([]);
  });

  it('HTTP_REQUEST: the server received plaintext, so the client is the one not speaking TLS', () => {
    const r = explainText('TLS error: 268435612:SSL routines:OPENSSL_internal:HTTP_REQUEST', AT);
    expect(r.proves).toMatchObject({ rejection: 'no-tls', writer: 'server' });
    expect(r.proves!.who).toMatch(/received plaintext .* the client does not speak TLS/);
    expect(r.findings.map((f) => f.rule)).not.toContain('transport/peer-not-tls');
    expect(r.findings[0]!.rule).toBe('policy/strict-plaintext-client');
  });

  it('WRONG_VERSION_NUMBER: we spoke TLS and the server answered in plaintext (the other direction)', () => {
    const r = explainText('TLS_error:|268435703:SSL routines:OPENSSL_internal:WRONG_VERSION_NUMBER:TLS_error_end', AT);
    expect(r.proves).toMatchObject({ rejection: 'no-tls' });
    expect(r.proves!.who).toMatch(/answered in plaintext/);
    expect(r.findings[0]!.rule).toBe('transport/peer-not-tls');
  });

  it('reads Envoy\'s underscore-joined access-log fields', () => {
    const r = explainText('"POST /pay HTTP/1.1" 503 UC upstream_reset_before_response_started{connection_failure,TLS_error:_Secret_is_not_supplied_by_SDS}', AT);
    expect(r.findings[0]!.rule).toBe('transport/sds-not-delivered');
    expect(r.findings[0]!.evidence[0]!.detail).toContain('TLS_error:_Secret_is_not_supplied_by_SDS');
  });

  it('alert 112, a browser\'s and Java\'s spellings of it, and nginx\'s upstream handshake read as SNI, not a certificate', () => {
    for (const t of ['SSL alert number 112', 'NET::ERR_SSL_UNRECOGNIZED_NAME_ALERT', 'javax.net.ssl.SSLProtocolException: handshake alert:  unrecognized_name', 'SSL_do_handshake() failed (SSL: error:14094410:SSL routines:ssl3_read_bytes:sslv3 alert handshake failure:SSL alert number 40) while SSL handshaking to upstream']) {
      const r = explainText(t, AT);
      expect(r.findings[0]?.rule, t).toBe('transport/sni-mismatch');
    }
  });

  it('a plaintext client that read the server\'s TLS alert record (\\x15\\x03) is the client not speaking TLS', () => {
    const r = explainText('net/http: HTTP/1.x transport connection broken: malformed HTTP response "\\x15\\x03\\x01\\x00\\x02\\x02"', AT);
    expect(r.proves!.rejection).toBe('no-tls');
    expect(['transport/client-not-tls', 'policy/strict-plaintext-client']).toContain(r.findings[0]!.rule);
  });

  it('a bare 503 from Envoy is not blamed on a certificate', () => {
    const r = explainText('HTTP/1.1 503 Service Unavailable\nserver: envoy\n\nupstream connect error or disconnect/reset before headers. reset reason: connection termination', AT);
    expect(['expiry', 'chain', 'san', 'key-usage']).not.toContain(r.findings[0]!.stage);
    expect(r.decide!.length).toBeGreaterThan(0);
  });
});
