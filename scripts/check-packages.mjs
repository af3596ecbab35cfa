#!/usr/bin/env node
// Checks what each package would publish: packs packages/* (`npm pack`, after the build) into a
// temporary folder and runs on every tarball
//
//   - publint (`publint run TARBALL --strict`): package.json fields, `exports`, files that exist;
//     a warning fails as an error does;
//   - @arethetypeswrong/cli (`attw TARBALL`): that TypeScript resolves each entry point to types
//     of the right module kind, from `import` and from `require`.
//
// Both read the tarball only (no network). Prints one line per package; the full report of a tool
// when it fails. Exit status 1 when a check fails. Usage: node scripts/check-packages.mjs [NAME...]
// (folder names under packages/, default all). `npm test` (scripts/test.sh) runs it after the build.
//
// What attw is told to ignore, and why (each package's entry in ATTW below):
//
//   - the `node10` resolution (`--profile node16`): it ignores `exports`, so no subpath resolves;
//     the packages need Node ^20.19 || >=22.12 and TypeScript's `node16`/`nodenext`/`bundler`.
//   - `cjs-resolves-to-esm` for the packages that are ES modules only: a CommonJS program loads
//     them with `require()` through Node's require(esm), which the packages' engines guarantee and
//     attw does not model. The packages a CommonJS config or program requires (unplugin-codetracer,
//     @codetracer/tracing, @codetracer/opentelemetry) have CommonJS entries instead and are checked without it.
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const BIN = path.join(ROOT, "node_modules", ".bin");

const BASE = ["--profile", "node16", "--no-definitely-typed", "--format", "ascii"];
const ESM_ONLY = [...BASE, "--ignore-rules", "cjs-resolves-to-esm"];

/** attw runs per package folder: each run's arguments after the tarball. */
const ATTW = {
  cli: [ESM_ONLY],
  instrument: [ESM_ONLY],
  register: [ESM_ONLY],
  runtime: [ESM_ONLY],
  // The builtin filter is a TOML file, read by path (`require.resolve`), not a module with types.
  "trace-filter": [[...ESM_ONLY, "--exclude-entrypoints", "./builtin/builtin_default.toml"]],
  "trace-format": [ESM_ONLY],
  tracing: [BASE],
  opentelemetry: [BASE],
  unplugin: [
    // The bundler plugins, the package root and the runtime: CommonJS entries beside the ES ones.
    [...BASE, "--exclude-entrypoints", "./vitest-setup", "./browser"],
    // Loaded by vitest (a setup file) and by the page's bundler (the browser runtime), always as
    // ES modules: never required.
    [...BASE, "--entrypoints", "./vitest-setup", "./browser", "--ignore-rules", "cjs-resolves-to-esm"],
  ],
};

const wanted = process.argv.slice(2);
const folders = fs
  .readdirSync(path.join(ROOT, "packages"))
  .filter((name) => fs.existsSync(path.join(ROOT, "packages", name, "package.json")))
  .filter((name) => wanted.length === 0 || wanted.includes(name))
  .sort();
for (const name of wanted) {
  if (!folders.includes(name)) {
    process.stderr.write(`check-packages: no package folder packages/${name}\n`);
    process.exit(2);
  }
}

const out = fs.mkdtempSync(path.join(os.tmpdir(), "codetracer-pack-"));
let failed = 0;
try {
  for (const name of folders) {
    const dir = path.join(ROOT, "packages", name);
    const packed = JSON.parse(
      execFileSync("npm", ["pack", "--json", "--pack-destination", out], { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }),
    );
    const tarball = path.join(out, packed[0].filename);
    const runs = [{ tool: "publint", args: ["run", tarball, "--strict"] }];
    for (const args of ATTW[name] ?? [BASE]) runs.push({ tool: "attw", args: [tarball, ...args] });
    const problems = [];
    for (const { tool, args } of runs) {
      const r = spawnSync(path.join(BIN, tool), args, { encoding: "utf8", env: { ...process.env, FORCE_COLOR: "0", NO_COLOR: "1" } });
      if (r.status !== 0) problems.push(`$ ${tool} ${args.join(" ")}\n${r.stdout}${r.stderr}${r.error ? String(r.error) : ""}`);
    }
    const label = `${packed[0].name}@${packed[0].version}`;
    if (problems.length === 0) {
      process.stdout.write(`check-packages: ok ${label} (publint, attw; ${packed[0].entryCount} files)\n`);
    } else {
      failed += 1;
      process.stdout.write(`check-packages: FAILED ${label}\n${problems.join("\n")}\n`);
    }
  }
} finally {
  fs.rmSync(out, { recursive: true, force: true });
}
if (failed > 0) {
  process.stdout.write(`check-packages: ${failed} of ${folders.length} packages failed\n`);
  process.exit(1);
}
