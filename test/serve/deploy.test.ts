/** deploy/serve.yaml and the Slack app manifest: hardened as documented, and consistent with the config they ship. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, parse } from 'yaml';
import { exporterImpersonation, impersonationFor } from '../../src/serve/authz.js';
import { parseScanInterval } from '../../src/serve/exporter.js';
import { DEFAULT_LIMITS, parseConfig } from '../../src/serve/config.js';
import { ROOT } from '../support/cli.js';

const docs = parseAllDocuments(readFileSync(join(ROOT, 'deploy', 'serve.yaml'), 'utf8')).map((d) => d.toJS());
const byKind = (kind: string) => docs.filter((d) => d.kind === kind);

describe('deploy/serve.yaml', () => {
  it('has the ServiceAccount, RBAC, config, Deployment, Service and NetworkPolicy', () => {
    expect(docs.map((d) => d.kind).sort()).toEqual(['ClusterRole', 'ClusterRole', 'ClusterRole', 'ClusterRoleBinding', 'ClusterRoleBinding', 'ConfigMap', 'Deployment', 'NetworkPolicy', 'RoleBinding', 'Service', 'ServiceAccount']);
  });

  it('runs non-root, read-only, without capabilities or the auto-mounted token', () => {
    const [sa] = byKind('ServiceAccount');
    expect(sa.automountServiceAccountToken).toBe(false);
    const pod = byKind('Deployment')[0].spec.template.spec;
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
    const [c] = pod.containers;
    expect(c.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(c.args).toEqual(['serve', '--listen', '0.0.0.0:8080', '--config', '/etc/mtls-doctor/serve.yaml', '--scan-interval', '10m']);
    expect(parseScanInterval(c.args[c.args.indexOf('--scan-interval') + 1])).toBe(600);
    const token = pod.volumes.find((v: any) => v.projected).projected.sources.find((s: any) => s.serviceAccountToken).serviceAccountToken;
    expect(token.expirationSeconds).toBeLessThanOrEqual(3600);
    // Secrets are files, never arguments or environment.
    expect(JSON.stringify(c.env ?? [])).not.toMatch(/secret|token/i);
  });

  it('sizes the V8 heap for serve (docs/chat.md#memory-under-a-flood), well inside the memory limit', () => {
    const [c] = byKind('Deployment')[0].spec.template.spec.containers;
    const flags: string = c.env.find((e: { name: string }) => e.name === 'NODE_OPTIONS').value;
    const mb = (name: string) => Number(new RegExp(`--${name}=(\\d+)\\b`).exec(flags)?.[1]);
    const limitMi = Number(/^(\d+)Mi$/.exec(c.resources.limits.memory)?.[1]);
    expect(mb('max-old-space-size')).toBeGreaterThan(0);
    expect(mb('max-semi-space-size')).toBeGreaterThan(0);
    // Old generation and the young generation's three semi-spaces at most 60% of the limit: the rest is for
    // buffers outside the heap (bodies being read, up to 32 MiB) and the runtime's own memory.
    expect(mb('max-old-space-size') + 3 * mb('max-semi-space-size')).toBeLessThanOrEqual(limitMi * 0.6);
    const docs = readFileSync(join(ROOT, 'docs', 'chat.md'), 'utf8');
    expect(docs).toContain(`NODE_OPTIONS=${flags}`);
  });

  it('ships a config that serve accepts, whose identities are exactly the ones the server may impersonate', () => {
    const cm = byKind('ConfigMap')[0];
    const config = parseConfig(cm.data['serve.yaml'], 'serve.yaml', () => Buffer.from('x'.repeat(32)));
    const mounts = byKind('Deployment')[0].spec.template.spec.containers[0].volumeMounts.map((m: any) => m.mountPath);
    for (const f of ['/var/run/secrets/mtls-doctor/slack/signing-secret', '/var/run/secrets/mtls-doctor/tokens/pagerduty']) expect(mounts.some((m: string) => f.startsWith(m + '/'))).toBe(true);
    const identities = [
      ...Object.keys(config.slack!.channels).map((channel) => impersonationFor(config, { kind: 'slack', team: 'T', user: 'U', channel })!),
      ...config.tokens.map((t) => impersonationFor(config, { kind: 'token', name: t.name })!),
      exporterImpersonation(config)!,
    ];
    const impersonate = byKind('ClusterRole').find((r) => r.metadata.name === 'mtls-doctor-serve-impersonate');
    const names = impersonate.rules.find((r: any) => r.resources.includes('groups')).resourceNames;
    expect([...new Set(identities.flatMap((i) => [i.user, ...i.groups]))].sort()).toEqual([...names].sort());
    // No rule of the server's own grants anything but impersonation.
    expect(impersonate.rules.every((r: any) => r.verbs.join() === 'impersonate')).toBe(true);
    // The reader role reads no Secret.
    const reader = byKind('ClusterRole').find((r) => r.metadata.name === 'mtls-doctor-reader');
    expect(JSON.stringify(reader.rules)).not.toContain('secrets');
  });

  it('the exporter identity reads pods, Services, port-forwards and the root ConfigMap everywhere, and nothing else', () => {
    const config = parseConfig(byKind('ConfigMap')[0].data['serve.yaml'], 'serve.yaml', () => Buffer.from('x'.repeat(32)));
    expect(config.scan).toMatchObject({ namespaces: 'all', readCaSecrets: false });
    const binding = byKind('ClusterRoleBinding').find((b) => b.roleRef.name === 'mtls-doctor-fleet-reader');
    expect(binding.subjects).toEqual([{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: exporterImpersonation(config)!.groups[0] }]);
    const role = byKind('ClusterRole').find((r) => r.metadata.name === 'mtls-doctor-fleet-reader');
    const granted = role.rules.flatMap((r: any) => r.resources.flatMap((res: string) => r.verbs.map((v: string) => `${v} ${res}${r.resourceNames ? `/${r.resourceNames.join(',')}` : ''}`))).sort();
    expect(granted).toEqual(['create pods/portforward', 'get configmaps/istio-ca-root-cert', 'get pods', 'get pods/portforward', 'list pods', 'list services']);
  });

  it('egress to the internet excludes private ranges and the metadata address', () => {
    const np = byKind('NetworkPolicy')[0];
    const open = np.spec.egress.flatMap((e: any) => e.to).find((t: any) => t.ipBlock?.cidr === '0.0.0.0/0');
    expect(open.ipBlock.except).toEqual(expect.arrayContaining(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16']));
  });
});

describe('deploy/slack-app-manifest.yaml', () => {
  it('declares /mtls posting to /slack/commands, with the commands scope only', () => {
    const m = parse(readFileSync(join(ROOT, 'deploy', 'slack-app-manifest.yaml'), 'utf8'));
    expect(m.features.slash_commands).toEqual([expect.objectContaining({ command: '/mtls', should_escape: false })]);
    expect(new URL(m.features.slash_commands[0].url).pathname).toBe('/slack/commands');
    expect(m.oauth_config.scopes.bot).toEqual(['commands']);
  });
});

describe('docs/chat.md "Config"', () => {
  it('shows a config that serve accepts', () => {
    const page = readFileSync(join(ROOT, 'docs', 'chat.md'), 'utf8');
    const section = page.slice(page.indexOf('## Config'));
    const yaml = /```yaml\n([\s\S]*?)```/.exec(section)![1]!;
    const config = parseConfig(yaml, 'docs/chat.md', () => Buffer.from('x'.repeat(32)));
    expect(config.slack!.channels).toEqual({ C0123ABCD: ['bookinfo'] });
    expect(config.tokens.map((t) => t.name)).toEqual(['pagerduty']);
    // It says "the defaults": keep it true.
    expect(config.limits).toEqual(DEFAULT_LIMITS);
  });
});
