/**
 * The rotation drill (`mtls-doctor rotation drill --new-ca FILE`): its report (the JSON contract of `-o json`,
 * fields only ever added) and the runbook it prints for each CA setup. Pure: the simulation itself (the edited
 * fleet models, judged by the connection rules) is src/diagnose/drill.ts.
 *
 * The five steps are the safe order of src/fleet/rotation.ts. A step "done now" is applied to the fleet as the
 * scan read it, after the safe steps before it; what it would break is what the same connection rules find broken
 * on that edited model and not broken today. Leaves the new CA would issue are simulated (made without its key,
 * their signature assumed valid) and so is every finding that rests on one.
 */

/** The CA setups the runbook has commands for; `unknown` when the scan could not tell (and --ca-type was not given). */
export type DrillCaKind = 'plug-in-cacerts' | 'self-signed' | 'istio-csr' | 'spire' | 'unknown';

/** `--ca-type` values → setups. */
export const CA_TYPES: Record<string, Exclude<DrillCaKind, 'unknown'>> = { cacerts: 'plug-in-cacerts', istiod: 'self-signed', 'istio-csr': 'istio-csr', spire: 'spire' };

export interface DrillCert {
  /** Its common name (or the subject when it has none). */
  name: string;
  subject: string;
  fingerprint: string;
  notBefore: string;
  notAfter: string;
}

/** A connection a step would break: the client and server pods (`namespace/name`), which way, by which rules. */
export interface DrillBreak {
  client: { class: string; pods: string[] };
  server: { class: string; pods: string[]; services: string[] };
  /** The directions that fail: `client-to-server` (the server rejects the client's leaf), `server-to-client`. */
  directions: string[];
  findings: Array<{ rule: string; severity: string; direction: string; title: string; simulated: boolean }>;
  /** It rests on a simulated leaf (a leaf the new CA would issue, signature assumed valid). */
  simulated: boolean;
}

export type DrillStepNumber = 1 | 2 | 3 | 4 | 5;

export interface DrillStep {
  step: DrillStepNumber;
  name: string;
  /** done: the fleet is already past it; next: the first step not done; pending: after that; not-needed: no trust change. */
  status: 'done' | 'next' | 'pending' | 'not-needed';
  /** The connections that break if this step is done now (after the safe steps before it), pods named. */
  breaks: DrillBreak[];
  /** One sentence: what the step does and what it would break. */
  summary: string;
  /** The commands for the CA in use (empty for a step with nothing to run). */
  commands: string[];
  /** The check before the next step: the command, and what it must show. */
  check: { command: string; mustShow: string };
  /** How to undo it. */
  rollback: string[];
}

export interface DrillWrongOrder {
  id: 'issue-before-trusted' | 'remove-old-root-early';
  name: string;
  /** False with a new intermediate under the same root (no trust change: nothing to do out of order). */
  applicable: boolean;
  breaks: DrillBreak[];
  summary: string;
}

export interface DrillReport {
  kind: 'mtls-doctor/rotation-drill';
  schemaVersion: 1;
  tool: { name: string; version: string };
  evaluatedAt: string;
  scope: { namespaces: string[] | 'all'; selector?: string };
  pods: { total: number; read: number };
  newCa: {
    file: string;
    /** The root the new CA chains to (from the file, or the fleet's own root for a new intermediate under it). */
    root: DrillCert & { inFile: boolean };
    /** The certificate that will sign workload leaves (the deepest CA of the file). */
    issuer: DrillCert;
    intermediates: DrillCert[];
  };
  /** False for a new intermediate under the root every pod already trusts: steps 1, 2 and 5 are not needed. */
  trustChangeNeeded: boolean;
  /** Roots the pods trust or leaves chain to besides the new one: what step 5 removes. */
  oldRoots: Array<{ name: string; subject: string; fingerprint: string }>;
  /** The CA setup the runbook's commands are for, and how it was recognised (or why it could not be). */
  ca: { kind: DrillCaKind; detail: string };
  /** Class pairs the connection rules judged on today's fleet (0: no pod read backs a Service: nothing to break). */
  connectionsJudged: number;
  /** The commands that save the CA material in use before the first step (the files the steps name). */
  prepare: string[];
  /** Where the fleet is: the first step not done (null: every step is done). */
  startsAt: { step: DrillStepNumber | null; detail: string };
  /** Connections broken today already (not counted against any step). */
  alreadyBroken: DrillBreak[];
  steps: DrillStep[];
  wrongOrders: DrillWrongOrder[];
  simulated: { leaves: number; pods: string[]; note: string };
  /** No step of the safe order breaks a connection. */
  safe: boolean;
  /** The command that re-reads the rotation phase over the same scope. */
  verify: string;
}

export const STEP_NAMES: Record<DrillStepNumber, string> = {
  1: 'add the new root to every trust bundle',
  2: 'verify distribution: every pod trusts the new root',
  3: 'issue from the new CA',
  4: 'wait for every workload to rotate',
  5: 'remove the old root',
};

export const WRONG_NAMES: Record<DrillWrongOrder['id'], string> = {
  'issue-before-trusted': 'issue from the new CA before the new root is everywhere (step 3 before step 2)',
  'remove-old-root-early': 'remove the old root before every leaf has rotated (step 5 before step 4)',
};

const NS = 'istio-system';
const apply = (secret: string, files: string) => `kubectl -n ${NS} create secret generic ${secret} ${files} --dry-run=client -o yaml | kubectl apply -f -`;
const restartIstiod = `kubectl -n ${NS} rollout restart deployment/istiod`;
const showPem = (cmd: string) => `${cmd} | openssl crl2pkcs7 -nocrl -certfile /dev/stdin | openssl pkcs7 -print_certs -noout | grep subject`;

export interface RunbookContext {
  kind: DrillCaKind;
  trustChangeNeeded: boolean;
  /** `mtls-doctor rotation status …` over the drill's scope. */
  verify: string;
  /** The drill command again, over the same scope. */
  again: string;
  /** Namespaces whose pods are restarted in step 4 (all read). */
  namespaces: string[];
  /** Pods that did not trust the new root when the drill ran (step 2's stragglers), `namespace/name`. */
  lacking: string[];
}

/**
 * What to save before the first step (whichever it is): the CA material in use now, as the files the steps'
 * commands and rollbacks name (`old-*.pem`, `root-cert.pem`, a backup of the Secret).
 */
export function runbookPrepare(kind: DrillCaKind): string[] {
  const get = (secret: string, key: string, to: string, ns = NS) => `kubectl -n ${ns} get secret ${secret} -o jsonpath='{.data.${key.replace(/\./g, '\\.')}}' | base64 -d > ${to}`;
  switch (kind) {
    case 'plug-in-cacerts':
      return [
        `kubectl -n ${NS} get secret cacerts -o yaml > cacerts-backup.yaml   # the way back from any step`,
        ...['ca-cert', 'ca-key', 'cert-chain'].map((k) => get('cacerts', `${k}.pem`, `old-${k}.pem`)),
        get('cacerts', 'root-cert.pem', 'root-cert.pem') + '   # the roots istiod distributes now',
        'cp root-cert.pem old-root-cert.pem   # keep only the old root in it if the new one is already there',
      ];
    case 'self-signed':
      return [
        `# istiod's self-signed CA becomes a plug-in CA (cacerts takes precedence over istio-ca-secret once created)`,
        get('istio-ca-secret', 'ca-cert.pem', 'old-ca-cert.pem'),
        get('istio-ca-secret', 'ca-key.pem', 'old-ca-key.pem') + '   # stays on this machine; delete it after the rotation',
        'cp old-ca-cert.pem old-root-cert.pem; cp old-ca-cert.pem old-cert-chain.pem   # the self-signed CA is its own root',
        'cp old-root-cert.pem root-cert.pem',
      ];
    case 'istio-csr':
      return [`kubectl -n ${NS} get issuer istio-ca -o yaml > issuer-backup.yaml`, get('istio-root-ca', 'ca.pem', 'old-root-cert.pem', 'cert-manager') + '   # the roots istio-csr distributes (app.tls.rootCAFile)'];
    case 'spire':
      return [`kubectl -n spire get secret spire-upstream -o yaml > spire-upstream-backup.yaml`, ...[['upstream-ca.pem', 'old-ca-cert.pem'], ['upstream-ca.key', 'old-ca-key.pem'], ['upstream-bundle.pem', 'old-root-cert.pem']].map(([k, to]) => get('spire-upstream', k!, to!, 'spire'))];
    case 'unknown':
      return ['# cannot tell which CA issues the mesh\'s certificates: rerun with --read-ca-secrets, or name it with --ca-type cacerts|istiod|istio-csr|spire'];
  }
}

/** The commands, check and rollback of one step for the CA in use. */
export function stepRunbook(step: DrillStepNumber, c: RunbookContext): Pick<DrillStep, 'commands' | 'check' | 'rollback'> {
  const check = (mustShow: string) => ({ command: c.verify, mustShow });
  const restartPods = c.namespaces.map((ns) => `kubectl -n ${ns} rollout restart deployment`);
  if (!c.trustChangeNeeded && (step === 1 || step === 2 || step === 5)) {
    return { commands: [], check: { command: c.again, mustShow: 'no trust change is needed' }, rollback: [] };
  }
  if (step === 2) {
    return {
      commands: [
        ...c.namespaces.slice(0, 8).map((ns) => `${showPem(`kubectl -n ${ns} get configmap istio-ca-root-cert -o jsonpath='{.data.root-cert\\.pem}'`)}   # both roots`),
        '# istiod pushes the new root to running sidecars; restart only a pod that does not get it:',
        ...c.lacking.slice(0, 8).map((p) => `kubectl -n ${p.split('/')[0]} delete pod ${p.split('/')[1]}   # lacks the new root: re-created with it`),
      ],
      check: check('phase 2 of 5: distributing the new root to every pod (complete) — and no VIOLATION or FIX FIRST line'),
      rollback: ['# nothing to undo: distribution changes no issuer; if a pod misbehaves, step 1\'s rollback removes the new root again'],
    };
  }
  if (step === 4) {
    return {
      commands: [...restartPods, '# or wait one workload-certificate lifetime (Istio default 24h): every leaf is re-issued by the new CA'],
      check: check('phase 4 of 5: rotating every workload to the new CA (complete) — every pod serves a leaf from the new CA'),
      rollback: ['# undo step 3 (the issuer goes back to the old CA), then restart the workloads again: both roots are still trusted everywhere, so old and new leaves both verify'],
    };
  }
  const sameRootCheck = { command: c.again, mustShow: step === 3 ? 'step 3 done: leaves issued by the new CA appear' : '' };
  switch (c.kind) {
    case 'plug-in-cacerts':
    case 'self-signed': {
      const selfSigned = c.kind === 'self-signed';
      if (step === 1) {
        return {
          commands: [
            'cat old-root-cert.pem new-root-cert.pem > root-cert.pem   # both roots: never replace the old one',
            apply('cacerts', '--from-file=ca-cert.pem=old-ca-cert.pem --from-file=ca-key.pem=old-ca-key.pem --from-file=cert-chain.pem=old-cert-chain.pem --from-file=root-cert.pem'),
            restartIstiod,
          ],
          check: check('phase 1 or 2 of 5 with no VIOLATION or FIX FIRST line; the root ConfigMaps list both roots'),
          rollback: selfSigned ? [`kubectl -n ${NS} delete secret cacerts`, restartIstiod] : [apply('cacerts', '--from-file=ca-cert.pem=old-ca-cert.pem --from-file=ca-key.pem=old-ca-key.pem --from-file=cert-chain.pem=old-cert-chain.pem --from-file=root-cert.pem=old-root-cert.pem'), restartIstiod],
        };
      }
      if (step === 3) {
        return {
          commands: c.trustChangeNeeded
            ? [apply('cacerts', '--from-file=ca-cert.pem=new-ca-cert.pem --from-file=ca-key.pem=new-ca-key.pem --from-file=cert-chain.pem=new-cert-chain.pem --from-file=root-cert.pem') + '   # root-cert.pem: still BOTH roots', restartIstiod]
            : [apply('cacerts', '--from-file=ca-cert.pem=new-ca-cert.pem --from-file=ca-key.pem=new-ca-key.pem --from-file=cert-chain.pem=new-cert-chain.pem --from-file=root-cert.pem=old-root-cert.pem') + '   # the same root', restartIstiod],
          check: c.trustChangeNeeded ? check('phase 3 or 4 of 5 and no VIOLATION (with --read-ca-secrets: the CA issues under the new root)') : sameRootCheck,
          rollback: [apply('cacerts', '--from-file=ca-cert.pem=old-ca-cert.pem --from-file=ca-key.pem=old-ca-key.pem --from-file=cert-chain.pem=old-cert-chain.pem --from-file=root-cert.pem'), restartIstiod],
        };
      }
      return {
        commands: ['cp new-root-cert.pem root-cert.pem', apply('cacerts', '--from-file=ca-cert.pem=new-ca-cert.pem --from-file=ca-key.pem=new-ca-key.pem --from-file=cert-chain.pem=new-cert-chain.pem --from-file=root-cert.pem'), restartIstiod, ...(selfSigned ? [`kubectl -n ${NS} delete secret istio-ca-secret   # optional: the old self-signed CA, no longer used`] : [])],
        check: check('phase 5 of 5: removing the old root from the trust bundles (complete), or phase 0 with only the new root'),
        rollback: ['cat old-root-cert.pem new-root-cert.pem > root-cert.pem', apply('cacerts', '--from-file=ca-cert.pem=new-ca-cert.pem --from-file=ca-key.pem=new-ca-key.pem --from-file=cert-chain.pem=new-cert-chain.pem --from-file=root-cert.pem'), restartIstiod],
      };
    }
    case 'istio-csr': {
      const csr = 'kubectl -n cert-manager rollout restart deployment/cert-manager-istio-csr';
      const rootSecret = (file: string) => `kubectl -n cert-manager create secret generic istio-root-ca --from-file=ca.pem=${file} --dry-run=client -o yaml | kubectl apply -f -   # the secret istio-csr's app.tls.rootCAFile is mounted from`;
      const issuer = (secret: string) => `kubectl -n ${NS} patch issuer istio-ca --type merge -p '{"spec":{"ca":{"secretName":"${secret}"}}}'   # the Issuer istio-csr signs with (app.certmanager.issuer)`;
      if (step === 1) {
        return {
          commands: ['cat old-root-cert.pem new-root-cert.pem > roots.pem   # both roots: never replace the old one', rootSecret('roots.pem'), csr, '# with trust-manager instead: add the new root as a source of the Bundle that writes istio-ca-root-cert'],
          check: check('phase 1 or 2 of 5 with no VIOLATION or FIX FIRST line; the root ConfigMaps list both roots'),
          rollback: [rootSecret('old-root-cert.pem'), csr],
        };
      }
      if (step === 3) {
        return {
          commands: [`kubectl -n ${NS} create secret tls istio-ca-new --cert=new-cert-chain.pem --key=new-ca-key.pem`, issuer('istio-ca-new'), csr],
          check: c.trustChangeNeeded ? check('phase 4 of 5 once the first leaf is re-issued, and no VIOLATION') : sameRootCheck,
          rollback: [issuer('istio-ca'), csr],
        };
      }
      return { commands: [rootSecret('new-root-cert.pem'), csr], check: check('phase 5 of 5 (complete), or phase 0 with only the new root'), rollback: [rootSecret('roots.pem'), csr] };
    }
    case 'spire': {
      const server = 'kubectl -n spire exec spire-server-0 -- /opt/spire/bin/spire-server';
      const upstream = (cert: string, key: string, bundle: string) =>
        `kubectl -n spire create secret generic spire-upstream --from-file=upstream-ca.pem=${cert} --from-file=upstream-ca.key=${key} --from-file=upstream-bundle.pem=${bundle} --dry-run=client -o yaml | kubectl apply -f -   # the files of UpstreamAuthority "disk"`;
      const restart = 'kubectl -n spire rollout restart statefulset/spire-server';
      if (step === 1) {
        return {
          commands: ['cat old-root-cert.pem new-root-cert.pem > upstream-bundle.pem', upstream('old-ca-cert.pem', 'old-ca-key.pem', 'upstream-bundle.pem'), restart, `${server} bundle show -format pem | openssl crl2pkcs7 -nocrl -certfile /dev/stdin | openssl pkcs7 -print_certs -noout | grep subject   # both roots`],
          check: check('phase 1 or 2 of 5 with no VIOLATION; spire-server bundle show lists both roots'),
          rollback: [upstream('old-ca-cert.pem', 'old-ca-key.pem', 'old-root-cert.pem'), restart],
        };
      }
      if (step === 3) {
        return {
          commands: [upstream('new-cert-chain.pem', 'new-ca-key.pem', 'upstream-bundle.pem'), restart, `${server} localauthority x509 prepare   # SPIRE >= 1.9: a local CA signed by the new upstream`, `${server} localauthority x509 activate -authorityID <the prepared authority>`],
          check: c.trustChangeNeeded ? check('phase 4 of 5 once the first SVID is re-issued, and no VIOLATION') : sameRootCheck,
          rollback: [upstream('old-ca-cert.pem', 'old-ca-key.pem', 'upstream-bundle.pem'), restart],
        };
      }
      return {
        commands: [upstream('new-cert-chain.pem', 'new-ca-key.pem', 'new-root-cert.pem'), restart, `${server} upstreamauthority taint -subjectKeyID <old upstream SKI>   # then: upstreamauthority revoke (SPIRE >= 1.9)`],
        check: check('phase 5 of 5 (complete), or phase 0 with only the new root'),
        rollback: [upstream('new-cert-chain.pem', 'new-ca-key.pem', 'upstream-bundle.pem'), restart],
      };
    }
    case 'unknown':
      return {
        commands: [`# cannot tell which CA issues the mesh's certificates: rerun with --read-ca-secrets, or name it with --ca-type cacerts|istiod|istio-csr|spire`],
        check: step === 3 && !c.trustChangeNeeded ? sameRootCheck : check(step === 1 ? 'phase 1 or 2 of 5 with no VIOLATION or FIX FIRST line' : step === 3 ? 'phase 3 or 4 of 5 and no VIOLATION' : 'phase 5 of 5 (complete), or phase 0 with only the new root'),
        rollback: ['# undo the change to the CA material this step made'],
      };
  }
}
