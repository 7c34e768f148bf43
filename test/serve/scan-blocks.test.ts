/**
 * `/mtls scan` and `/mtls rotation status` as Block Kit: real scan reports (analyseFleet over the fleet test
 * PKI), told as the CLI tells them, within every Slack limit, with text from the cluster escaped.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { scanExitCode } from '../../src/diagnose/scan.js';
import { judgeFleet as analyseFleet } from '../../src/diagnose/fleet-model.js';
import type { FleetInput, PodHolding, ScanReport } from '../../src/fleet/types.js';
import { scanVerdict, slackRotationStatus, slackScanFull, slackScanSummary } from '../../src/report/slack-scan.js';
import { SLACK_LIMITS, type SlackBlock, type SlackMessage } from '../../src/report/slack.js';
import { DAY, HOUR, NOW, intermediate, leaf, root, t } from '../support/pki.js';
import { checkLimits } from '../support/slack-limits.js';
import { fleetPki, pod, pods, type FleetPki } from '../fleet/fleet-pki.js';

const analyse = (input: FleetInput) => analyseFleet(input, { now: NOW });
const both = ['old', 'new'] as Array<'old' | 'new'>;
const textOf = (b: SlackBlock) => (b.type === 'section' || b.type === 'header' ? b.text.text : b.type === 'context' ? b.elements.map((x) => x.text).join('') : b.type === 'markdown' ? b.text : '');
const sections = (m: SlackMessage) => m.blocks.filter((b) => b.type === 'section').map(textOf);
const all = (m: SlackMessage) => [m.text, ...m.blocks.map(textOf)].join('\n');
const headerOf = (m: SlackMessage) => {
  expect(m.blocks[0]!.type).toBe('header');
  return textOf(m.blocks[0]!);
};

let pki: FleetPki;
/** Root ConfigMaps that hold the old and the new root, as istiod writes them from a cacerts holding both. */
const bothRootsIn = (namespaces: string[]) => namespaces.map((namespace) => ({ namespace, pem: pki.oldRoot.pem + pki.newRoot.pem }));
const reports: Record<string, ScanReport> = {};
beforeAll(async () => {
  pki = await fleetPki();
  reports.healthy = analyse({ pods: await pods(pki, 6, () => ({ serves: 'old', trusts: ['old'] })) });
  const old = await fleetPki({ oldInter: { notBefore: t(-400 * DAY), notAfter: t(-2 * DAY) } });
  reports.expired = analyse({ pods: await pods(old, 3, () => ({ serves: 'old', trusts: ['old'] })) });
  // ns2/web-5 trusts only the old root (drift); ns1's root ConfigMap lacks the new root its pods trust (stale).
  reports.drift = analyse({
    pods: await pods(pki, 6, (i) => ({ serves: 'old', trusts: i === 5 ? ['old'] : both })),
    rootConfigMaps: [
      { namespace: 'ns0', pem: pki.oldRoot.pem + pki.newRoot.pem },
      { namespace: 'ns1', pem: pki.oldRoot.pem },
    ],
  });
  // The new CA issues while ns2/web-8 and ns0/web-9 do not trust its root yet.
  reports.violation = analyse({
    pods: [
      ...(await pods(pki, 10, (i) => ({ serves: i < 3 ? 'new' : 'old', trusts: i >= 8 ? ['old'] : both }))),
      { namespace: 'a', name: 'denied', status: 'failed', reason: 'forbidden: pods/portforward' },
    ],
  });
  reports.phase2 = analyse({ pods: await pods(pki, 10, (i) => ({ serves: 'old', trusts: i < 8 ? both : ['old'] })) });
  const soon = await leaf(pki.oldInter, { notBefore: t(-20 * HOUR), notAfter: t(4 * HOUR) });
  reports.warning = analyse({ pods: [{ ...(await pod(pki, 0, 'old', ['old'])), served: [soon.pem + pki.oldInter.pem] }] });
  reports.unread = analyse({ pods: [{ namespace: 'a', name: 'x', status: 'failed', reason: 'timeout' }] });
  reports.empty = analyse({ pods: [] });
  // analyseFleet reports a trust gap with a violation; each alone must still fail.
  reports.gapOnly = { ...reports.violation, rotation: { ...reports.violation.rotation, violations: [] } };
  reports.violationOnly = { ...reports.violation, trustGaps: [] };
});

describe('scanVerdict', () => {
  it('names each report as its exit code judges it: exit 1 exactly when failing, 3 only when unknown', () => {
    const expected: Record<string, string> = { healthy: 'healthy', expired: 'failing', drift: 'at-risk', violation: 'failing', phase2: 'at-risk', warning: 'at-risk', unread: 'unknown', empty: 'unknown', gapOnly: 'failing', violationOnly: 'failing' };
    for (const [name, r] of Object.entries(reports)) {
      const v = scanVerdict(r);
      expect(v, name).toBe(expected[name]);
      expect(scanExitCode(r) === 1, name).toBe(v === 'failing');
      expect(scanExitCode(r, 'warning') === 1, name).toBe(v === 'failing' || v === 'at-risk');
      if (scanExitCode(r) === 3) expect(v, name).toBe('unknown');
    }
  });
});

describe('the scan summary', () => {
  it('a healthy fleet: header first, no drift, phase 0, every leaf ok', () => {
    const m = slackScanSummary(reports.healthy!);
    checkLimits(m.blocks);
    expect(headerOf(m)).toBe('mtls-doctor scan: HEALTHY — namespaces ns0, ns1, ns2');
    const s = sections(m);
    expect(s[0]).toMatch(/^\*First CA to expire:\* .* (intermediate|root) O=cluster\.local, CN=Mesh (Intermediate|Root CA) 2025\n\*ok\*, /);
    expect(all(m)).toContain('leaf: 6 workloads, earliest 22 h left: *ok*');
    expect(all(m)).toContain('*no drift*: every pod read trusts the same 1 root(s)');
    expect(all(m)).toContain('*CA rotation:* phase 0 of 5 — no rotation in progress');
    expect(all(m)).not.toContain('Pods not read');
    expect(m.text).toMatch(/^mtls-doctor scan: healthy — namespaces ns0, ns1, ns2 — first CA to expire: /);
    expect(slackScanSummary(reports.healthy!, { title: 'namespace bookinfo' }).blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'mtls-doctor scan: HEALTHY — namespace bookinfo' } });
  });

  it('an expired intermediate: failing, and it leads with its subject, status and time', () => {
    const m = slackScanSummary(reports.expired!);
    checkLimits(m.blocks);
    expect(headerOf(m)).toMatch(/^mtls-doctor scan: FAILING — /);
    const s = sections(m);
    expect(s[0]).toMatch(/^\*First CA to expire:\* :red_circle: intermediate O=cluster\.local, CN=Mesh Intermediate 2025\n\*EXPIRED\*, expired 2 d ago \(.*\), held by 3 pods$/);
    expect(s[1]).toMatch(/^\*Expiry at every level\*\n:red_circle: intermediate Mesh Intermediate 2025: \*EXPIRED\*, expired 2 d ago, 3 pods\n/);
    expect(m.text).toContain('first CA to expire: Mesh Intermediate 2025, expired, expired 2 d ago');
  });

  it('drift and a stale ConfigMap: at-risk, the drifting pod and the stale namespace named', () => {
    const m = slackScanSummary(reports.drift!);
    checkLimits(m.blocks);
    expect(headerOf(m)).toMatch(/^mtls-doctor scan: AT-RISK — /);
    const trust = sections(m).find((x) => x.startsWith('*Trust bundles*'))!;
    expect(sections(m).some((x) => x.startsWith('*Trust gaps'))).toBe(false);
    expect(trust).toContain('*drift*: 1 pod(s) trust {Mesh Root CA 2025}, unlike the majority: `ns2/web-5`');
    expect(trust).toContain('*stale ConfigMap* `ns1/istio-ca-root-cert` holds {Mesh Root CA 2025}; 2 pod(s) there trust other roots: `ns1/web-1`, `ns1/web-4`');
    expect(trust).not.toContain('ns0/istio-ca-root-cert');
    expect(trust).not.toContain('no drift');
  });

  it('a rotation violation: named with its pods, the trust gap and the stop sentence, the pod not read', () => {
    const m = slackScanSummary(reports.violation!);
    checkLimits(m.blocks);
    expect(headerOf(m)).toMatch(/^mtls-doctor scan: FAILING/);
    const text = all(m);
    expect(text).toMatch(/\*VIOLATION\* `issuing-before-trusted`: The CA issues under the new root Mesh Root CA 2026 while 2 pod\(s\) do not trust it yet: ns0\/web-9, ns2\/web-8 reject every new leaf\./);
    expect(text).toContain('*Trust gaps: pods cut off (1)*\n:red_circle: *cut off*: 3 pod(s) serve leaves under Mesh Root CA 2026, which 2 pod(s) do not trust: `ns0/web-9`, `ns2/web-8`');
    expect(text).toMatch(/\*Next:\* Stop the rotation/);
    expect(text).toContain('*Pods not read (1)*\n• `a/denied`: forbidden: pods/portforward');
  });

  it('the full scan is one Markdown block carrying renderScanMarkdown', () => {
    const m = slackScanFull(reports.expired!, { title: 'namespace bookinfo' });
    checkLimits(m.blocks);
    expect(m.blocks).toHaveLength(1);
    expect(m.blocks[0]!.type).toBe('markdown');
    expect(textOf(m.blocks[0]!)).toMatch(/\| intermediate \| O=cluster.local, CN=Mesh Intermediate 2025 \| expired \| expired 2 d ago \| 3 \|/);
    expect(m.text).toBe('mtls-doctor full scan — namespace bookinfo');
  });
});

describe('a huge fleet stays within every Slack limit', () => {
  let big: ScanReport;
  beforeAll(async () => {
    // 2,000 workloads whose leaves are at risk, 300 pods that trust only the old root, 500 pods not read,
    // twelve plug-in CAs and a root with 1,000-character subjects, and a stale ConfigMap in each of 50 namespaces.
    const soon = await leaf(pki.oldInter, { notBefore: t(-20 * HOUR), notAfter: t(4 * HOUR) });
    const longRoot = await root(`Root ${'R'.repeat(1000)}`);
    const longCas = await Promise.all(Array.from({ length: 12 }, (_, i) => intermediate(pki.newRoot, `CA ${i} ${'I'.repeat(1000)}`, { notBefore: t(-300 * DAY), notAfter: t((3 + i) * DAY) })));
    const base = await pod(pki, 0, 'old', both);
    const ok: PodHolding[] = Array.from({ length: 2000 }, (_, i) => ({ ...base, namespace: `ns${i % 50}`, name: `web-${i}`, workload: `wl-${i}-${'w'.repeat(200)}`, served: [soon.pem + pki.oldInter.pem], trusted: i < 300 ? [pki.oldRoot.pem] : base.trusted }));
    const failed: PodHolding[] = Array.from({ length: 500 }, (_, i) => ({ namespace: `ns${i % 50}`, name: `gone-${i}`, status: 'failed', reason: `forbidden: ${'x'.repeat(1000)}` }));
    big = analyse({
      pods: [...ok, ...failed],
      rootConfigMaps: Array.from({ length: 50 }, (_, i) => ({ namespace: `ns${i}`, pem: longRoot.pem })),
      caSecrets: [{ namespace: 'istio-system', name: 'cacerts', certs: longCas.map((c) => ({ key: 'cert-chain.pem', pem: c.pem })) }],
    });
  }, 60_000);

  it('the report is as big as meant', () => {
    expect(big.certificates.filter((c) => c.level === 'leaf' && c.status !== 'ok')).toHaveLength(2000);
    expect(big.certificates.filter((c) => c.level !== 'leaf')).toHaveLength(16);
    expect(big.drift.filter((d) => !d.majority).map((d) => d.pods.length)).toEqual([300]);
    expect(big.configMapDrift).toHaveLength(50);
    expect(big.summary.failed).toBe(500);
  });

  it('summary: every section ≤ 3,000, header ≤ 150, ≤ 50 blocks, the whole under budget, each list "… N more"', () => {
    const m = slackScanSummary(big);
    checkLimits(m.blocks);
    for (const s of sections(m)) expect(s.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    expect(headerOf(m).length).toBeLessThanOrEqual(SLACK_LIMITS.headerText);
    expect(headerOf(m)).toMatch(/^mtls-doctor scan: FAILING — namespaces ns0, ns1, ns10, ns11, ns12, … 45 more namespaces$/);
    expect(m.text.length).toBeLessThanOrEqual(SLACK_LIMITS.fallbackText);
    const text = all(m);
    expect(text).toContain('… 1990 more workloads with leaves at risk');
    expect(text).toContain('… 490 more pods not read');
    expect(text).toContain('*drift*: 300 pod(s) trust {Mesh Root CA 2025}, unlike the majority: ');
    expect(text).toContain('… 295 more pods');
    expect(text).toContain('… 45 more stale ConfigMaps');
    expect(text).toContain('… 8 more CAs');
    // The plug-in CA expiring in 3 days leads; its 1,000-character subject is clipped, not the message.
    expect(sections(m)[0]).toMatch(/^\*First CA to expire:\* :red_circle: intermediate O=cluster\.local, CN=CA 0 I+…\n\*CRITICAL\*, 3 d left/);
    expect(text).not.toContain('I'.repeat(400));
  });

  it('the full scan is cut to one Markdown block under the budget', () => {
    const m = slackScanFull(big);
    checkLimits(m.blocks);
    expect(m.blocks[0]!.type).toBe('markdown');
    expect(textOf(m.blocks[0]!)).toMatch(/… \d+ more lines$/);
  });
});

describe('mrkdwn injection', () => {
  const hostile = ['<!channel>', '<https://evil.example|x>'];
  let r: ScanReport;
  beforeAll(async () => {
    // The two pods lacking the new root carry hostile names, so they reach violations, trust gaps, drift and the plan.
    const list = await pods(pki, 10, (i) => ({ serves: i < 3 ? 'new' : 'old', trusts: i >= 8 ? ['old'] : both }));
    list[8] = { ...list[8]!, name: hostile[0]!, workload: hostile[1]! };
    list[9] = { ...list[9]!, name: hostile[1]! };
    r = analyse({ pods: [...list, { namespace: 'a', name: 'denied', status: 'failed', reason: `${hostile[0]} ${hostile[1]} & co` }], rootConfigMaps: bothRootsIn(['ns0', 'ns1', 'ns2']) });
  });

  it('names and reasons from the cluster are escaped in every message, never raw', () => {
    expect(r.rotation.violations[0]!.pods).toContain(`ns2/${hostile[0]}`);
    for (const m of [slackScanSummary(r), slackScanFull(r), slackRotationStatus(r.rotation, { scope: `namespace ${hostile[0]}` })]) {
      const json = JSON.stringify(m);
      for (const h of hostile) expect(json).not.toContain(h);
      expect(json).toContain('&lt;!channel&gt;');
      expect(json).toContain('&lt;https://evil.example|x&gt;');
    }
    const s = all(slackScanSummary(r));
    expect(s).toContain('`a/denied`: &lt;!channel&gt; &lt;https://evil.example|x&gt; &amp; co');
    expect(s).toContain('`ns2/&lt;!channel&gt;`');
    expect(all(slackRotationStatus(r.rotation))).toContain('kubectl -n ns2 delete pod &lt;!channel&gt;');
  });
});

describe('rotation status', () => {
  it('phase 0: no rotation in progress, the one root, step 1 and its commands for the CA setup', async () => {
    const input: FleetInput = {
      pods: await pods(pki, 3, () => ({ serves: 'old', trusts: ['old'] })),
      caSecrets: [{ namespace: 'istio-system', name: 'cacerts', certs: [{ key: 'ca-cert.pem', pem: pki.oldInter.pem }, { key: 'root-cert.pem', pem: pki.oldRoot.pem }] }],
    };
    const rot = analyse(input).rotation;
    const m = slackRotationStatus(rot, { scope: 'namespaces bookinfo, payments' });
    checkLimits(m.blocks);
    expect(headerOf(m)).toBe('mtls-doctor rotation: phase 0 of 5 — no rotation in progress');
    expect(m.blocks[1]).toEqual({ type: 'context', elements: [{ type: 'mrkdwn', text: ':large_green_circle: 0 violation(s) · CA setup: plug-in-cacerts · namespaces bookinfo, payments' }] });
    const text = all(m);
    expect(text).toContain(`*Old root(s):* \`${rot.oldRoots[0]!.slice(0, 12)}…\`\n*New root:* _none_`);
    expect(text).toContain('*Next safe step:* No rotation in progress: every pod trusts the one root Mesh Root CA 2025.');
    expect(text).toMatch(/\*Plan:\* Step 1: add the new root beside the old one in the trust source \(never replace it\)\.\n```cat old-root-cert\.pem new-root-cert\.pem &gt; root-cert\.pem\nkubectl -n istio-system create secret generic cacerts [^\n]*\nkubectl -n istio-system rollout restart deployment\/istiod```/);
    expect(text).toContain('*Verify:*\n```mtls-doctor rotation status -A```');
    expect(m.text).toMatch(/^mtls-doctor rotation: phase 0 of 5 — no rotation in progress: No rotation in progress/);
  });

  it('phase 2 in progress: the progress, both fingerprints, the pods that lack the new root, the wait step', () => {
    const rot = reports.phase2!.rotation;
    const m = slackRotationStatus(rot, { title: 'bookinfo' });
    checkLimits(m.blocks);
    expect(headerOf(m)).toBe('mtls-doctor rotation: phase 2 of 5 — distributing the new root to every pod — bookinfo');
    const text = all(m);
    expect(text).toContain('*In progress*: 8 of 10 pods trust the new root');
    expect(text).toContain(`*New root:* \`${rot.newRoots[0]!.slice(0, 12)}…\``);
    expect(text).toMatch(/\*Next safe step:\* The new root is in 8 of 10 trust bundles; ns0\/web-9, ns2\/web-8 lack it\./);
    expect(text).toContain('*Plan:* Wait for step 2: every pod must trust the new root.\n```kubectl -n istio-system rollout restart deployment/istiod   # if pods do not receive it```');
  });

  it('a violation: named, its pods listed with "… N more", the plan to repair it', async () => {
    // Three pods serve leaves from the new CA while 14 do not trust its root.
    // The root ConfigMaps were read and hold both roots: a deleted pod comes back trusting the new one.
    const rot = analyse({ pods: await pods(pki, 20, (i) => ({ serves: i < 3 ? 'new' : 'old', trusts: i >= 6 ? ['old'] : both })), rootConfigMaps: bothRootsIn(['ns0', 'ns1', 'ns2']) }).rotation;
    expect(rot.violations[0]!.pods).toHaveLength(14);
    const m = slackRotationStatus(rot);
    checkLimits(m.blocks);
    const v = sections(m).find((s) => s.includes('*VIOLATION*'))!;
    expect(v).toMatch(/^:red_circle: \*VIOLATION\* `issuing-before-trusted`: The CA issues under the new root Mesh Root CA 2026 while 14 pod\(s\) do not trust it yet/);
    expect(v).toContain(`Root \`${rot.violations[0]!.root.slice(0, 12)}…\`; 14 pod(s): ${rot.violations[0]!.pods.slice(0, 10).map((p) => `\`${p}\``).join(', ')}, … 4 more pods`);
    expect(m.blocks[1]).toMatchObject({ elements: [{ text: expect.stringMatching(/^:red_circle: 1 violation\(s\)/) }] });
    const plan = sections(m).find((s) => s.startsWith('*Plan:*'))!;
    expect(plan).toMatch(/^\*Plan:\* Stop the rotation and fix the violation first/);
    expect(plan.match(/kubectl -n ns\d delete pod web-\d+/g)).toHaveLength(5);
  });
});
