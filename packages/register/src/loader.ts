/**
 * What the loader entries (`@codetracer/register`, `@codetracer/register/instrument`) do when
 * imported: read the configuration and policy, load the trace-filter chain, install the thread's
 * runtime host, the CommonJS `require` hook and the module hooks, and, to record the whole
 * run, start the thread's session.
 *
 * The module hooks (`./module-hooks.ts`) are registered with `module.registerHooks` where Node
 * has it (≥ 22.15, ≥ 23.5): they run in this thread, with this thread's configuration, filter
 * chain and transform cache, and no module hooks thread is started. Elsewhere (Node 20, older
 * 22) `module.register` loads them (`dist/hooks.js`) on Node's hooks thread, which reads the
 * filter chain again from the configuration it is handed. Each recorded worker runs this again
 * (the `--import`/`--require` preload in its `execArgv`) and registers hooks of its own:
 * `module.registerHooks` hooks belong to the thread that registers them.
 */
import { register } from "node:module";
import * as path from "node:path";
import { isMainThread, threadId } from "node:worker_threads";
import { createRequire } from "node:module";
import { installExitHooks, isRecorderErrorLike, repairTrace, type TraceFormat } from "@codetracer/runtime";
import {
  asRecorderError,
  autoStartFromEnv,
  configurePolicyFromEnv,
  printStartError,
  getRunId,
  inheritedRecording,
  installIdleRuntime,
  isEnvTrue,
  processRecording,
  runtimeHost,
  setLoaderInfo,
  setRunId,
  shareRecordingWithChildren,
  shareRecordingWithWorkers,
  startThreadSession,
  traceDirFromEnv,
} from "@codetracer/runtime/internal";
import { attrPolicyOf } from "@codetracer/runtime/attr-policy";
import type { FilterCounters } from "@codetracer/runtime/recorder";
import { FilterStats } from "@codetracer/trace-filter";
import { readLoaderConfig, type LoaderConfig } from "./config.js";
import { installRequireHook } from "./cjs.js";
import { createFileFilter } from "./filter.js";
import type { HooksData } from "./hooks.js";
import { assertNotYarnPnp, recordingScopeOf } from "./trace-filter.js";
import { compileForLoader, isCompiling, useTransformCache } from "./compile.js";
import { createModuleHooks, registerModuleHooks } from "./module-hooks.js";
import { distPackageRoot, recorderPackageRoots } from "./own-roots.js";

/** What a recorded thread hands its workers: the configuration and the process's run id. */
type InheritedConfig = LoaderConfig & { runId?: string };

function ownRoots(): string[] {
  const roots = recorderPackageRoots();
  // The user-facing package (session API) is found from the program, not from here.
  for (const from of [process.argv[1], path.join(process.cwd(), "x.js")]) {
    if (!from) continue;
    try {
      roots.push(distPackageRoot(createRequire(path.resolve(from)).resolve("codetracer-js-recorder")));
    } catch {
      // not installed where the program is
    }
  }
  return [...new Set(roots)];
}

/** The program a thread runs: its script, or `<eval>` for `node -e` and `new Worker(code, { eval: true })`. */
function programOf(script: string | undefined): string {
  if (!script || script === "[worker eval]") return "<eval>";
  return /^[a-z][a-z0-9+.-]+:/i.test(script) ? script : path.resolve(script); // a data: URL stays as it is
}

/** `CODETRACER_TEST_INJECT_FAILURE=step:N` (test hook): the recorder fails at its N-th step. */
function injectedFailure(env: NodeJS.ProcessEnv): number | undefined {
  const m = /^step:(\d+)$/.exec(env.CODETRACER_TEST_INJECT_FAILURE ?? "");
  return m ? Number(m[1]) : undefined;
}

function setup(mode: "record" | "instrument"): void {
  const inherited = inheritedRecording<InheritedConfig>();
  if (!isMainThread && !inherited) return; // Node's hooks thread, or a worker of an unrecorded thread
  if (inherited?.loader.runId) setRunId(inherited.loader.runId);
  configurePolicyFromEnv(process.env);
  assertNotYarnPnp(); // before the module hooks: under PnP they cannot load the instrumenter
  let config: InheritedConfig = inherited?.loader ?? readLoaderConfig(process.env, ownRoots(), process.argv[1]);
  if (mode === "record" && isMainThread) {
    // A recorded child process (fork, cluster, node spawned with the preload) records into
    // <root>/children/<pid>, and its workers under that: see @codetracer/runtime's children.ts.
    const recording = processRecording(process.env, config.traceDir);
    config = { ...config, traceDir: recording.traceDir };
    shareRecordingWithChildren(recording, (dir) => repairTrace(dir));
  }
  // Loaded (and so validated) before the program runs: a bad filter stops it with a coded error.
  const scope = recordingScopeOf(config);
  const chain = scope.chain;
  // Files skipped as a whole are counted by whichever thread loads them (here, and ES modules
  // on the module hooks thread where Node has no `module.registerHooks`).
  const skippedFiles = new Int32Array(new SharedArrayBuffer(4));
  const countSkipped = (scopes = 1) => void Atomics.add(skippedFiles, 0, scopes);
  const filterMetadata = (counters: FilterCounters) => ({ trace_filter: scope.metadata(counters, Atomics.load(skippedFiles, 0)) });
  const attrPolicy = attrPolicyOf(chain);
  installIdleRuntime();
  setLoaderInfo({ attrPolicy, metadata: filterMetadata });
  if (mode === "record") {
    const inject = injectedFailure(process.env);
    // The pending metadata is written as the session begins, before `session` is assigned.
    let counters: () => FilterCounters = () => new FilterStats().toJSON();
    const session = startThreadSession(
      {
        traceDir: config.traceDir,
        format: config.format as TraceFormat,
        // Read when the first recorded module runs: a worker preloaded with --require learns its
        // script only after the preloads, and a runner that loads us with -r (`ts-node -r`)
        // puts the script into process.argv only before it runs it.
        program: () => programOf(process.argv[1]),
        args: () => process.argv.slice(2),
        workdir: config.cwd,
        ...(config.activationPath ? { activationPath: config.activationPath } : {}),
        ...(config.limits ? { limits: config.limits } : {}),
        ...(isMainThread && isEnvTrue(process.env.CODETRACER_WITH_DIFF) ? { withDiff: true } : {}),
        ...(inject ? { injectFailureAtStep: inject } : {}),
        attrPolicy,
        metadata: () => filterMetadata(counters()),
      },
      inherited,
    );
    counters = () => session.recorder.filterCounters;
    installExitHooks(session);
  }
  process.setSourceMapsEnabled(true);
  useTransformCache(config.transformCache);
  const shouldRecord = createFileFilter(config, chain, () => countSkipped(1));
  const filter = { scopesFor: scope.scopesFor, countSkipped, fingerprint: scope.fingerprint };
  installRequireHook(shouldRecord, (file) => runtimeHost().attached?.moduleThrew(file.replace(/\\/g, "/")), filter);
  // The module hooks: in this thread, with this thread's filter chain, transform cache and
  // compile step, where Node has `module.registerHooks`; else on Node's module hooks thread,
  // which loads them (`dist/hooks.js`) and the filter chain again.
  const inThread = registerModuleHooks(createModuleHooks({ shouldRecord, filter, compiler: () => ({ compileForLoader }), compiling: isCompiling }));
  if (!inThread) register("./hooks.js", import.meta.url, { data: { ...config, skippedFiles: skippedFiles.buffer as SharedArrayBuffer } satisfies HooksData });
  if (mode === "record") shareRecordingWithWorkers(config.traceDir, { ...config, runId: getRunId() });
  else if (isMainThread && traceDirFromEnv(process.env)) {
    // Auto-start: a recorded child process records into <root>/children/<pid> as above.
    const recording = processRecording(process.env, path.resolve(traceDirFromEnv(process.env)!));
    shareRecordingWithChildren(recording, (dir) => repairTrace(dir));
    autoStartFromEnv({ ...process.env, CODETRACER_TRACE: recording.traceDir });
  }
}

/**
 * Sets the loader up in this thread. A recorder error stops the main thread with exit code 1
 * (its message, and the JSON error trailer under `jsonErrors`, on stderr); a worker whose
 * session cannot start runs unrecorded.
 */
export function startLoader(mode: "record" | "instrument"): void {
  try {
    setup(mode);
  } catch (error) {
    if (!isRecorderErrorLike(error)) throw error;
    const e = asRecorderError(error);
    printStartError(e, isMainThread ? e.message : `worker ${threadId} is not recorded: ${e.message}`);
    if (isMainThread) process.exit(1);
  }
}
