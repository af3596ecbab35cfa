// node --import ./bench/rss-hook.mjs prog.js: prints the process's peak RSS on exit, for
// machines without /usr/bin/time (bench/run.mjs uses `/usr/bin/time -v` when it exists).
process.on("exit", () => {
  process.stderr.write(`maxRSS_KB=${process.resourceUsage().maxRSS}\n`);
});
