// A valid mesh chain (root, intermediate, leaf and its key) as PEM files: chain.pem, root.pem, key.pem.
// The build's code-cache warm-up runs `diagnose` on them (scripts/build.mjs runs this file with the directory as
// argument); `npm run bench` times `diagnose` on them.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { issue } from '../src/x509/issue.js';

export const MESH_ID = 'spiffe://cluster.local/ns/a/sa/b';

/** Writes the chain valid at `at` (ms) into `dir`. */
export async function writeMeshChain(dir: string, at: number): Promise<void> {
  const day = 86_400_000;
  const r = await issue({ subject: 'O=cluster.local, CN=Root', notBefore: new Date(at - 365 * day), notAfter: new Date(at + 3000 * day), ca: true });
  const i = await issue({ subject: 'O=cluster.local, CN=Intermediate', notBefore: new Date(at - 100 * day), notAfter: new Date(at + 300 * day), ca: true, issuer: r });
  const l = await issue({ subject: '', notBefore: new Date(at - 3600_000), notAfter: new Date(at + 23 * 3600_000), issuer: i, uris: [MESH_ID], eku: ['serverAuth', 'clientAuth'] });
  writeFileSync(join(dir, 'chain.pem'), l.pem + i.pem);
  writeFileSync(join(dir, 'root.pem'), r.pem);
  writeFileSync(join(dir, 'key.pem'), await l.keyPem(), { mode: 0o600 });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await writeMeshChain(process.argv[2]!, Date.now());
