#!/usr/bin/env node
// Prints the functions with the most self time in one or more .cpuprofile files (from
// `node --cpu-prof`). Usage: node bench/profile-summary.mjs FILE.cpuprofile... [--top N]
// Also exported: summarize(files, top, keep(url)) -> [{ name, url, line, selfMs, pct }] (pct of
// the busy samples of all the files, e.g. the main and the module-hooks thread of one run).
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

export function summarize(files, top = 15, keep = () => true) {
  const self = new Map();
  let total = 0;
  for (const file of files) {
    const prof = JSON.parse(readFileSync(file, "utf8"));
    const byId = new Map(prof.nodes.map((n) => [n.id, n]));
    const dt = prof.timeDeltas;
    for (let i = 0; i < prof.samples.length; i++) {
      const node = byId.get(prof.samples[i]);
      const d = (dt[i] ?? 0) / 1000;
      const cf = node.callFrame;
      // "(idle)": a thread waiting for work (the module-hooks thread is idle for most of a run);
      // left out, so the shares are of the time the threads were busy
      if (cf.functionName === "(idle)") continue;
      const key = `${cf.functionName || "(anonymous)"}\t${cf.url}\t${cf.lineNumber + 1}`;
      self.set(key, (self.get(key) ?? 0) + d);
      total += d;
    }
  }
  return [...self.entries()]
    .filter(([key]) => keep(key.split("\t")[1]))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([key, ms]) => {
      const [name, url, line] = key.split("\t");
      const short = url.replace(/^file:\/\//, "").replace(process.cwd() + "/", "");
      return { name, url: short, line: Number(line), selfMs: Math.round(ms), pct: Math.round((ms / total) * 1000) / 10 };
    });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  let top = 15;
  const files = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--top") top = Number(args[++i]);
    else files.push(args[i]);
  }
  for (const r of summarize(files, top)) console.log(`${String(r.pct).padStart(5)}%  ${String(r.selfMs).padStart(6)} ms  ${r.name}  ${r.url}:${r.line}`);
}
