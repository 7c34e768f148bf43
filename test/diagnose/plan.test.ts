/** One validation for every face: a request is refused by name before anything is read or collected. */
import { describe, expect, it } from 'vitest';
import { planDiagnosis, requestReadsFiles, type DiagnoseRequest } from '../../src/diagnose/index.js';
import { diagnose } from '../../src/index.js';

const refused = (r: unknown, message: RegExp) => expect(() => planDiagnosis(r as DiagnoseRequest, {})).toThrow(expect.objectContaining({ code: 'E_USAGE', message: expect.stringMatching(message) }));

describe('planDiagnosis', () => {
  it('plans the collectors a request needs', () => {
    expect(planDiagnosis({ chain: 'PEM' }, {})).toEqual({ replay: false, inputs: true, proxy: null, probe: false });
    expect(planDiagnosis({ chain: 'PEM', peer: 'a:1' }, {})).toEqual({ replay: false, inputs: true, proxy: null, probe: true });
    expect(planDiagnosis({ chain: 'PEM', envoyAdmin: 'http://127.0.0.1:15000' }, {})).toEqual({ replay: false, inputs: true, proxy: { auto: false }, probe: false });
    expect(planDiagnosis({}, {})).toEqual({ replay: false, inputs: false, proxy: { auto: true }, probe: false });
    expect(planDiagnosis({ peer: 'a:1' }, {})).toEqual({ replay: false, inputs: false, proxy: { auto: true }, probe: true });
    expect(planDiagnosis({ evidence: '{}', at: 0, expectId: 'x', role: 'client', failOn: 'warning' }, {})).toEqual({ replay: true, inputs: false, proxy: null, probe: false });
  });

  it('refuses what cannot work, naming the flag', () => {
    refused({ trust: 'PEM' }, /^Cannot diagnose without a certificate chain/);
    refused({ chain: 'PEM', sni: 'x' }, /^Cannot use --sni or --alpn without --peer/);
    refused({ chain: 'PEM', window: 3 }, /^Cannot use --window with --chain alone/);
    refused({ chain: 'PEM', role: 'sideways' }, /^Cannot use --role "sideways": expected client, server or both/);
    refused({ chain: 'PEM', failOn: 'info' }, /^Cannot use --fail-on "info"/);
    expect(() => planDiagnosis({}, { MTLS_DOCTOR_NO_AUTODETECT: '1' })).toThrow(expect.objectContaining({ code: 'E_NO_EVIDENCE' }));
    // Off means off beside a peer too (serve probes for remote callers: the server's own proxy is never evidence).
    expect(planDiagnosis({ peer: 'a:1' }, { MTLS_DOCTOR_NO_AUTODETECT: '1' })).toEqual({ replay: false, inputs: false, proxy: null, probe: true });
    expect(planDiagnosis({ peer: 'a:1', envoyAdmin: 'http://127.0.0.1:15000' }, { MTLS_DOCTOR_NO_AUTODETECT: '1' })).toEqual({ replay: false, inputs: false, proxy: { auto: false }, probe: true });
  });

  it('checks a JSON body field by field (a webhook sends one as it is)', () => {
    refused({ chain: 'PEM', chian: 'PEM' }, /^Cannot use request field "chian": unknown/);
    refused({ chain: 42 }, /^Cannot use --chain: expected PEM or DER content/);
    refused({ chain: 'PEM', trust: [{ pem: 'x' }] }, /^Cannot use --trust: expected/);
    refused({ chain: 'PEM', window: '10' }, /^Cannot use --window: expected a number/);
    refused({ chain: 'PEM', alpn: [1] }, /^Cannot use --alpn: expected a string or an array of strings/);
    refused(null, /^Cannot diagnose: the request must be an object/);
  });

  it('plans cluster mode for a target or a selector; cluster flags without one are refused', () => {
    expect(planDiagnosis({ target: 'pod/web-0' }, {}).cluster).toEqual({ inPod: false });
    expect(planDiagnosis({ selector: 'app=web', inPod: true, peer: 'reviews:9080' }, {}).cluster).toEqual({ inPod: true });
    refused({ chain: 'PEM', namespace: 'demo', context: 'prod', kubeconfig: '/k' }, /^Cannot use --namespace, --context, --kubeconfig without a cluster target/);
    refused({ target: 'pod/web-0', chain: 'PEM' }, /^Cannot combine a cluster target \("pod\/web-0"\) with --chain: the cluster target brings its own evidence/);
    refused({ target: 'pod/web-0', trust: 'PEM' }, /^Cannot combine a cluster target \("pod\/web-0"\) with --trust/);
    refused({ target: 'pod/web-0', selector: 'app=web' }, /^Cannot combine a target/);
    refused({ target: 'pod/web-0', image: 'x' }, /^Cannot use --image without --in-pod/);
    refused({ target: 'pod/web-0', readCaSecrets: 'yes' as unknown as boolean }, /^Cannot use --read-ca-secrets: expected true or false/);
  });

  it('the library refuses before reading anything', async () => {
    await expect(diagnose({ evidence: { path: '/nonexistent/b.json' }, chain: 'PEM' })).rejects.toMatchObject({ code: 'E_USAGE' });
  });

  it('requestReadsFiles: true exactly when a { path } (or a proxy root) is in the request', () => {
    expect(requestReadsFiles({ chain: 'PEM', trust: [{ name: 'root.pem', data: 'PEM' }], evidence: '{}' })).toBe(false);
    expect(requestReadsFiles({ chain: 'PEM', trust: ['PEM', { path: '/etc/passwd' }] })).toBe(true);
    expect(requestReadsFiles({ thresholds: { path: 't.json' } })).toBe(true);
    expect(requestReadsFiles({ proxyRoot: '/' })).toBe(true);
    expect(requestReadsFiles({ kubeconfig: '/root/.kube/config' })).toBe(true);
  });
});
