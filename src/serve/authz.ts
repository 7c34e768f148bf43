/**
 * Who may diagnose what: a Slack channel (and, when `slack.users` is set, the user too) or a bearer token maps to
 * namespaces. A request outside them is refused naming the rule, before anything runs. Cluster requests also
 * carry a Kubernetes impersonation derived from the caller, so that the cluster's own RBAC has the last word.
 */
import type { ServeConfig, TokenRule } from './config.js';
import { constantTimeEqual } from './slack-signature.js';
import { ServeError, forbidden } from './errors.js';

export type Caller =
  | { kind: 'slack'; team: string; user: string; channel: string }
  | { kind: 'token'; name: string };

/** The namespaces a caller may diagnose and the config rule that says so (named in refusals and the audit log). */
export interface Grant {
  caller: Caller;
  namespaces: string[];
  rule: string;
}

/**
 * Kubernetes impersonation for one request (Impersonate-User, Impersonate-Group, Impersonate-Extra-*). The user
 * and group name the config rule (a channel or a token), so RBAC can list them by name (`resourceNames` in the
 * serve ClusterRole: never a wildcard, which would let the server impersonate anyone); who in the channel asked
 * is kept as an extra for the audit log (the cluster collector sends user and groups; extras need their own
 * `userextras` impersonation rule once they are sent).
 */
export interface Impersonation {
  user: string;
  groups: string[];
  extra: Record<string, string[]>;
}

export const callerKey = (c: Caller) => (c.kind === 'slack' ? `slack:${c.team}:${c.user}` : `token:${c.name}`);
export const describeCaller = (c: Caller) => (c.kind === 'slack' ? `Slack user ${c.user} in channel ${c.channel}` : `token "${c.name}"`);

export function slackGrant(config: NonNullable<ServeConfig['slack']>, caller: Extract<Caller, { kind: 'slack' }>): Grant {
  const byChannel = Object.hasOwn(config.channels, caller.channel) ? config.channels[caller.channel]! : null;
  if (!byChannel) throw forbidden(`Refused: channel ${caller.channel} is not in slack.channels, so it may diagnose nothing (ask the operators to add it)`, 'slack.channels');
  if (!config.users) return { caller, namespaces: byChannel, rule: `slack.channels.${caller.channel}` };
  const byUser = Object.hasOwn(config.users, caller.user) ? config.users[caller.user]! : null;
  if (!byUser) throw forbidden(`Refused: user ${caller.user} is not in slack.users, so they may diagnose nothing`, 'slack.users');
  return { caller, namespaces: byChannel.filter((ns) => byUser.includes(ns)), rule: `slack.channels.${caller.channel} and slack.users.${caller.user}` };
}

/** Finds the token rule for a bearer token (constant time per comparison); E_UNAUTHENTICATED when none matches. */
export function tokenGrant(tokens: readonly TokenRule[], authorization: string | undefined): Grant {
  const m = /^Bearer\s+(\S{1,4096})\s*$/i.exec(authorization ?? '');
  if (!m) throw new ServeError('E_UNAUTHENTICATED', 'Missing bearer token: send Authorization: Bearer TOKEN (a token from the tokens list of the config)');
  let found: TokenRule | undefined;
  for (const t of tokens) if (constantTimeEqual(t.token, m[1]!) && !found) found = t;
  if (!found) throw new ServeError('E_UNAUTHENTICATED', 'Unknown bearer token');
  return { caller: { kind: 'token', name: found.name }, namespaces: found.namespaces, rule: `tokens["${found.name}"]` };
}

/** Refuses a namespace the grant does not include, naming the rule. */
export function authorizeNamespace(grant: Grant, namespace: string, what = 'diagnose'): void {
  if (!grant.namespaces.includes(namespace)) {
    throw forbidden(`Refused: ${describeCaller(grant.caller)} may not ${what} namespace "${namespace}" (${grant.rule} allows ${grant.namespaces.join(', ') || 'no namespace'})`, grant.rule);
  }
}

/** The identity a cluster request runs as: one group per caller source, so RBAC can be written per channel or token. */
export function impersonationFor(config: ServeConfig, caller: Caller): Impersonation | null {
  const im = config.cluster.impersonation;
  if (!im) return null;
  const p = im.groupPrefix;
  return caller.kind === 'slack'
    ? { user: `${p}slack-channel:${caller.channel}`, groups: [`${p}slack-channel:${caller.channel}`], extra: { 'mtls-doctor.io/slack-user': [caller.user], 'mtls-doctor.io/slack-team': [caller.team] } }
    : { user: `${p}token:${caller.name}`, groups: [`${p}token:${caller.name}`], extra: {} };
}

/** The identity of the --scan-interval exporter's scans (null when impersonation is off: the server's own). */
export function exporterImpersonation(config: ServeConfig): Impersonation | null {
  const im = config.cluster.impersonation;
  return im ? { user: `${im.groupPrefix}exporter`, groups: [`${im.groupPrefix}exporter`], extra: {} } : null;
}
