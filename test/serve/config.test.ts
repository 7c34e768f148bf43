/** `serve --config`: JSON or YAML, secrets from files, unknown keys refused, clear one-line errors. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../../src/serve/config.js';
import { tempDir } from '../support/cli.js';

let tmp: ReturnType<typeof tempDir>;
let secret: string;
let token: string;
beforeAll(() => {
  tmp = tempDir();
  secret = tmp.file('signing-secret', 'abcdefghijklmnopqrstuvwxyz012345\n');
  token = tmp.file('token', 'tok-0123456789abcdef0123456789');
});
afterAll(() => tmp.cleanup());

describe('config', () => {
  it('reads YAML with defaults, and the secrets from their files', () => {
    const file = tmp.file('serve.yaml', `slack:\n  signingSecretFile: ${secret}\n  channels:\n    C0123ABCD: [bookinfo]\ntokens:\n  - name: pagerduty\n    tokenFile: ${token}\n    namespaces: [bookinfo, payments]\ncluster:\n  peerCidrs: [10.96.0.0/12, fd00:10:96::/112]\n`);
    const c = loadConfig(file);
    expect(c.slack!.signingSecret.toString()).toBe('abcdefghijklmnopqrstuvwxyz012345');
    expect(c.slack!.responseUrlPrefix).toBe('https://hooks.slack.com/');
    expect(c.slack!.channels).toEqual({ C0123ABCD: ['bookinfo'] });
    expect(c.tokens[0]).toMatchObject({ name: 'pagerduty', namespaces: ['bookinfo', 'payments'] });
    expect(c.limits).toMatchObject({ bodyBytes: 1048576, deadlineSeconds: 60 });
    expect(c.cluster.peerBlockList.check('10.100.1.1', 'ipv4')).toBe(true);
    expect(c.cluster.peerBlockList.check('10.0.0.1', 'ipv4')).toBe(false);
    expect(c.cluster.impersonation).toEqual({ groupPrefix: 'mtls-doctor:' });
  });

  it('reads JSON the same way', () => {
    const c = parseConfig(JSON.stringify({ tokens: [{ tokenFile: token, namespaces: ['a'] }], limits: { queue: 3 } }), 'c.json');
    expect(c.slack).toBeNull();
    expect(c.tokens[0]!.name).toBe('tokens[0]');
    expect(c.limits.queue).toBe(3);
  });

  it('the scan section (what --scan-interval scans): every namespace by default, or a list; an exporter-only config', () => {
    const tokens = [{ tokenFile: token, namespaces: ['a'] }];
    expect(parseConfig(JSON.stringify({ tokens }), 'c.json').scan).toEqual({ namespaces: 'all', selector: null, readCaSecrets: false, concurrency: 8, podTimeoutSeconds: 10 });
    expect(parseConfig(JSON.stringify({ tokens, scan: { namespaces: ['shop', 'pay'], selector: 'app=web', readCaSecrets: true, concurrency: 2, podTimeoutSeconds: 30 } }), 'c.json').scan).toEqual({ namespaces: ['shop', 'pay'], selector: 'app=web', readCaSecrets: true, concurrency: 2, podTimeoutSeconds: 30 });
    // Only the exporter: no Slack, no token.
    const only = parseConfig('scan:\n  namespaces: all\n', 'serve.yaml');
    expect([only.slack, only.tokens, only.scan.namespaces]).toEqual([null, [], 'all']);
  });

  it.each([
    ['tokens:\n  - tokenFile: TOKEN\n    namespaces: [a]\n    namepsaces: [b]\n', /unknown key tokens\[0\]\.namepsaces/],
    ['limits:\n  bodyBytes: -1\ntokens:\n  - tokenFile: TOKEN\n    namespaces: [a]\n', /limits\.bodyBytes must be a whole number/],
    ['tokens: []\n', /nothing to serve/],
    ['scan:\n  namespaces: [Bad_NS]\n', /scan\.namespaces\[0\] "Bad_NS" is not a Kubernetes namespace name/],
    ['scan:\n  namespaces: [a]\n  readCaSecrets: yes please\n', /scan\.readCaSecrets must be true or false/],
    ['scan:\n  selector: "app in (a b)"\n', /scan\.selector "app in \(a b\)" is not a label selector/],
    ['scan:\n  concurrency: 0\n', /scan\.concurrency must be a whole number from 1 to 256/],
    ['scan:\n  interval: 5m\n', /unknown key scan\.interval/],
    ['tokens:\n  - tokenFile: /nonexistent/token\n    namespaces: [a]\n', /Cannot read tokens\[0\]\.tokenFile "\/nonexistent\/token": ENOENT/],
    ['tokens:\n  - tokenFile: TOKEN\n    namespaces: [Not_A_Namespace]\n', /is not a Kubernetes namespace name/],
    ['slack:\n  signingSecretFile: SHORT\n  channels: {}\n', /fewer than 16/],
    ['slack:\n  signingSecretFile: SECRET\n  responseUrlPrefix: https://hooks.slack.com\n', /must be an http\(s\) URL ending in "\/"/],
    ['cluster:\n  peerCidrs: [10.0.0.0/33]\ntokens:\n  - tokenFile: TOKEN\n    namespaces: [a]\n', /not a CIDR/],
    ['a: [unclosed\n', /not valid JSON or YAML/],
    ['tokens:\n  - tokenFile: TOKEN\n    namespaces: [a]\n  - tokenFile: TOKEN\n    namespaces: [b]\n', /share one token/],
  ])('refuses %j with one clear line', (text, message) => {
    const short = tmp.file('short', 'short');
    const body = text.replaceAll('TOKEN', token).replaceAll('SECRET', secret).replaceAll('SHORT', short);
    expect(() => parseConfig(body, 'serve.yaml')).toThrow(message);
    try {
      parseConfig(body, 'serve.yaml');
    } catch (e) {
      expect((e as { code: string }).code).toBe('E_INPUT');
      expect((e as Error).message).not.toContain('\n');
      expect((e as Error).message).not.toContain('tok-0123456789');
    }
  });
});
