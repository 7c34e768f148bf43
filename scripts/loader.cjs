'use strict';
// The chunk loader behind dist/cli.cjs and the single executable (scripts/build.mjs writes both from this
// file; it is not loaded from here). It loads the CLI's CommonJS chunks (dist/chunks/*.cjs), each compiled
// with the V8 code cache that the build wrote beside it, when this Node is the one that wrote them.
//
// makeLoader({ read, readCache, dir, nativeRequire }) returns load(name): `read(name)` gives a chunk's source,
// `readCache(name)` its code cache or undefined. A chunk's require("./x.cjs") is served by load("x.cjs");
// anything else (node: built-ins: every npm dependency is bundled) by nativeRequire.
//
// Environment (for the build, tests and benchmarks; users need none):
//   MTLS_DOCTOR_WRITE_V8CACHE=1   at exit, write each loaded chunk's code cache (the build's warm-up runs)
//   MTLS_DOCTOR_CHUNK_TRACE=FILE  at exit, write the names of the chunks this run loaded, one a line, then
//                                 `mode vm` (or `mode require`: another Node) and `rejected-cache NAME` lines
function makeLoader({ read, readCache, dir, nativeRequire, writeCache }) {
  const vm = nativeRequire('node:vm');
  const path = nativeRequire('node:path');
  // Module.wrap's own wrapper, written out: node:module (and the source-map support it loads) stays unloaded.
  const wrap = (source) => '(function (exports, require, module, __filename, __dirname) { ' + source + '\n});';
  const loaded = new Map();
  const scripts = [];
  function load(name) {
    const hit = loaded.get(name);
    if (hit) return hit.exports;
    const filename = path.join(dir, name);
    const mod = { exports: {}, id: filename, filename, loaded: false };
    loaded.set(name, mod);
    const script = new vm.Script(wrap(read(name)), { filename, cachedData: readCache(name) });
    scripts.push([name, script]);
    const req = (spec) => (spec.startsWith('./') ? load(spec.slice(2)) : nativeRequire(spec));
    script.runInThisContext().call(mod.exports, mod.exports, req, mod, filename, dir);
    mod.loaded = true;
    return mod.exports;
  }
  const env = process.env;
  if (env.MTLS_DOCTOR_WRITE_V8CACHE === '1' || env.MTLS_DOCTOR_CHUNK_TRACE) {
    process.on('exit', () => {
      const fs = nativeRequire('node:fs');
      if (env.MTLS_DOCTOR_CHUNK_TRACE) {
        const rejected = scripts.filter(([, s]) => s.cachedDataRejected === true).map(([n]) => n);
        fs.writeFileSync(env.MTLS_DOCTOR_CHUNK_TRACE, scripts.map(([n]) => n).join('\n') + '\nmode vm\n' + rejected.map((n) => `rejected-cache ${n}\n`).join(''));
      }
      if (env.MTLS_DOCTOR_WRITE_V8CACHE === '1') for (const [name, script] of scripts) writeCache(name, script.createCachedData());
    });
  }
  return load;
}
