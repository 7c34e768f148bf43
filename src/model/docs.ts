/** Where a rule's documentation is found: a rule id's anchor in the shipped docs and the command that prints it. */

/**
 * Where a rule's docs live: docs/rules.md, shipped in the package (and in the repository), so the reference
 * resolves offline, wherever the tool was installed from. `mtls-doctor rules ID` prints the same section.
 */
export const DOCS_BASE = 'docs/rules.md';

/** The docs anchor of a rule id: `expiry/leaf-expired` → `docs/rules.md#expiry-leaf-expired`. */
export function docsUrl(id: string): string {
  return `${DOCS_BASE}#${id.replace('/', '-')}`;
}

/** The command that prints a rule's docs offline. */
export function docsCommand(id: string): string {
  return `mtls-doctor rules ${id}`;
}
