/**
 * `POST /slack/commands`: a Slack slash command, signed (v0) and not replayed, acknowledged at once with an
 * ephemeral message; the answer of a diagnosis or a scan is posted to its response_url when it is ready.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { escapeMrkdwn, slackFullReport, slackSummary, type SlackMessage } from '../report/slack.js';
import { scanVerdict, slackRotationStatus, slackScanFull, slackScanSummary, slackWhatIf } from '../report/slack-scan.js';
import { authorizeNamespace, callerKey, impersonationFor, slackGrant, type Caller, type Grant } from './authz.js';
import { CHAT_HELP, parseChatCommand, type ChatCommand } from './chat-command.js';
import type { ServeConfig } from './config.js';
import type { ServeDeps, ServeScanRequest } from './deps.js';
import { ServeError, errorCodeOf, httpStatusFor, publicMessage } from './errors.js';
import { header, readBody, sendJson, type BodyBudget } from './http.js';
import type { RateLimiter, WorkQueue } from './limits.js';
import type { Logger } from './log.js';
import type { ServeMetrics } from './metrics.js';
import type { ServeDiagnoseRequest } from './request.js';
import { Responder } from './responder.js';
import type { Audit, Runner } from './runner.js';
import { ReplayCache, verifySlackRequest } from './slack-signature.js';

const SLACK_BODY_BYTES = 64 * 1024;

type SlackCaller = Extract<Caller, { kind: 'slack' }>;

export interface SlackFlow {
  /** Answers one request to /slack/commands; `audit.deferred` is set when its audit line is written later (with the answer). */
  handle(req: IncomingMessage, res: ServerResponse, audit: Audit): Promise<void>;
}

export function createSlackFlow(o: { config: ServeConfig; deps: ServeDeps; runner: Runner; queue: WorkQueue; rate: RateLimiter; metrics: ServeMetrics; logger: Logger; bodies: BodyBudget }): SlackFlow {
  const { config, deps, runner, queue, rate, metrics, logger, bodies } = o;
  const replay = new ReplayCache();
  const responder = config.slack ? new Responder({ prefix: config.slack.responseUrlPrefix, ...(deps.fetch ? { fetch: deps.fetch } : {}), now: deps.now }) : null;

  async function handle(req: IncomingMessage, res: ServerResponse, audit: Audit): Promise<void> {
    if (!config.slack || !responder) throw new ServeError('E_NOT_FOUND', 'Slack is not configured on this server');
    const body = await readBody(req, Math.min(config.limits.bodyBytes, SLACK_BODY_BYTES), bodies);
    // Slack checks the endpoint's certificate with ssl_check=1 (no command): answer 200 and do nothing, as Bolt does.
    if (/(?:^|&)ssl_check=1(?:&|$)/.test(body.toString('latin1')) && !/(?:^|&)command=/.test(body.toString('latin1'))) {
      audit.outcome = 'ssl_check';
      res.writeHead(200).end();
      return;
    }
    verifySlackRequest({ secret: config.slack.signingSecret, timestamp: header(req, 'x-slack-request-timestamp'), signature: header(req, 'x-slack-signature'), body, nowMs: deps.now() }, replay);
    const form = new URLSearchParams(body.toString('utf8'));
    const caller: SlackCaller = { kind: 'slack', team: slackId(form.get('team_id')), user: slackId(form.get('user_id')), channel: slackId(form.get('channel_id')) };
    audit.caller = caller;
    const responseUrl = form.get('response_url') ?? '';
    // From here on, a refusal is an ephemeral message the user sees (Slack shows any non-200 as a bare error).
    try {
      rate.take(callerKey(caller), deps.now());
      const text = form.get('text') ?? '';
      // Shed load before parsing (the costly step of an acknowledgement) when a diagnosis could not be queued anyway.
      if (/^\s*(?:diagnose|scan|rotation)\b/i.test(text)) queue.assertRoom();
      const cmd = await parseChatCommand(text, deps.parseArgv);
      audit.command = cmd.kind;
      const answer = await command(cmd, caller, responseUrl, audit);
      if (answer.deferred) audit.deferred = true;
      sendJson(res, 200, answer.message);
    } catch (e) {
      runner.refused(e, audit);
      sendJson(res, 200, ephemeral(`:no_entry: ${publicMessage(e)}`));
    }
  }

  async function command(cmd: ChatCommand, caller: SlackCaller, responseUrl: string, audit: Audit): Promise<{ message: object; deferred?: boolean }> {
    if (cmd.kind === 'help') {
      audit.outcome = 'answered';
      return { message: ephemeral(CHAT_HELP) };
    }
    const grant = slackGrant(config.slack!, caller);
    audit.rule = grant.rule;
    if (cmd.kind === 'explain') {
      const report = await deps.explain(cmd.text);
      runner.countReport('explain', report);
      audit.outcome = 'answered';
      audit.verdict = report.verdict;
      return { message: { response_type: 'in_channel', ...slackSummary(report, { title: 'explain' }) } };
    }
    if (cmd.kind === 'scan' || cmd.kind === 'rotation') return scan(cmd, grant, caller, responseUrl, audit);
    // diagnose
    responder!.check(responseUrl);
    const input: ServeDiagnoseRequest = { ...(cmd.target ? { target: cmd.target } : {}), ...(cmd.namespace ? { namespace: cmd.namespace } : {}), ...cmd.options };
    Object.assign(audit, { target: cmd.target, namespace: cmd.namespace, peer: cmd.options.peer });
    const { prepared, work } = await runner.prepareAndRun(grant, input, audit); // E_BUSY at once when the queue is full
    runner.track(
      answer(work, `diagnose ${prepared.label}`, responseUrl, audit, (report) => {
        audit.verdict = report.verdict;
        return [slackSummary(report, { title: prepared.label }), slackFullReport(report, { title: prepared.label })];
      }),
    );
    return { message: ephemeral(`:stethoscope: Diagnosing ${prepared.label}… the answer will be posted here.`), deferred: true };
  }

  /** `/mtls scan -n NS` and `/mtls rotation status [-n NS]`: a fleet scan of namespaces the channel may read, as the channel. */
  async function scan(cmd: Extract<ChatCommand, { kind: 'scan' | 'rotation' }>, grant: Grant, caller: Caller, responseUrl: string, audit: Audit): Promise<{ message: object; deferred?: boolean }> {
    if (cmd.namespace) audit.namespace = cmd.namespace;
    if (cmd.namespace) authorizeNamespace(grant, cmd.namespace, cmd.kind === 'scan' ? 'scan' : 'read the rotation of');
    const namespaces = cmd.namespace ? [cmd.namespace] : grant.namespaces;
    if (!namespaces.length) throw new ServeError('E_FORBIDDEN', `Refused: ${grant.rule} allows no namespace`, { rule: grant.rule });
    if (!deps.cluster) throw new ServeError('E_NOT_AVAILABLE', `\`${cmd.kind === 'scan' ? 'scan' : 'rotation status'}\` needs cluster access, and this server has none (no in-cluster service account or KUBECONFIG)`);
    responder!.check(responseUrl);
    const scope = `namespace${namespaces.length === 1 ? '' : 's'} ${namespaces.join(', ')}${cmd.options.selector ? ` -l ${cmd.options.selector}` : ''}`;
    const label = cmd.kind === 'scan' ? `scan ${cmd.options.whatIf ? `--what-if ${cmd.options.whatIf} ` : ''}${scope}` : `rotation status (${scope})`;
    audit.what = label;
    const request: ServeScanRequest = { namespaces, ...(cmd.options.selector ? { selector: cmd.options.selector } : {}), ...(cmd.options.at ? { at: cmd.options.at } : {}), ...(cmd.options.whatIf ? { whatIf: cmd.options.whatIf } : {}) };
    const impersonate = impersonationFor(config, caller);
    const work = runner.queued('scan', ({ signal }) => deps.scan(request, { signal, impersonate }), (report) => metrics.diagnoses.inc({ kind: 'scan', verdict: scanVerdict(report) }));
    runner.track(
      answer(work, cmd.kind === 'scan' ? `scan ${scope}` : `read the CA rotation of ${scope}`, responseUrl, audit, (report) => {
        audit.verdict = scanVerdict(report);
        if (cmd.kind === 'scan' && report.whatIf) return [slackWhatIf(report.whatIf, { title: scope }), slackScanSummary(report, { title: scope })];
        return cmd.kind === 'scan' ? [slackScanSummary(report, { title: scope }), slackScanFull(report, { title: scope })] : [slackRotationStatus(report.rotation, { scope })];
      }),
    );
    return { message: ephemeral(`:stethoscope: ${cmd.kind === 'scan' ? 'Scanning' : 'Reading the CA rotation of'} ${scope}… the answer will be posted here.`), deferred: true };
  }

  /** The one answer of an accepted command: its messages (summary and full report), or one error message ("Could not <doing>: …"). */
  async function answer<T>(work: Promise<T>, doing: string, url: string, audit: Audit, render: (value: T) => SlackMessage[]): Promise<void> {
    let outcome: string;
    try {
      const messages = render(await work);
      let failed: string | undefined;
      for (const m of messages) {
        const r = await responder!.post(url, { response_type: 'in_channel', ...m });
        if (!r.ok) {
          failed = r.error;
          break;
        }
      }
      outcome = failed === undefined ? 'posted' : `post failed: ${failed}`;
      metrics.slackPosts.inc({ outcome: failed === undefined ? 'ok' : 'failed' });
    } catch (e) {
      audit.error = errorCodeOf(e);
      audit.message = publicMessage(e);
      if (httpStatusFor(e) >= 500 && !(e instanceof ServeError)) logger.log('error', 'request failed', { error: String((e as Error)?.stack ?? e) });
      const a = await responder!.post(url, ephemeral(`:warning: Could not ${doing}: ${publicMessage(e)}`));
      outcome = a.ok ? 'posted error' : `post failed: ${a.error}`;
      metrics.slackPosts.inc({ outcome: a.ok ? 'ok' : 'failed' });
    }
    audit.outcome = outcome;
    runner.finishAudit(audit);
  }

  return { handle };
}

/** A message only the caller sees. Its text is mrkdwn, escaped whole: what it echoes (a command, a name) cannot mention @channel or forge a link. */
const ephemeral = (text: string) => ({ response_type: 'ephemeral', text: escapeMrkdwn(text) });

/** A Slack id as it is used in rules and logs (team, user, channel): anything else becomes "?" and matches no rule. */
function slackId(v: string | null): string {
  return v && /^[A-Z0-9]{1,32}$/.test(v) ? v : '?';
}
