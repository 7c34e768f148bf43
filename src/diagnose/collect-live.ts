/**
 * The live sources of a local diagnosis — the istio-proxy and the peer — under one deadline (issue 22), loaded only
 * when the plan has them (a diagnosis of files loads none of this). The proxy and the probe run at once: the probe
 * waits only for what it takes from the proxy (its chain when the key is ours, its trust bundle when --trust is not
 * given), and for that only until Envoy's secrets are read, not for /certs, stats or the agent.
 */
import { evidenceFromInputs, type NamedInput } from '../evidence/from-inputs.js';
import type { EvidenceBundle } from '../evidence/types.js';
import type { PeerAddress } from '../probe/probe.js';

type Px = typeof import('../collect/proxy.js');
type Probes = typeof import('../probe/collect.js');
import { LIMITS } from '../limits.js';
import { deadlineIn } from '../model/deadline.js';
import { sourceLabel } from '../report/source-label.js';
import type { Dispatcher } from 'undici';
import type { ProbeTransport } from '../probe/transport.js';
import type { Plan } from './plan.js';
import type { DiagnoseRequest } from './request.js';

type Served = { chain: { pems: string[] } | null; trust: Array<{ pems: string[] }> };

/** Parses and checks what the live sources are given, before any file is read or anything starts (exit 2 first). */
export async function prepareLive(r: DiagnoseRequest, plan: Plan) {
  // The peer is parsed first, so a bad value is refused before anything is read or collected.
  const probe = plan.probe ? await import('../probe/probe.js') : null;
  const peer = probe ? probe.parsePeer(r.peer!) : null;
  const alpn = probe ? probe.parseAlpn(r.alpn) : null;
  const px = plan.proxy ? await import('../collect/proxy.js') : null;
  if (px) {
    // Bad flags are refused before anything starts (nothing is left running behind an exit 2).
    if (r.envoyAdmin !== undefined) px.checkUrl(r.envoyAdmin, '--envoy-admin');
    if (r.agent !== undefined) px.checkUrl(r.agent, '--agent');
    px.checkWindow(r.window);
  }
  const live = { peer, alpn, px, probes: probe ? await import('../probe/collect.js') : null };
  return { px, peer, run: (given: Given, deps: LiveDeps) => runLive(r, plan, live, given, deps) };
}

type Given = { chain?: NamedInput; trust: NamedInput[]; key?: NamedInput };
type LiveDeps = { env: Record<string, string | undefined>; now: () => number; budgetMs?: number; dispatcher?: Dispatcher; procDir?: string; transport?: ProbeTransport };

/**
 * Runs the proxy collection and the probe at once, under the one deadline; the inputs the user gave are read
 * already. Returns the proxy collection and `addProbe`, which adds the probe's handshakes to the evidence built.
 */
async function runLive(r: DiagnoseRequest, plan: Plan, live: { peer: PeerAddress | null; alpn: string[] | null; px: Px | null; probes: Probes | null }, given: Given, deps: LiveDeps) {
  const { peer, px, probes } = live;
  // The --window sleep is a deliberate wait, not time a source took: the deadline moves by it.
  const window = px ? px.checkWindow(r.window) : 0;
  const deadline = deadlineIn((deps.budgetMs ?? LIMITS.diagnoseBudgetMs) + window * 1000);
  let served: (v: Served) => void = () => undefined;
  const secretsRead = new Promise<Served>((resolve) => (served = resolve));
  const proxyRun = px
    ? px.collectProxy({
        envoyAdmin: r.envoyAdmin,
        agent: r.agent,
        proxyRoot: r.proxyRoot,
        auto: plan.proxy!.auto,
        windowSeconds: r.window,
        env: deps.env,
        now: deps.now,
        deadline,
        label: sourceLabel,
        onSecrets: served,
        ...(deps.dispatcher ? { dispatcher: deps.dispatcher } : {}),
        ...(deps.procDir ? { procDir: deps.procDir } : {}),
      })
    : Promise.resolve(null);
  const probeRun =
    peer && probes
      ? (async () => {
          const { key } = given;
          // What the user gave, as the evidence will hold it (istioctl JSON included); only its certificates are used.
          const mine = given.chain || given.trust.length ? evidenceFromInputs({ chain: given.chain, trust: given.trust, target: { kind: 'files' }, now: deps.now, label: sourceLabel }).certificates : null;
          let chain = key && mine?.chain ? mine.chain.pems.join('') : undefined;
          let roots = mine?.trust.flatMap((t) => t.pems) ?? [];
          const needChain = key !== undefined && !chain && !plan.inputs;
          const needTrust = roots.length === 0;
          if (px && (needChain || needTrust)) {
            // Envoy's secrets as soon as they are read; else (not read, or nothing usable) the whole proxy collection.
            let from: Served | null = await Promise.race([secretsRead, proxyRun.then(() => null)]);
            if (!from || (needChain && !from.chain) || (needTrust && from.trust.length === 0)) {
              const p = await proxyRun.catch(() => null);
              from = p ? { chain: p.chain, trust: p.trust } : null;
            }
            if (needChain && from?.chain) chain = from.chain.pems.join('');
            if (needTrust && from) roots = from.trust.flatMap((t) => t.pems);
          }
          return probes.probeWith(chain, roots, { peer, sni: r.sni ?? null, alpn: live.alpn, key: key?.data, deadline, ...(deps.transport ? { transport: deps.transport } : {}) });
        })()
      : null;
  const [proxy, probed] = await Promise.all([proxyRun, probeRun]);
  return { proxy, addProbe: (ev: EvidenceBundle): EvidenceBundle => (peer && probed && probes ? probes.withProbe(ev, peer, probed) : ev) };
}
