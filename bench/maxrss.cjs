// Preloaded into a benchmarked process (node --require): writes its peak RSS (KiB) to $BENCH_RSS_FILE at exit.
process.on('exit', () => {
  if (process.env.BENCH_RSS_FILE) require('node:fs').writeFileSync(process.env.BENCH_RSS_FILE, String(process.resourceUsage().maxRSS));
});
