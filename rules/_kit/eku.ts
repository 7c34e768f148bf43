/** Extended key usage: the check the clientAuth and serverAuth rules share. Pure. */
import type { RuleContext } from '../../src/engine/define-rule.js';
import type { CertFact } from '../../src/x509/types.js';
import { describe, whose } from './format.js';
import { x509Of } from './commands.js';

export const hasEku = (c: CertFact, usage: string) => c.eku === null || c.eku.includes(usage) || c.eku.includes('any');

/**
 * The check shared by key-usage/missing-client-auth and key-usage/missing-server-auth: a leaf used as a TLS
 * `role` whose extended key usage is present and lacks `eku`.
 */
export function checkLeafEku(ctx: RuleContext<'missing'>, role: 'client' | 'server', eku: 'clientAuth' | 'serverAuth'): void {
  for (const chain of ctx.facts.chains) {
    if (chain.usage !== role && chain.usage !== 'both') continue;
    if (hasEku(chain.leaf, eku)) continue;
    const list = (chain.leaf.eku ?? []).join(', ');
    ctx.report({
      messageId: 'missing',
      subject: chain.subject,
      about: chain.leaf.fingerprint,
      data: {
        whose: whose(chain),
        cert: describe(chain.leaf),
        why: chain.usage === 'both' ? ' (a mesh workload is client and server)' : '',
        eku: list || 'empty',
        x509: x509Of(chain.leaf),
      },
      evidence: [{ source: chain.leaf.source, detail: `extendedKeyUsage: ${list}` }],
    });
  }
}
