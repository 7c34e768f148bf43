/**
 * The rotation drill as text (80 columns: structured lines stay short, prose wraps, commands never break) and as
 * a markdown runbook: the steps with the commands for the CA in use, the check between steps, the rollback, and
 * the connections at risk with the pods named.
 */
import type { DrillBreak, DrillReport, DrillStep } from '../fleet/drill.js';
import { makeStyle } from './style.js';
import { wrapText } from './wrap.js';

const MAX_PODS = 4;
const MAX_BREAKS = 8;
const pods = (ps: string[], max = MAX_PODS) => (ps.length <= max ? ps.join(', ') : `${ps.slice(0, max).join(', ')} and ${ps.length - max} more`);
const fp = (f: string) => `${f.slice(0, 12)}…`;
const WAY: Record<string, string> = {
  'client-to-server': 'the server rejects the client\'s leaf',
  'server-to-client': 'the client rejects the server\'s leaf',
  policy: 'the two sides\' TLS modes do not match',
};
const CA_NAME: Record<DrillReport['ca']['kind'], string> = {
  'plug-in-cacerts': 'plug-in CA (istio-system/cacerts)',
  'self-signed': 'istiod\'s self-signed CA (istio-system/istio-ca-secret)',
  'istio-csr': 'cert-manager istio-csr',
  spire: 'SPIRE with an upstream authority',
  unknown: 'cannot tell',
};

/** One line per way a connection fails: which side rejects which leaf, by which rule. */
function why(b: DrillBreak): Array<{ text: string; simulated: boolean }> {
  const byDir = new Map<string, { rules: string[]; simulated: boolean }>();
  for (const f of b.findings) {
    const e = byDir.get(f.direction) ?? { rules: [], simulated: false };
    if (!e.rules.includes(f.rule)) e.rules.push(f.rule);
    e.simulated ||= f.simulated;
    byDir.set(f.direction, e);
  }
  return [...byDir].map(([d, e]) => ({ text: `${WAY[d] ?? d} (${e.rules.join(', ')})`, simulated: e.simulated }));
}

export function renderDrillText(r: DrillReport, o: { color: boolean; width?: number | null }): string {
  const st = makeStyle(o.color);
  const width = o.width === undefined ? 80 : o.width;
  const para = (text: string, first: string, rest = `${first}  `) => wrapText(text, width, first, rest).split('\n');
  const out: string[] = [];
  const ca = r.newCa;
  out.push(st.bold('Rotation drill'));
  out.push(...para(`new CA: ${ca.issuer.name}${ca.intermediates.length ? ` under root ${ca.root.name}` : ' (a root)'}${ca.root.inFile ? '' : ' (a root the fleet already holds)'}`, '  '));
  if (r.oldRoots.length) out.push(...para(`old root${r.oldRoots.length === 1 ? '' : 's'}: ${r.oldRoots.map((x) => `${x.name} ${fp(x.fingerprint)}`).join(', ')}`, '  '));
  out.push(...para(`CA in use: ${r.ca.kind === 'unknown' ? r.ca.detail : CA_NAME[r.ca.kind]}`, '  '));
  out.push(...para(`${r.pods.read} of ${r.pods.total} pods read. ${r.startsAt.detail}`, '  '));
  if (!r.connectionsJudged) out.push(...para(st.yellow('No connection to judge: no pod read backs a Service in the scanned namespaces, so no step can be shown to break one.'), '  '));
  if (!r.trustChangeNeeded) out.push(...para(st.green('No trust change needed: the new CA chains to the root every pod already trusts. Steps 1, 2 and 5 are not needed; only the issuer changes.'), '  '));
  if (r.simulated.pods.length) out.push(...para(`simulated: ${r.simulated.leaves} leaf profile${r.simulated.leaves === 1 ? '' : 's'} re-issued by the new CA for ${r.simulated.pods.length} pod${r.simulated.pods.length === 1 ? '' : 's'} (signature assumed; no CA key read)`, '  '));

  const breaks = (bs: DrillBreak[], indent: string) => {
    for (const b of bs.slice(0, MAX_BREAKS)) {
      const svc = b.server.services.length ? ` (${b.server.services.join(', ')})` : '';
      out.push(...para(`${st.red('✗')} ${pods(b.client.pods)} → ${pods(b.server.pods)}${svc}`, indent, `${indent}    `));
      for (const w of why(b)) out.push(...para(w.simulated ? w.text.replace(/\)$/, `, ${st.dim('simulated')})`) : w.text, `${indent}    `, `${indent}      `));
    }
    if (bs.length > MAX_BREAKS) out.push(`${indent}… ${bs.length - MAX_BREAKS} more (-o json lists them all)`);
  };
  const verdict = (s: DrillStep) => (s.status === 'done' ? st.dim('done') : s.status === 'not-needed' ? st.dim('not needed') : s.breaks.length ? st.red(`BREAKS ${s.breaks.length}`) : st.green('breaks nothing'));

  if (r.alreadyBroken.length) {
    out.push('', st.bold(`Broken today (${r.alreadyBroken.length}), before any step`));
    breaks(r.alreadyBroken, '  ');
  }
  out.push('', st.bold('Safe order: each step done now, after the ones before it'));
  for (const s of r.steps) {
    const mark = s.status === 'next' ? st.bold('→') : ' ';
    out.push(`${mark} ${s.step} ${s.name.padEnd(52)} ${verdict(s)}`);
    breaks(s.breaks, '    ');
  }
  out.push('', st.bold('Wrong orders'));
  for (const w of r.wrongOrders) {
    out.push(...para(w.name, '  ', '    '));
    out.push(...para(w.applicable ? (w.breaks.length ? st.red(w.summary) : w.summary) : st.dim(w.summary), '    '));
    breaks(w.breaks, '    ');
  }
  out.push('', ...para(`next: ${r.safe ? 'the safe order breaks nothing.' : 'a step of the safe order would break connections: fix what they name first.'} The runbook with the commands for your CA: -o markdown. Between steps: ${r.verify}`, '  '));
  return out.join('\n') + '\n';
}

const code = (s: string) => `\`${s.replace(/`/g, '\'')}\``;

function mdBreaks(bs: DrillBreak[]): string[] {
  if (!bs.length) return ['None: no connection breaks.'];
  return bs.map((b) => {
    const svc = b.server.services.length ? ` (service ${b.server.services.map(code).join(', ')})` : '';
    return `- ${b.client.pods.map(code).join(', ')} → ${b.server.pods.map(code).join(', ')}${svc}: ${why(b).map((w) => `${w.text}${w.simulated ? ' *(simulated)*' : ''}`).join('; ')}`;
  });
}

export function renderDrillMarkdown(r: DrillReport): string {
  const ca = r.newCa;
  const scope = r.scope.namespaces === 'all' ? 'all namespaces' : `namespace${r.scope.namespaces.length === 1 ? '' : 's'} ${r.scope.namespaces.join(', ')}`;
  const out: string[] = [
    `# CA rotation runbook: ${ca.root.name}`,
    '',
    `A drill by \`mtls-doctor rotation drill\` at ${r.evaluatedAt} over ${scope} (${r.pods.read} of ${r.pods.total} pods read). Nothing was written to the cluster.`,
    '',
    `- **New CA:** ${ca.issuer.name} (\`${fp(ca.issuer.fingerprint)}\`)${ca.intermediates.length ? `, under root ${ca.root.name} (\`${fp(ca.root.fingerprint)}\`)` : ', a root'}${ca.root.inFile ? '' : ' — a root the fleet already holds'}`,
    `- **Old root${r.oldRoots.length === 1 ? '' : 's'}:** ${r.oldRoots.length ? r.oldRoots.map((x) => `${x.name} (\`${fp(x.fingerprint)}\`)`).join(', ') : 'none'}`,
    `- **CA in use:** ${CA_NAME[r.ca.kind]}: ${r.ca.detail}`,
    `- **Where the fleet is:** ${r.startsAt.detail}`,
    `- **Simulated:** ${r.simulated.note} ${r.simulated.pods.length} pod(s) got one.`,
    '',
  ];
  if (!r.connectionsJudged) out.push('**No connection to judge:** no pod read backs a Service in the scanned namespaces, so no step can be shown to break one.', '');
  if (!r.trustChangeNeeded) out.push('**No trust change is needed:** the new CA chains to the root every pod already trusts. Steps 1, 2 and 5 are skipped; only the issuer changes (steps 3 and 4).', '');
  out.push(
    'Files the commands use: `new-root-cert.pem` (the new root), `new-ca-cert.pem`, `new-ca-key.pem` and `new-cert-chain.pem` (the new issuing CA, its key and its chain up to the new root: the key stays with you, the drill never read it), and `old-*.pem` (the CA in use, read from the cluster in step 1).',
    '',
  );
  out.push('## Before you start', '', 'Save the CA material in use now: the steps and their rollbacks use these files.', '', '~~~sh', ...r.prepare, '~~~', '');
  if (r.alreadyBroken.length) out.push('## Broken today, before any step', '', 'Fix these first (`mtls-doctor scan` explains each):', '', ...mdBreaks(r.alreadyBroken), '');
  for (const s of r.steps) {
    out.push(`## Step ${s.step}: ${s.name} (${s.status === 'next' ? 'next' : s.status})`, '', s.summary, '');
    if (s.status === 'not-needed' || s.status === 'done') continue;
    if (s.commands.length) out.push('~~~sh', ...s.commands, '~~~', '');
    if (s.check.mustShow) out.push(`**Check before going on:** \`${s.check.command}\` must show: ${s.check.mustShow}.`, '');
    if (s.rollback.length) out.push('**Roll back:**', '', '~~~sh', ...s.rollback, '~~~', '');
    out.push('**Connections at risk if this step is done now:**', '', ...mdBreaks(s.breaks), '');
  }
  out.push('## Wrong orders: do not', '');
  for (const w of r.wrongOrders) out.push(`### ${w.name[0]!.toUpperCase()}${w.name.slice(1)}`, '', w.summary, '', ...(w.applicable ? [...mdBreaks(w.breaks), ''] : []));
  return out.join('\n').replace(/\n+$/, '') + '\n';
}
