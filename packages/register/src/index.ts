/**
 * `node --import @codetracer/register app.ts` records the program into a CodeTracer trace
 * folder. Importing this module starts a session for the current thread, installs the exit
 * hooks that finish it, registers the ES module hooks and the CommonJS `require` hook, and turns
 * on source maps so stack traces show original lines.
 *
 * It runs on the main thread and again in each worker thread that inherits the preload (the
 * default `execArgv`). A worker records into `<trace dir>/workers/<threadId>` with the main
 * thread's configuration, handed on by its parent thread; Node's own threads (the module hooks
 * thread) and workers of a thread that is not recorded are left alone. See
 * `startThreadSession` in `@codetracer/runtime`.
 *
 * Configuration comes from `CODETRACER_*` variables: see {@link readLoaderConfig}.
 * @packageDocumentation
 */
import { register } from "node:module";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { isMainThread, threadId } from "node:worker_threads";
import { createRequire } from "node:module";
import {
  RecorderError,
  inheritedRecording,
  installExitHooks,
  shareRecordingWithWorkers,
  startThreadSession,
  type FilterCounters,
  type TraceFormat,
} from "@codetracer/runtime";
import { readLoaderConfig, type LoaderConfig } from "./config.js";
import { installRequireHook } from "./cjs.js";
import { createFileFilter } from "./filter.js";
import type { HooksData } from "./hooks.js";
import { FilterStats } from "@codetracer/trace-filter";
import { attrPolicyOf, loadFilterChain, scopeFilterFor } from "./trace-filter.js";


export { readLoaderConfig } from "./config.js";
export type { LoaderConfig } from "./config.js";
export { createFileFilter } from "./filter.js";
export { moduleFormat } from "./format.js";

function ownRoots(): string[] {
  const require = createRequire(import.meta.url);
  const packageRoot = (entry: string) => path.dirname(path.dirname(entry));
  const roots = [packageRoot(fileURLToPath(import.meta.url))];
  for (const pkg of ["@codetracer/runtime", "@codetracer/instrument", "@codetracer/trace-format"]) {
    try {
      roots.push(packageRoot(require.resolve(pkg)));
    } catch {
      // not installed separately
    }
  }
  return roots;
}

/** The program a thread runs: its script, or `<eval>` for `node -e` and `new Worker(code, { eval: true })`. */
function programOf(script: string | undefined): string {
  if (!script || script === "[worker eval]") return "<eval>";
  return /^[a-z][a-z0-9+.-]+:/i.test(script) ? script : path.resolve(script); // a data: URL stays as it is
}

function main(): void {
  const inherited = inheritedRecording<LoaderConfig>();
  if (!isMainThread && !inherited) return; // Node's hooks thread, or a worker of an unrecorded thread
  const config = inherited?.loader ?? readLoaderConfig(process.env, ownRoots(), process.argv[1]);
  // Loaded (and so validated) before the program runs: a bad filter stops it with a coded error.
  const chain = loadFilterChain(config);
  // Files skipped as a whole are counted by whichever thread loads them (CommonJS here, ES
  // modules on the hooks thread).
  const skippedFiles = new Int32Array(new SharedArrayBuffer(4));
  const countSkipped = (scopes = 1) => void Atomics.add(skippedFiles, 0, scopes);
  let counters: () => FilterCounters = () => new FilterStats().toJSON();
  const session = startThreadSession(
    {
      traceDir: config.traceDir,
      format: config.format as TraceFormat,
      // A worker preloaded with --require learns its script only after the preloads: ask later.
      program: isMainThread ? programOf(process.argv[1]) : () => programOf(process.argv[1]),
      args: isMainThread ? process.argv.slice(2) : () => process.argv.slice(2),
      workdir: config.cwd,
      ...(config.activationPath ? { activationPath: config.activationPath } : {}),
      attrPolicy: attrPolicyOf(chain),
      metadata: () => {
        const stats = counters();
        return { trace_filter: { ...chain.metadata(), stats: { ...stats, scopes_skipped: stats.scopes_skipped + Atomics.load(skippedFiles, 0) } } };
      },
    },
    inherited,
  );
  counters = () => session.recorder.filterCounters;
  installExitHooks(session);
  process.setSourceMapsEnabled(true);
  installRequireHook(
    createFileFilter(config, chain, () => countSkipped(1)),
    (file) => session.recorder.moduleThrew(file.replace(/\\/g, "/")),
    { scopesFor: (file) => scopeFilterFor(chain, file), countSkipped },
  );
  register("./hooks.js", import.meta.url, { data: { ...config, skippedFiles: skippedFiles.buffer as SharedArrayBuffer } satisfies HooksData });
  shareRecordingWithWorkers(config.traceDir, config);
}

try {
  main();
} catch (error) {
  if (!(error instanceof RecorderError)) throw error;
  if (isMainThread) {
    process.stderr.write(`codetracer: ${error.message}\n`);
    process.exit(1);
  }
  // A worker whose session cannot start runs unrecorded rather than failing.
  process.stderr.write(`codetracer: worker ${threadId} is not recorded: ${error.message}\n`);
}
