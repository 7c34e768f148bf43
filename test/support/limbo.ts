/**
 * The x509-limbo cases the tests use (C2SP/x509-limbo, Apache-2.0), from the extract kept in this repository:
 * test/fixtures/x509-limbo/ (its README says which revision and how to regenerate it).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { ROOT } from './cli.js';

export interface LimboCase {
  id: string;
  validation_kind: 'SERVER' | 'CLIENT';
  trusted_certs: string[];
  untrusted_intermediates: string[];
  peer_certificate: string;
  validation_time: string | null;
  expected_result: 'SUCCESS' | 'FAILURE';
  expected_peer_name: { kind: string; value: string } | null;
  max_chain_depth: number | null;
  crls: string[];
}

export const LIMBO_EXTRACT = join(ROOT, 'test', 'fixtures', 'x509-limbo', 'limbo-extract.json.gz');

let loaded: Map<string, LimboCase> | undefined;

/** Every case of the extract, by id. */
export function limboCases(): Map<string, LimboCase> {
  if (!loaded) {
    const suite = JSON.parse(gunzipSync(readFileSync(LIMBO_EXTRACT)).toString('utf8')) as { testcases: LimboCase[] };
    loaded = new Map(suite.testcases.map((c) => [c.id, c]));
  }
  return loaded;
}

/** One case; throws naming the regeneration command when a test asks for a case the extract lacks. */
export function limboCase(id: string): LimboCase {
  const tc = limboCases().get(id);
  if (!tc) throw new Error(`no x509-limbo case ${id} in ${LIMBO_EXTRACT}: run node scripts/limbo-extract.mjs SUITE`);
  return tc;
}
