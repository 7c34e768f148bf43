// Writes a valid mesh chain (root, intermediate, leaf and its key) as PEM files into the directory given as
// argument, for the build's code-cache warm-up run of `diagnose` on files (scripts/build.mjs).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { issue } from '../src/x509/issue.js';

const dir = process.argv[2]!;
const day = 86_400_000;
const now = Date.now();
const r = await issue({ subject: 'O=cluster.local, CN=Root', notBefore: new Date(now - 365 * day), notAfter: new Date(now + 3000 * day), ca: true });
const i = await issue({ subject: 'O=cluster.local, CN=Intermediate', notBefore: new Date(now - 100 * day), notAfter: new Date(now + 300 * day), ca: true, issuer: r });
const l = await issue({ subject: '', notBefore: new Date(now - 3600_000), notAfter: new Date(now + 23 * 3600_000), issuer: i, uris: ['spiffe://cluster.local/ns/a/sa/b'], eku: ['serverAuth', 'clientAuth'] });
writeFileSync(join(dir, 'chain.pem'), l.pem + i.pem);
writeFileSync(join(dir, 'root.pem'), r.pem);
writeFileSync(join(dir, 'key.pem'), await l.keyPem(), { mode: 0o600 });
