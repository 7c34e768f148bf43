/** Chat text → command, through the CLI's own yargs definition behind an allowlist of flags. */
import { describe, expect, it } from 'vitest';
import { parseOnly } from '../../src/cli/main.js';
import { parseChatCommand as parseWith, tokenize, unslack } from '../../src/serve/chat-command.js';

/** With the CLI's own parser, as `mtls-doctor serve` runs it. */
const parseChatCommand = (text: string) => parseWith(text, parseOnly);

describe('parseChatCommand', () => {
  it('reads the incident-channel example', async () => {
    expect(await parseChatCommand('diagnose reviews-v1-7f9c -n bookinfo --peer ratings:9080')).toEqual({
      kind: 'diagnose', target: 'reviews-v1-7f9c', namespace: 'bookinfo', options: { peer: 'ratings:9080' },
    });
    expect(await parseChatCommand('diagnose pod/reviews-v1 --namespace=bookinfo --expect-id spiffe://cluster.local/ns/bookinfo/sa/reviews --role client --symptom "TLSV1_ALERT_UNKNOWN_CA from ratings"')).toMatchObject({
      target: 'pod/reviews-v1', namespace: 'bookinfo', options: { expectId: 'spiffe://cluster.local/ns/bookinfo/sa/reviews', role: 'client', symptom: 'TLSV1_ALERT_UNKNOWN_CA from ratings' },
    });
  });

  it('uses the CLI parser: its choices and its errors', async () => {
    await expect(parseChatCommand('diagnose --peer a.b:1 --role sideways')).rejects.toThrow(/sideways/);
    await expect(parseChatCommand('diagnose --peer a.b:1 --peer-id')).rejects.toThrow(/Cannot use --peer-id: it needs a value/);
    expect(await parseChatCommand('diagnose --peer a.b:1 --alpn istio,h2')).toMatchObject({ options: { alpn: ['istio,h2'] } });
  });

  it('refuses every flag outside the allowlist, in every spelling', async () => {
    for (const text of ['--kubeconfig /k', '--kubeconfig=/k', '--chain x', '--proxy-root /', '--save-evidence f', '--saveEvidence f', '--proxyRoot /', '-o json', '--output=json', '--context prod', '--window 5', '--', '-nbookinfo']) {
      await expect(parseChatCommand(`diagnose --peer a.bookinfo:1 ${text}`), text).rejects.toMatchObject({ code: 'E_FORBIDDEN' });
    }
  });

  it('refuses targets that are not Kubernetes names, and a second target', async () => {
    await expect(parseChatCommand('diagnose ../../etc/passwd -n a')).rejects.toThrow(/not a Kubernetes object name|Kubernetes object name/);
    await expect(parseChatCommand('diagnose pod/UPPER -n a')).rejects.toThrow(/Kubernetes object name/);
    await expect(parseChatCommand('diagnose a b -n c')).rejects.toThrow(/Unexpected argument "b": a command takes at most one TARGET/);
    await expect(parseChatCommand('diagnose a -n Bad_NS')).rejects.toThrow(/namespace name/);
  });

  it('explain keeps the pasted text as it is; help, scan and rotation', async () => {
    expect(await parseChatCommand('explain "upstream connect error: --foo TLS_error: CERTIFICATE_VERIFY_FAILED"')).toEqual({ kind: 'explain', text: 'upstream connect error: --foo TLS_error: CERTIFICATE_VERIFY_FAILED' });
    expect(await parseChatCommand('explain “curly quoted”')).toEqual({ kind: 'explain', text: 'curly quoted' });
    expect(await parseChatCommand('')).toEqual({ kind: 'help' });
    expect(await parseChatCommand('help')).toEqual({ kind: 'help' });
    expect(await parseChatCommand('scan -n bookinfo')).toEqual({ kind: 'scan', namespace: 'bookinfo', options: {} });
    expect(await parseChatCommand('rotation status')).toEqual({ kind: 'rotation', action: 'status', namespace: null, options: {} });
    await expect(parseChatCommand('scan')).rejects.toThrow(/Give a namespace/);
  });

  it('scan and rotation status go through the CLI grammar with their own allowlist', async () => {
    expect(await parseChatCommand('scan -n bookinfo -l app=reviews --at 2026-11-29T03:00:00Z')).toEqual({ kind: 'scan', namespace: 'bookinfo', options: { selector: 'app=reviews', at: '2026-11-29T03:00:00Z' } });
    expect(await parseChatCommand('rotation status -n payments --selector=app=ledger')).toEqual({ kind: 'rotation', action: 'status', namespace: 'payments', options: { selector: 'app=ledger' } });
    expect(await parseChatCommand('scan --namespace=bookinfo')).toMatchObject({ kind: 'scan', namespace: 'bookinfo' });
    for (const bad of ['scan -n bookinfo --kubeconfig /root/.kube/config', 'scan -n bookinfo --evidence /tmp/scan.json', 'scan -n bookinfo --read-ca-secrets', 'scan -n bookinfo --save-evidence /tmp/x', 'scan -n bookinfo --concurrency 256', 'scan -n bookinfo -o json', 'rotation status --context prod', 'scan -n bookinfo --peer a.b:1']) {
      const e = await parseChatCommand(bad).then(() => null, (x) => x);
      expect(e?.code, bad).toBe('E_FORBIDDEN');
      expect(e.message, bad).toMatch(bad.startsWith('scan') ? /is not allowed from chat \(allowed: -n, --namespace, -l, --selector, --at, --what-if\)/ : /is not allowed from chat \(allowed: -n, --namespace, -l, --selector, --at\)/);
    }
    for (const all of ['scan -A', 'scan --all-namespaces', 'rotation status -A', 'scan -n bookinfo -A']) {
      await expect(parseChatCommand(all), all).rejects.toThrow(/-A \(every namespace\) is not allowed from chat/);
    }
    await expect(parseChatCommand('rotation plan -n bookinfo')).rejects.toThrow(/rotation command "plan": \/mtls rotation status/);
    // The drill needs the new CA in a file: refused with a clear message, whatever else is given (issue 25).
    for (const t of ['rotation drill', 'rotation drill -n bookinfo', 'rotation drill --new-ca /etc/istio/new-ca.pem -n bookinfo']) {
      const e = await parseChatCommand(t).then(() => null, (x: { code: string; message: string }) => x);
      expect(e?.code, t).toBe('E_FORBIDDEN');
      expect(e?.message, t).toMatch(/^Refused: \/mtls rotation drill needs the new CA's certificates in a file \(--new-ca FILE\), and chat never reads files; run `mtls-doctor rotation drill --new-ca FILE -n NS` from the CLI/);
    }
    await expect(parseChatCommand('rotation')).rejects.toThrow(/rotation status \[-n NS\]/);
    await expect(parseChatCommand('scan -n bookinfo extra')).rejects.toThrow(/Unexpected argument "extra"/);
    await expect(parseChatCommand('scan -n bookinfo --at')).rejects.toThrow(/Cannot use --at: it needs a value/);
    await expect(parseChatCommand('scan -n Not_A_Namespace')).rejects.toThrow(/not a Kubernetes namespace name/);
    await expect(parseChatCommand('scan -n bookinfo -l "app in (a,b)"')).rejects.toThrow(/Cannot use -l "app in \(a,b\)": not a label selector/);
    await expect(parseChatCommand('scan -n bookinfo -l')).rejects.toThrow(/Cannot use --selector: it needs a value/);
  });

  it('scan --what-if strict -n NS runs (issue 25); another what-if, a pod target, -A and rotation --what-if are refused', async () => {
    expect(await parseChatCommand('scan --what-if strict -n bank')).toEqual({ kind: 'scan', namespace: 'bank', options: { whatIf: 'strict' } });
    expect(await parseChatCommand('scan -n bank --what-if=strict -l app=ledger')).toEqual({ kind: 'scan', namespace: 'bank', options: { whatIf: 'strict', selector: 'app=ledger' } });
    await expect(parseChatCommand('scan --what-if foo -n bank')).rejects.toThrow(/Cannot use --what-if "foo": \/mtls scan --what-if strict -n NS/);
    await expect(parseChatCommand('scan --what-if strict pod/ledger-1 -n bank')).rejects.toThrow(/Unexpected argument "pod\/ledger-1"/);
    await expect(parseChatCommand('scan --what-if strict -A')).rejects.toThrow(/-A \(every namespace\) is not allowed from chat/);
    await expect(parseChatCommand('rotation status --what-if strict')).rejects.toThrow(/--what-if is not allowed from chat/);
    await expect(parseChatCommand('scan --what-if strict')).rejects.toThrow(/Give a namespace/);
  });

  it("undoes Slack's escaping and link markup; tokenizes quotes, including Slack's curly ones", () => {
    expect(unslack('diagnose --peer <http://ratings.bookinfo:9080|ratings.bookinfo:9080> &amp; &lt;x&gt;')).toBe('diagnose --peer ratings.bookinfo:9080 & <x>');
    expect(tokenize('a "b c" ‘d e’ “f g”')).toEqual(['a', 'b c', 'd e', 'f g']);
    expect(() => tokenize('a "b')).toThrow(/not closed/);
  });
});
