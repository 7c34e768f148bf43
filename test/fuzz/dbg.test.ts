import { it } from 'vitest';
import { bundles, last } from './targets.js';
it('dbg', async () => {
  await bundles.setup();
  for (const [t, i] of [[bundles, 1234]] as const) {
    const r = await t.run(15, i, i % 10 === 0);
    console.log('CASE', i, r.failure);
    const m = r.failure?.match(/"(.*)"/)?.[1]!;
    const o = last.output; const flat = o.replace(/\\+[nrt]|\s+/g, ''); const k2 = flat.indexOf(m);
    const inp = String(last.input); const k = inp.replace(/\\+[nrt]|\s+/g, '').indexOf(m);
    console.log('IN:', JSON.stringify(inp.replace(/\\+[nrt]|\s+/g, '').slice(Math.max(0,k-300), k+200)));
    console.log('OUT:', JSON.stringify(flat.slice(Math.max(0,k2-300), k2+80)));
  }
});
