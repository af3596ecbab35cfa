/**
 * The session API, after the CodeTracer Python recorder's `codetracer` module
 * in TypeScript naming (docs/recording.md, "Session API"):
 *
 * ```ts
 * import { start, stop, trace } from "codetracer-js-recorder";
 * using session = start("trace-out");          // or: const session = start(…); …; session.stop();
 * await trace("trace-out", {}, async () => work());
 * ```
 *
 * The API records code that was instrumented: run the program with
 * `node --import codetracer-js-recorder/register/instrument` (instruments, records only between
 * `start` and `stop`), or build it with the bundler plugin. Code loaded before `start` is
 * recorded from the moment the session starts. Under `--import …/register` or the CLI, the
 * whole run is already recorded and `start` throws `ERR_ALREADY_TRACING`.
 */
import { checkLimits, limitsFromEnv } from "./limits.js";
import type { ValueCaptureLimits } from "../values.js";
import * as path from "node:path";
import { expandHome, loadRecordingScope, splitFilterList, type FilterChain, type FilterMetadata, type RecordingScope } from "@codetracer/trace-filter";
import { UsageError, asRecorderError, fromTraceFilterError, type RecorderError } from "../errors.js";
import { runtimeHost, type LoaderInfo } from "../host.js";
export type { LoaderInfo } from "../host.js";
import { attrPolicyOf as attrPolicyOfChain } from "../attr-policy.js";
import { stricter, type AttrPolicy, type FilterCounters, type MetricUpdate, type RuntimeScopeDecision } from "../recorder.js";
import { installExitHooks } from "./exit-hooks.js";
import { log, reportRecorderError } from "./log.js";
import { traceDirFromEnv } from "./env-names.js";
import { configurePolicy, configurePolicyFromEnv, type RecorderPolicy } from "./policy.js";
import { checkTraceFormat, injectedFailureFromEnv, pathOption, startSession, type NodeSession, type TraceFormat } from "./session.js";
import { JSONStringify, PromisePrototypeThen, ReflectApply as apply, SafeWeakMap, StringCtor, appendOwn } from "../primordials.js";

// `trace()` settles the program's promise with these, as loaded.
const PromiseCtor = Promise;
const promiseResolve = Promise.resolve;

// Node's functions as loaded: a program may assign to `fs.rmSync`, `path.join` and the like
// (the modules' objects are shared with it).
const { normalize: pathNormalize, resolve: pathResolve } = path;
const URLCtor = URL;
/** `trace.bin`: CBOR events in seekable Zstandard (docs/trace-format.md: "trace.bin", CodeTracer Binary v1). */
export const TRACE_BINARY = "binary";
/** `trace.json`: one JSON array of events (docs/trace-format.md: "trace.json"). */
export const TRACE_JSON = "json";
/** The format of a session started without one (the CLI's and the loader's default too): `trace.bin`. */
export const DEFAULT_FORMAT = TRACE_BINARY;

/** Called by the loader: see {@link LoaderInfo} (kept on the thread's runtime host, `RuntimeHost.loader`). */
export function setLoaderInfo(info: LoaderInfo): void {
  runtimeHost().loader = info;
}

/** What the loader told (see {@link setLoaderInfo}), or `undefined` when no loader instruments this thread. */
export function loaderInfo(): LoaderInfo | undefined {
  return runtimeHost().loader;
}

/** `flushIntervalMs` if it is a finite number ≥ 0. @throws UsageError `ERR_INVALID_POLICY_VALUE` otherwise. */
function checkFlushInterval(ms: number): number {
  if (typeof ms !== "number" || !(ms >= 0) || ms === Infinity) {
    throw new UsageError("ERR_INVALID_POLICY_VALUE", `flushIntervalMs must be a finite number >= 0, got ${StringCtor(ms)}`, { option: "flushIntervalMs" });
  }
  return ms;
}

/** Options of {@link start} and {@link trace}. */
export interface StartOptions {
  /** `binary` (`trace.bin`) or `json` (`trace.json`). Default: `CODETRACER_FORMAT`, else {@link DEFAULT_FORMAT}. */
  format?: TraceFormat;
  /**
   * Record nothing until execution first enters this file (a path, relative to the working
   * directory, or a `file:` URL). A file that does not exist is `ERR_TARGET_NOT_FOUND`.
   */
  startOnEnter?: string | URL;
  /**
   * Trace-filter files applied at run time, after the loader's chain (`::` separates paths in
   * one entry). They can only hide more than the loader's chain: code it did not instrument and
   * values it did not capture cannot come back.
   */
  traceFilter?: string | URL | readonly (string | URL)[];
  /**
   * Policy settings, applied with `configurePolicy` after the environment's. As in the Python
   * recorder, they change the thread's policy (they stay for later sessions); the session runs
   * under the policy as it is when it starts.
   */
  policy?: Partial<RecorderPolicy>;
  /** Apply `CODETRACER_*` policy variables first. @default true */
  applyEnvPolicy?: boolean;
  /** Save `git diff HEAD` as `workspace.diff` in the trace folder. @default false */
  withDiff?: boolean;
  /**
   * Milliseconds between two flushes of buffered events at the end of event-loop turns; 0
   * flushes at the end of every turn that recorded events (what the test-runner integrations
   * use: a runner may end the worker thread right after a test file fails, before a later
   * flush). Default 10; a negative or non-finite value is `ERR_INVALID_POLICY_VALUE`.
   */
  flushIntervalMs?: number;
  /**
   * What `trace_metadata.json` names as the program, and the top-level call's path: an absolute
   * path or a name in angle brackets. Default: the script Node runs (`process.argv[1]`), or
   * `<eval>`. (The vitest integration names the test file.)
   */
  program?: string;
  /** The program's arguments in the metadata. Default: what follows the script (`process.argv.slice(2)`). */
  args?: string[];
  /**
   * Value capture bounds (depth, items, string length, bytes per value; see
   * `ValueCaptureLimits`), over those of the `CODETRACER_MAX_*` variables, over the defaults.
   */
  limits?: Partial<ValueCaptureLimits>;
  /**
   * A metrics sink: called with each change of the `detaches` and `internal_errors` counters
   * of `trace_metadata.json`'s `stats`, `{name, value, delta, reason?}` (`reason`: `{code,
   * reason, message, at_event}`, as in `stats.detach_reasons`), synchronously, when it happens
   * (docs/errors.md, "Metrics"). What it throws never stops the recording: it is counted as an
   * internal error and logged once.
   */
  metrics?: (update: MetricUpdate) => void;
}

/**
 * A session started by {@link start}. `using session = start(dir)` stops it at the end of the
 * block (`Symbol.dispose`), `await using` too.
 */
export class TraceSession {
  /** @internal use {@link start}. */
  constructor(
    private readonly session: NodeSession,
    private readonly removeExitHooks: () => void,
  ) {}

  /** The trace folder (absolute). */
  get path(): string {
    return this.session.traceDir;
  }

  /** The event format being written. */
  get format(): TraceFormat {
    return this.session.format;
  }

  /** The session's trace id (in log lines, error trailers and the metadata). */
  get traceId(): string {
    return this.session.traceId;
  }

  /** True until stopped. */
  get isActive(): boolean {
    return this.session.isActive;
  }

  /**
   * Ends the recording and writes the trace folder (see `NodeSession.stop`); a no-op when
   * already stopped.
   * @param options.exitCode - written as the top-level return value and `process_exit_status`
   * @throws RecorderError `ERR_IO` when a file cannot be written; `ERR_TRACE_MISSING` under
   *   `requireTrace` when nothing instrumented was recorded. Also written as a JSON trailer
   *   under `jsonErrors`.
   */
  stop(options: { exitCode?: number } = {}): void {
    if (!this.session.isActive) return;
    this.removeExitHooks();
    try {
      this.session.stop(options.exitCode);
    } catch (error) {
      throw reported(error);
    }
  }

  /** Writes the events buffered so far to disk, without ending the session. */
  flush(): void {
    this.session.flush();
  }

  // builtins-ok: a computed method name, read when the module loads
  [Symbol.dispose](): void {
    this.stop();
  }

  // builtins-ok: a computed method name, read when the module loads
  async [Symbol.asyncDispose](): Promise<void> {
    this.stop();
  }
}

/** `process.argv` after the script, copied by index. */
function argsOfProcess(): string[] {
  const argv = process.argv;
  const args: string[] = [];
  for (let i = 2; i < argv.length; i++) appendOwn(args, argv[i]!);
  return args;
}

function reported(error: unknown): RecorderError {
  const e = asRecorderError(error);
  reportRecorderError(e);
  return e;
}

/** The run-time recording scope of `traceFilter` (the builtin, then its files), or null without filters. */
function runtimeScope(traceFilter: StartOptions["traceFilter"]): RecordingScope | null {
  // The program's own array: read by index (its iterator may be gone or replaced).
  const entries: readonly (string | URL)[] =
    traceFilter === undefined ? [] : typeof traceFilter === "string" || traceFilter instanceof URLCtor ? [traceFilter as string | URL] : traceFilter;
  const paths: string[] = [];
  for (let i = 0; i < entries.length; i++) {
    // A file: URL names one file (no `::` list).
    const entry = entries[i]!;
    if (typeof entry !== "string") {
      appendOwn(paths, pathOption(entry, "traceFilter", "ERR_INVALID_POLICY_VALUE") as string);
      continue;
    }
    const listed = splitFilterList(entry);
    for (let j = 0; j < listed.length; j++) appendOwn(paths, pathResolve(expandHome(listed[j]!)));
  }
  if (paths.length === 0) return null;
  try {
    return loadRecordingScope({ files: paths });
  } catch (error) {
    throw fromTraceFilterError(error);
  }
}

/**
 * The trace filter's `attr` decisions of `chain` as the recorder's field policy per scope
 * (see `../attr-policy.ts`), with Node's path normalisation.
 */
export function attrPolicyOf(chain: FilterChain): (file: string, scope: string) => AttrPolicy | null {
  return attrPolicyOfChain(chain, pathNormalize);
}

function stricterAttr(a: AttrPolicy | null, b: AttrPolicy | null): AttrPolicy | null {
  if (!a) return b;
  if (!b) return a;
  return (field) => stricter(a(field), b(field));
}

const activeApiSessions = new SafeWeakMap<NodeSession, TraceSession>();

/**
 * Starts recording into the folder `tracePath` (created if missing; receives `trace.json`,
 * `trace_metadata.json` and `trace_paths.json`). The session is finished at process exit if not
 * stopped before (also after `process.exit()`, an uncaught exception or a signal).
 *
 * `tracePath` (and the path options) may be a `file:` `URL` instead of a path.
 *
 * @throws UsageError `ERR_ALREADY_TRACING` when a session is active in this thread;
 *   `ERR_UNSUPPORTED_FORMAT`; `ERR_TRACE_DIR_CONFLICT` when `tracePath` is a file, or a URL
 *   that is not `file:`;
 *   `ERR_INVALID_POLICY_VALUE` for a bad policy value, trace filter or value limit.
 * @throws EnvironmentError `ERR_TRACE_DIR_CREATE_FAILED`, `ERR_IO` (unreadable filter, trace
 *   file not writable). Every error is also written as a JSON trailer under `jsonErrors`.
 * @throws TargetError `ERR_TARGET_NOT_FOUND` when `startOnEnter` names no file.
 */
export function start(tracePath: string | URL, options: StartOptions = {}): TraceSession {
  try {
    tracePath = pathOption(tracePath, "the trace path", "ERR_TRACE_DIR_CONFLICT") as string;
    const host = runtimeHost();
    if (host.attached) {
      throw new UsageError(
        "ERR_ALREADY_TRACING",
        "a recording session is already active in this thread (stop it first, or run without --import codetracer-js-recorder/register, which records the whole run)",
        {
          traceDir: pathResolve(StringCtor(tracePath)),
        },
      );
    }
    if (typeof tracePath !== "string" || tracePath === "") {
      throw new UsageError("ERR_TRACE_DIR_CONFLICT", `the trace path must be a non-empty string, got ${JSONStringify(tracePath)}`, {});
    }
    const format = checkTraceFormat(options.format ?? (process.env.CODETRACER_FORMAT || DEFAULT_FORMAT));
    if (options.applyEnvPolicy !== false) configurePolicyFromEnv();
    if (options.policy) configurePolicy(options.policy);
    const limits = { ...limitsFromEnv(process.env), ...checkLimits(options.limits ?? {}) };
    const filterScope = runtimeScope(options.traceFilter);
    const chain = filterScope ? filterScope.chain : null;
    const loader = loaderInfo();
    if (host.fileCount === 0 && !loader) {
      log(
        "warn",
        "codetracer.session",
        "start(): no instrumented code is loaded in this thread, so nothing can be recorded; run the program with " +
          "`node --import codetracer-js-recorder/register/instrument` or build it with the codetracer bundler plugin",
        { errorCode: "ERR_TRACE_MISSING" },
      );
    }
    const chainAttr = chain ? attrPolicyOf(chain) : null;
    const loaderAttr = loader?.attrPolicy ?? null;
    let counters: () => FilterCounters | undefined = () => undefined;
    const script = process.argv[1];
    const session = startSession({
      traceDir: tracePath,
      format,
      program: options.program ?? (script ? pathResolve(script) : "<eval>"),
      args: options.args ?? argsOfProcess(),
      ...(options.startOnEnter ? { activationPath: pathResolve(pathOption(options.startOnEnter, "startOnEnter", "ERR_INVALID_POLICY_VALUE") as string) } : {}),
      ...(options.metrics ? { metrics: options.metrics } : {}),
      ...(injectedFailureFromEnv(process.env) ? { injectFailureAtStep: injectedFailureFromEnv(process.env)! } : {}),
      ...(options.withDiff ? { withDiff: true } : {}),
      ...(options.flushIntervalMs !== undefined ? { flushIntervalMs: checkFlushInterval(options.flushIntervalMs) } : {}),
      limits,
      ...(chainAttr || loaderAttr
        ? { attrPolicy: (file: string, scope: string) => stricterAttr(loaderAttr?.(file, scope) ?? null, chainAttr?.(file, scope) ?? null) }
        : {}),
      ...(chain
        ? {
            scopePolicy: (file: string, scope: string): RuntimeScopeDecision => chain.classify({ file: pathNormalize(file), obj: scope }),
          }
        : {}),
      metadata: () => {
        const c = counters();
        const base = c && loader?.metadata ? loader.metadata(c) : {};
        if (!filterScope) return base;
        // The loader's stats already hold this session's counters plus the files it skipped at load.
        return { ...base, trace_filter: filterScope.stackedMetadata(base.trace_filter as FilterMetadata | undefined, c) };
      },
    });
    counters = () => session.recorder.filterCounters;
    const traceSession = new TraceSession(session, installExitHooks(session));
    activeApiSessions.set(session, traceSession);
    return traceSession;
  } catch (error) {
    throw reported(fromTraceFilterError(error));
  }
}

/** The active session of this thread (started by {@link start}, the loader or auto-start), or null. */
function activeSession(): NodeSession | null {
  const owner = runtimeHost().owner as NodeSession | null;
  return owner && owner.isActive ? owner : null;
}

/**
 * Stops the active session (see {@link TraceSession.stop}); a no-op when none is active.
 * @throws what {@link TraceSession.stop} throws.
 */
export function stop(options: { exitCode?: number } = {}): void {
  const session = activeSession();
  if (!session) return;
  const api = activeApiSessions.get(session);
  if (api) return api.stop(options);
  try {
    session.stop(options.exitCode);
  } catch (error) {
    throw reported(error);
  }
}

/** True while a session records in this thread. */
export function isTracing(): boolean {
  return activeSession() !== null;
}

/** Writes the active session's buffered events to disk; a no-op when none is active. */
export function flush(): void {
  activeSession()?.flush();
}

/**
 * Runs `fn` inside a session recording into `tracePath`: starts it, calls `fn`, and stops it
 * when `fn` returns, throws, or (for a promise) settles. Returns what `fn` returns.
 * @throws what {@link start} throws (before `fn` runs), what `fn` throws, and what stopping
 *   throws when `fn` succeeded.
 */
export function trace<T>(tracePath: string | URL, options: StartOptions, fn: () => T): T {
  const session = start(tracePath, options);
  let result: T;
  try {
    result = fn();
  } catch (error) {
    session.stop();
    throw error;
  }
  if (result !== null && typeof result === "object" && typeof (result as { then?: unknown }).then === "function") {
    return PromisePrototypeThen(
      apply(promiseResolve, PromiseCtor, [result]) as Promise<unknown>,
      (value) => {
        session.stop();
        return value;
      },
      (error: unknown) => {
        session.stop();
        throw error;
      },
    ) as T;
  }
  session.stop();
  return result;
}

/**
 * Starts a session from the environment when `CODETRACER_TRACE` is set (the trace folder; the
 * deprecated `CODETRACER_JS_RECORDER_OUT_DIR` is read too, see `env-names.ts`) and
 * none is active: `CODETRACER_FORMAT` sets the format, `CODETRACER_TRACE_FILTER` adds run-time
 * filters (`::`-separated). The session is finished at exit. Returns it, or null when nothing
 * was started.
 * @throws what {@link start} throws.
 */
export function autoStartFromEnv(env: NodeJS.ProcessEnv = process.env): TraceSession | null {
  const dir = traceDirFromEnv(env);
  if (!dir || isTracing()) {
    if (dir) log("debug", "codetracer.session", "auto-start skipped: a session is already active");
    return null;
  }
  return start(dir, {
    ...(env.CODETRACER_FORMAT ? { format: env.CODETRACER_FORMAT as TraceFormat } : {}),
    ...(env.CODETRACER_TRACE_FILTER ? { traceFilter: env.CODETRACER_TRACE_FILTER } : {}),
  });
}
