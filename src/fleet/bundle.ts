/**
 * A saved scan (`scan --save-evidence FILE`, replayed with `scan --evidence FILE`): what every pod held, as
 * plain PEM text, so a scan can be judged again offline (another time with --at, other thresholds) and shared
 * without cluster access. It holds certificates only: the collectors never keep a private key.
 */
import { inputError } from '../errors.js';
import type { FleetInput, PodHolding, ScanReport } from './types.js';

export const FLEET_BUNDLE_KIND = 'mtls-doctor-fleet-evidence';

export interface FleetBundle {
  kind: typeof FLEET_BUNDLE_KIND;
  schemaVersion: 1;
  collectedAt: string;
  scope: ScanReport['scope'];
  durationSeconds?: number;
  input: FleetInput;
}

const isStr = (x: unknown): x is string => typeof x === 'string';
const strArray = (x: unknown) => x === undefined || (Array.isArray(x) && x.every(isStr));

export function serializeFleetBundle(b: FleetBundle): string {
  return JSON.stringify(b, null, 1) + '\n';
}

/** Parses a saved scan; anything else is one clear line naming the file. */
export function parseFleetBundle(text: string, label: string): FleetBundle {
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch (e) {
    throw inputError(`Cannot read ${label}: not JSON (${(e as Error).message.split('\n')[0]})`);
  }
  const b = j as Partial<FleetBundle> | null;
  if (!b || typeof b !== 'object' || b.kind !== FLEET_BUNDLE_KIND) throw inputError(`Cannot read ${label}: not a saved scan (expected "kind": "${FLEET_BUNDLE_KIND}"; a diagnose bundle replays with "diagnose --evidence")`);
  if (b.schemaVersion !== 1) throw inputError(`Cannot read ${label}: schemaVersion ${JSON.stringify(b.schemaVersion)} is not supported (1 is)`);
  if (!isStr(b.collectedAt) || Number.isNaN(Date.parse(b.collectedAt))) throw inputError(`Cannot read ${label}: "collectedAt" is not a time`);
  const input = b.input as FleetInput | undefined;
  if (!input || !Array.isArray(input.pods)) throw inputError(`Cannot read ${label}: "input.pods" is not a list`);
  input.pods.forEach((p: PodHolding, i) => {
    const ok = p && isStr(p.namespace) && isStr(p.name) && (p.status === 'ok' || p.status === 'failed') && strArray(p.served) && strArray(p.trusted) && strArray(p.services) && (p.reason === undefined || isStr(p.reason)) && (p.serviceAccount === undefined || isStr(p.serviceAccount));
    if (!ok) throw inputError(`Cannot read ${label}: pod #${i + 1} is malformed (needs namespace, name, status "ok"|"failed", and PEM string lists)`);
  });
  for (const [i, cm] of (input.rootConfigMaps ?? []).entries()) {
    if (!cm || !isStr(cm.namespace) || !isStr(cm.pem)) throw inputError(`Cannot read ${label}: rootConfigMaps #${i + 1} is malformed`);
  }
  for (const [i, s] of (input.services ?? []).entries()) {
    if (!s || !isStr(s.namespace) || !isStr(s.name) || !(s.port === null || typeof s.port === 'number')) throw inputError(`Cannot read ${label}: services #${i + 1} is malformed`);
  }
  for (const [i, s] of (input.caSecrets ?? []).entries()) {
    if (!s || !isStr(s.namespace) || !isStr(s.name) || !Array.isArray(s.certs) || !s.certs.every((c) => c && isStr(c.key) && isStr(c.pem))) throw inputError(`Cannot read ${label}: caSecrets #${i + 1} is malformed`);
  }
  if (input.policy !== undefined) {
    const pol = input.policy as unknown as Record<string, unknown> | null;
    const lists = ['pods', 'services', 'peerAuthentications', 'destinationRules', 'telemetry', 'problems'];
    const bad = !pol || typeof pol !== 'object' ? 'policy' : lists.find((k) => !Array.isArray(pol[k]));
    if (bad) throw inputError(`Cannot read ${label}: "input.${bad === 'policy' ? 'policy' : `policy.${bad}`}" is ${bad === 'policy' ? 'not an object' : 'not a list'}`);
    (pol!.pods as unknown[]).forEach((p, i) => {
      const x = p as Record<string, unknown> | null;
      if (!x || !isStr(x.namespace) || !isStr(x.name) || typeof x.sidecar !== 'boolean' || !x.labels || typeof x.labels !== 'object' || !Array.isArray(x.containers)) throw inputError(`Cannot read ${label}: policy pod #${i + 1} is malformed (needs namespace, name, sidecar, labels, containers)`);
    });
  }
  return { kind: FLEET_BUNDLE_KIND, schemaVersion: 1, collectedAt: b.collectedAt, scope: b.scope ?? { namespaces: [...new Set(input.pods.map((p) => p.namespace))].sort() }, ...(typeof b.durationSeconds === 'number' ? { durationSeconds: b.durationSeconds } : {}), input };
}
