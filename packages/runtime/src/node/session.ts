/**
 * A recording session on Node: creates the trace folder, streams `trace.json` while the program
 * runs, and on stop writes `trace_paths.json` and, last, `trace_metadata.json` (a folder without
 * metadata is an unfinished recording). One session records one thread (see `./threads.ts`).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { createRequire } from "node:module";
import { types as utilTypes } from "node:util";
import {
  PENDING_METADATA_FILE,
  TRACE_BIN_FILE,
  TRACE_JSON_FILE,
  TRACE_METADATA_FILE,
  TRACE_PATHS_FILE,
  DEFAULT_FRAME_BYTES,
  TraceBinWriter,
  TraceJsonWriter,
  ZstdOffload,
  openBinaryFileSink,
  zstdCodec,
  openFileSink,
  serializeTraceMetadata,
  writeTraceMetadata,
  writeTracePaths,
  type TraceLowLevelEvent,
  type TraceMetadata,
} from "@codetracer/trace-format";
import { writeFileAtomic } from "@codetracer/trace-format/internal";
import { randomUUID } from "node:crypto";
import * as nodeUrl from "node:url";
import type { RuntimeApi } from "../abi.js";
import { EnvironmentError, InternalError, TargetError, UsageError, asRecorderError, type RecorderError } from "../errors.js";
import { Recorder, isStackOverflow, type RecorderOptions, type TraceEventSink } from "../recorder.js";
import { installFunctionSource } from "../function-source.js";
import { runtimeHost } from "../host.js";
import type { ValueCaptureLimits } from "../values.js";
import { isMainThread } from "node:worker_threads";
import {
  DateCtor,
  DateNow as dateNow,
  DatePrototypeToISOString,
  JSONStringify,
  NumberCtor,
  ObjectGetOwnPropertyDescriptor,
  ObjectSetPrototypeOf as setPrototypeOf,
  RegExpPrototypeExec,
  PromisePrototypeThen,
  ReflectApply as apply,
  ReflectOwnKeys as ownKeys,
  SafeSet,
  StringCtor,
  StringPrototypeCharCodeAt,
  StringPrototypeSlice,
  StringPrototypeStartsWith,
  appendOwn,
  backslashesToSlashes,
} from "../primordials.js";
import { installIoCapture } from "./io-capture.js";
import { progressWanted, startProgress } from "./progress.js";
import { getRunId, log, reportRecorderError, setTraceId } from "./log.js";
import { policySnapshot, type RecorderPolicy } from "./policy.js";
import { saveWorkspaceDiff, type WorkspaceDiffInfo } from "./workspace-diff.js";
import { acquireTraceDirLock, removeStaleTrace, WORKSPACE_DIFF_FILE, type TraceDirLock } from "./trace-dir.js";
import { processMetadata } from "./children.js";
import { joinPath } from "@codetracer/trace-format/internal/join-path";

/** `json` writes `trace.json`; `binary` writes `trace.bin` (CodeTracer Binary v1: CBOR + seekable zstd, docs/trace-format.md: "trace.bin"). */
export type TraceFormat = "json" | "binary";

/** The recorder's name and version, as written into `trace_metadata.json`. */
export const RECORDER_NAME = "codetracer-js-recorder";
/** Version of this package. */
export const RECORDER_VERSION: string = (createRequire(import.meta.url)("../../package.json") as { version: string }).version;

/**
 * The metadata of a running session (re-exported from `@codetracer/trace-format`). A folder that
 * has it but no `trace_metadata.json` belongs to a recording still running, or one whose process
 * was killed: `repairTrace` finishes it.
 */
export { PENDING_METADATA_FILE };

/** The file `withDiff` saves `git diff HEAD` into, in the trace folder. */
export { WORKSPACE_DIFF_FILE };

/** Options of {@link startSession}. */
export interface SessionOptions {
  /** Directory receiving the three trace files; created if missing. */
  traceDir: string;
  /** @default "binary" */
  format?: TraceFormat;
  /**
   * Absolute path of the program (the entry script), or a name in angle brackets (`<eval>`),
   * kept as is. A function defers the beginning of the recording (the `<top-level>` call in
   * the program) until the first recorded module runs, or the session stops: a worker thread
   * preloaded with `--require` learns its script only after the preloads ran.
   */
  program: string | (() => string);
  /** The program's arguments (what follows the script on the command line); read when the recording begins. */
  args: string[] | (() => string[]);
  /** Working directory written into the metadata. @default process.cwd() */
  workdir?: string;
  /** Record nothing until execution first enters this file (absolute path). */
  activationPath?: string;
  /** Value capture bounds. */
  limits?: Partial<ValueCaptureLimits>;
  /** Extra top-level fields of `trace_metadata.json` (e.g. `thread`, `workers`), asked for when it is written. */
  metadata?: () => Record<string, unknown>;
  /** The trace filter's field policy per scope (see `RecorderOptions.attrPolicy`). */
  attrPolicy?: RecorderOptions["attrPolicy"];
  /** A trace filter applied at run time (see `RecorderOptions.scopePolicy`). */
  scopePolicy?: RecorderOptions["scopePolicy"];
  /**
   * Save `git diff HEAD` of the working tree (the workdir's repository) as
   * {@link WORKSPACE_DIFF_FILE} in the trace folder when the recording begins; the metadata's
   * `workspace_diff` says whether it was asked for, where the file is, or why there is none.
   * @default false
   */
  withDiff?: boolean;
  /**
   * Milliseconds between two flushes at the end of event-loop turns (see {@link NodeSession}):
   * 0 flushes at the end of every turn that recorded events. Default {@link MIN_FLUSH_INTERVAL_MS}.
   */
  flushIntervalMs?: number;
  /** The policy to apply (default: the thread's policy when the session starts, `policySnapshot()`). */
  policy?: Readonly<RecorderPolicy>;
  /** Test hook: see `RecorderOptions.injectFailureAtStep`. */
  injectFailureAtStep?: number;
  /**
   * The metrics sink: receives each change of the `detaches` and `internal_errors` counters
   * with its reason (see `RecorderOptions.onMetric`; docs/errors.md, "Metrics"). What it
   * throws counts as an internal error and is logged once (`codetracer.recorder`); the
   * recording goes on.
   */
  metrics?: RecorderOptions["onMetric"];
  /**
   * Hold the lock of the trace folder (`.codetracer.lock`, see `./trace-dir.ts`) from start to
   * stop, so that a second recording into it fails with `ERR_TRACE_DIR_CONFLICT`. Off only for
   * the folders of worker threads, which live inside a locked root folder.
   * @default true
   */
  lock?: boolean;
}

/**
 * Every session may end without its exit handlers running (`kill -9`, a worker ended by
 * `worker.terminate()`): the metadata so far is written to {@link PENDING_METADATA_FILE} when the
 * recording begins, and buffered events reach the trace file by size and by time, so the folder
 * can be finished later (`repairTrace`, `finishAbandonedTrace`) with a bounded tail lost:
 * - by size: `trace.json` is written every 1024 events, `trace.bin` every 2 MiB of CBOR (one
 *   zstd frame, about a million events);
 * - by time: at the end of an event-loop turn that recorded events, unless the last flush was
 *   less than {@link MIN_FLUSH_INTERVAL_MS} ago; then at the end of that interval. So while the
 *   event loop is free an event stays buffered at most that long, and a program driven by
 *   `setImmediate` (a turn every few microseconds) writes a frame per interval, not a tiny one
 *   per turn. A program busy in one long synchronous run is bounded by size alone.
 *
 * Running a Node timer's callback goes through Node's own JavaScript (its timer queue, the
 * async-context stack), which stores into arrays and so meets a program's `Object.prototype[0]`
 * accessor (test262 defines them): the program would die of the recorder's timer. So the end of
 * a turn is a reaction to an already settled promise (a V8 microtask), never a timer. A later
 * time is an unref'd `setTimeout` while `Array.prototype` and `Object.prototype` have the keys
 * they had at load, else the timeout of `Atomics.waitAsync` (V8's own delayed task, which does
 * not keep the process alive, like an unref'd timer). Not `Atomics.waitAsync` always: with it,
 * a vitest worker thread lost a failing file's last steps (test/e2e/vitest.test.ts, "threads, a
 * worker thread per file"). See {@link afterTurn} and {@link afterMs}.
 */

/**
 * Whether `trace.bin` frames are compressed on a thread of their own (`ZstdOffload`; started
 * once a recording has made 4 MiB of CBOR): only with `CODETRACER_COMPRESS_THREAD=1`. Off by
 * default: on the 2-vCPU machines this is measured on, two busy threads each run ~1.8x slower,
 * so moving compression (~15% of a value-heavy recording) off the program's thread gained
 * nothing and cost ~30 MB (docs/performance.md "A second thread, measured").
 */
function compressOnThread(): boolean {
  return process.env.CODETRACER_COMPRESS_THREAD === "1";
}

/** Milliseconds between two looks for frames the compression thread has finished. */
const FRAME_POLL_MS = 5;

/** Fewest milliseconds between two flushes by time (see above). */
export const MIN_FLUSH_INTERVAL_MS = 10;

// The clock as loaded, so a program that replaces it cannot stop flushing.
const clock = performance;
const clockNow = performance.now;
const ceil = Math.ceil;
// Node's functions as loaded: a program may assign to `fs.rmSync` or `path.join` (the modules'
// objects are shared with it).
const { rmSync, readFileSync, statSync, mkdirSync, accessSync } = fs;
const { W_OK, S_IFMT, S_IFDIR } = fs.constants;
const { resolve: pathResolve } = path;
const isProxy = utilTypes.isProxy;
const processCwd = process.cwd;
const atomicsWaitAsync = (Atomics as unknown as { waitAsync: (cell: Int32Array, index: number, value: number, ms: number) => unknown }).waitAsync;
/** Never notified: `Atomics.waitAsync` on it only ever times out. */
const neverNotified = new Int32Array(new SharedArrayBuffer(4));
/** A settled promise with no prototype: `then` on it reads no `constructor` the program can reach. */
const settled: Promise<void> = setPrototypeOf(Promise.resolve(), null) as Promise<void>;

const startTimer = setTimeout;
const ArrayPrototype: object = Array.prototype;
const ObjectPrototype: object = Object.prototype;
const arrayPrototypeKeys = ownKeys(ArrayPrototype).length;
const objectPrototypeKeys = ownKeys(ObjectPrototype).length;

/**
 * Whether Node's timers are safe to use: `Array.prototype` and `Object.prototype` have as many
 * own keys as at load (the program added no index accessor there). About 1 µs; asked once per
 * scheduled flush.
 */
function nodeTimersSafe(): boolean {
  return ownKeys(ArrayPrototype).length === arrayPrototypeKeys && ownKeys(ObjectPrototype).length === objectPrototypeKeys;
}

/** `fn` made safe to run as a promise reaction: a throw would become an unhandled rejection. */
function reaction(fn: () => void): () => void {
  return () => {
    try {
      fn();
    } catch {
      // fn reports its own failures (ioFailed); nothing may reach the program's rejection handlers
    }
  };
}

/**
 * Runs `fn` at the end of the current turn of the event loop: a reaction to a settled promise
 * (a V8 microtask; no Node timer code runs, see the comment above).
 */
function afterTurn(fn: () => void): void {
  PromisePrototypeThen(settled, reaction(fn));
}

/**
 * Runs `fn` after `ms` milliseconds (at least 1) if the process is still running: an unref'd
 * `setTimeout`, or, once the program changed `Array.prototype` or `Object.prototype`, the timeout
 * of `Atomics.waitAsync` on a cell nobody notifies, which V8 runs as a delayed task of its own
 * and which, like an unref'd timer, does not keep the process alive.
 */
function afterMs(fn: () => void, ms: number): void {
  if (nodeTimersSafe()) {
    startTimer(fn, ms).unref(); // builtins-ok: Node's own Timeout, as before this module took care of patched prototypes
    return;
  }
  const result = atomicsWaitAsync(neverNotified, 0, 0, ms < 1 ? 1 : ms) as { async: boolean; value: Promise<string> | string };
  if (!result.async) {
    afterTurn(fn);
    return;
  }
  const pending = setPrototypeOf(result.value as Promise<string>, null) as Promise<string>;
  PromisePrototypeThen(pending, reaction(fn));
}

/** A running session. */
export class NodeSession {
  /** The recorder instrumented code talks to (through the thread's runtime host). */
  readonly recorder: Recorder;
  /** What instrumented code calls: the thread's runtime host (`globalThis.__codetracer__`). */
  readonly runtime: RuntimeApi;
  readonly traceDir: string;
  readonly format: TraceFormat;
  /** Identifies this session in log lines, error trailers and the metadata (a UUIDv4). */
  readonly traceId: string = randomUUID();
  /** The policy the session runs under. */
  readonly policy: Readonly<RecorderPolicy>;
  private readonly writer: TraceJsonWriter | TraceBinWriter;
  private stopped = false;
  private entry: { program: string; args: string[] } | undefined;
  /** When the recording began (ms since the epoch): `started_at`, and `duration_ms` at the end. */
  private startedAt = 0;
  private stopIoCapture: (() => void) | null = null;
  /** Set when writing the trace failed: see {@link ioFailed}. */
  private ioFailure: RecorderError | null = null;
  private workspaceDiff: WorkspaceDiffInfo | undefined;
  /** The lock of the trace folder, released when the session stops. */
  private readonly lock: TraceDirLock | null;

  /** @internal use {@link startSession}. */
  constructor(
    private readonly options: Required<Pick<SessionOptions, "traceDir" | "program" | "args" | "workdir">> & SessionOptions,
    writer: TraceJsonWriter | TraceBinWriter,
    lock: TraceDirLock | null = null,
  ) {
    this.lock = lock;
    this.traceDir = options.traceDir;
    this.format = options.format ?? "binary";
    this.policy = options.policy ?? policySnapshot();
    this.writer = writer;
    let flushQueued = false;
    let lastFlush = -Infinity;
    // Frames compressed on the compression thread reach the file from here: looked for after
    // each flush while some are in flight.
    let pollQueued = false;
    const poll = () => {
      pollQueued = false;
      if (this.stopped || this.ioFailure || !(writer instanceof TraceBinWriter)) return;
      try {
        writer.writeReady();
      } catch (error) {
        this.ioFailed(error);
        return;
      }
      schedulePoll();
    };
    const schedulePoll = () => {
      if (pollQueued || !(writer instanceof TraceBinWriter) || writer.pendingFrames === 0) return;
      pollQueued = true;
      afterMs(poll, FRAME_POLL_MS);
    };
    const flushInterval = options.flushIntervalMs ?? MIN_FLUSH_INTERVAL_MS;
    const flushSoon = () => {
      flushQueued = false;
      lastFlush = apply(clockNow, clock, []) as number;
      this.flush();
      schedulePoll();
    };
    const scheduleFlush = () => {
      if (flushQueued) return;
      flushQueued = true;
      const wait = lastFlush + flushInterval - (apply(clockNow, clock, []) as number);
      if (wait <= 0) afterTurn(flushSoon);
      else afterMs(flushSoon, ceil(wait));
    };
    // Each method: nothing after a write failure; a failure detaches the recorder (through
    // `ioFailed`, which `onInternalError` lets the program survive).
    const sink: TraceEventSink = {
      write: (event: TraceLowLevelEvent) => {
        if (this.ioFailure) return;
        try {
          writer.write(event);
        } catch (error) {
          throw this.ioFailed(error);
        }
        scheduleFlush();
      },
      writeStep: (pathId, line) => {
        if (this.ioFailure) return;
        try {
          writer.writeStep(pathId, line);
        } catch (error) {
          throw this.ioFailed(error);
        }
        scheduleFlush();
      },
      writeValue: (variableId, value) => {
        if (this.ioFailure) return;
        try {
          writer.writeValue(variableId, value);
        } catch (error) {
          throw this.ioFailed(error);
        }
        scheduleFlush();
      },
      writeCall: (functionId, args) => {
        if (this.ioFailure) return;
        try {
          writer.writeCall(functionId, args);
        } catch (error) {
          throw this.ioFailed(error);
        }
        scheduleFlush();
      },
      writeReturn: (value) => {
        if (this.ioFailure) return;
        try {
          writer.writeReturn(value);
        } catch (error) {
          throw this.ioFailed(error);
        }
        scheduleFlush();
      },
    };
    this.recorder = new Recorder({
      sink,
      isProxy,
      ...(options.activationPath !== undefined ? { activationPath: backslashesToSlashes(options.activationPath) } : {}),
      ...(options.limits ? { limits: options.limits } : {}),
      ...(options.attrPolicy ? { attrPolicy: options.attrPolicy } : {}),
      ...(options.scopePolicy ? { scopePolicy: options.scopePolicy } : {}),
      ...(options.injectFailureAtStep ? { injectFailureAtStep: options.injectFailureAtStep } : {}),
      onInternalError: (error) => this.onInternalError(error),
      ...(options.metrics ? { onMetric: options.metrics, onMetricsError: (error: unknown) => this.onMetricsError(error) } : {}),
    });
    const host = runtimeHost();
    this.runtime = host;
    if (typeof options.program === "string") {
      this.begin();
      host.attach(this.recorder, this);
    } else {
      host.attach(this.recorder, this, () => this.begin());
    }
  }

  /**
   * Writing the trace failed (disk full, the folder removed, a file size limit): the recording
   * ends there, whatever `onRecorderError` says, and the program runs on unaffected. Logged once
   * with `ERR_IO`; at stop the folder is finished as far as the disk allows, without throwing.
   */
  private ioFailed(error: unknown): unknown {
    // A full call stack is the program's (the recorder drops the event and goes on), not I/O.
    if (isStackOverflow(error)) return error;
    if (!this.ioFailure) {
      const cause = asRecorderError(error);
      this.ioFailure = new EnvironmentError(
        "ERR_IO",
        `cannot write the trace in ${this.traceDir}, recording stopped (the program runs on): ${withoutCode(cause)}`,
        { traceDir: this.traceDir, ...cause.context },
        { cause: error },
      );
      reportRecorderError(this.ioFailure, "codetracer.session");
      this.recorder?.detach({ code: "ERR_IO", reason: "io_failure", error: this.ioFailure });
    }
    return this.ioFailure;
  }

  /** The metrics sink threw (the first time: logged; counted by the recorder every time). */
  private metricsSinkFailed = false;
  private onMetricsError(error: unknown): void {
    if (this.metricsSinkFailed) return;
    this.metricsSinkFailed = true;
    log(
      "error",
      "codetracer.recorder",
      `the metrics sink threw (counted in stats.internal_errors; the recording goes on): ${withoutCode(asRecorderError(error))}`,
      {
        errorCode: "ERR_UNKNOWN",
      },
    );
  }

  /** The recorder failed: detach (it already has) and apply `onRecorderError`. */
  private onInternalError(error: unknown): Error | undefined {
    if (error === this.ioFailure) return undefined; // not the recorder's fault: see ioFailed
    const abort = this.policy.onRecorderError === "abort";
    const failure = new InternalError(
      "ERR_UNKNOWN",
      `the recorder failed and ${abort ? "stopped recording" : "detached"}: ${(error as Error)?.message ?? StringCtor(error)}`,
      { traceDir: this.traceDir, policy: this.policy.onRecorderError },
      { cause: error },
    );
    reportRecorderError(failure, "codetracer.recorder");
    return abort ? failure : undefined;
  }

  /** Opens the top-level call and writes the pending metadata (once). */
  private begin(): { program: string; args: string[] } {
    if (this.entry) return this.entry;
    const { program, args } = this.options;
    this.entry = { program: resolveProgram(typeof program === "string" ? program : program()), args: typeof args === "function" ? args() : args };
    this.startedAt = dateNow();
    this.recorder.begin(backslashesToSlashes(this.entry.program));
    setTraceId(this.traceId);
    if (this.options.withDiff) this.workspaceDiff = saveWorkspaceDiff(this.options.workdir, joinPath(this.traceDir, WORKSPACE_DIFF_FILE));
    if (this.policy.ioCapture) {
      const stopCapture = installIoCapture((stream, text) => this.recorder.recordWrite(stream, text));
      // The progress line needs the capture's hook to erase itself before the program writes.
      const stopProgress =
        isMainThread && progressWanted()
          ? startProgress(() => this.recorder.stats.events, joinPath(this.traceDir, this.format === "binary" ? TRACE_BIN_FILE : TRACE_JSON_FILE))
          : null;
      this.stopIoCapture = () => {
        stopProgress?.();
        stopCapture();
      };
    }
    try {
      writeFileAtomic(joinPath(this.traceDir, PENDING_METADATA_FILE), serializeTraceMetadata(this.metadataSoFar()));
    } catch (error) {
      log("warn", "codetracer.session", `cannot write ${PENDING_METADATA_FILE}: the folder cannot be repaired if the process is killed`, {
        errorCode: "ERR_IO",
        fields: { error: (error as Error).message },
      });
    }
    return this.entry;
  }

  /** True until {@link stop}. */
  get isActive(): boolean {
    return !this.stopped;
  }

  /** Writes buffered events to disk without ending the session (a write failure ends the recording: see `ioFailed`). */
  flush(): void {
    if (this.stopped || this.ioFailure) return;
    try {
      this.writer.flush();
    } catch (error) {
      this.ioFailed(error);
    }
  }

  /** `trace_metadata.json` without the fields known only at the end (exit status, stats). */
  metadataSoFar(): TraceMetadata {
    const { program, args } = this.begin();
    return {
      workdir: this.options.workdir,
      program,
      args,
      recorder: { name: RECORDER_NAME, version: RECORDER_VERSION, target_script: program },
      format: this.format,
      run_id: getRunId(),
      started_at: DatePrototypeToISOString(new DateCtor(this.startedAt)),
      trace_id: this.traceId,
      workspace_diff: this.workspaceDiff ?? { requested: false, path: null },
      ...this.options.metadata?.(),
      ...processMetadata(this.traceDir),
      ...(this.recorder.spanTraceIds.size > 0 ? { tracing: { trace_ids: ownList(this.recorder.spanTraceIds) } } : {}),
    };
  }

  /**
   * Ends the session: closes every open frame, returns from the top-level call with
   * `exitCode` (or the Raw value `<label>`), and writes the remaining events, `trace_paths.json`
   * and, last, `trace_metadata.json` with `process_exit_status: {code, label}` (`label` is
   * `<exit>` when neither is given). Instrumented code that runs later records nothing and never
   * fails. Idempotent.
   *
   * After the recorder detached under the `disable` policy, the top-level return is
   * `<disabled>`, and without `keepPartialTrace` the trace files are removed instead.
   *
   * The lock of the trace folder is released whatever happens.
   *
   * @throws RecorderError `ERR_IO` when a file cannot be written; `ERR_TRACE_MISSING` (after
   *   finishing the folder) when the policy's `requireTrace` is set and no instrumented code
   *   was recorded.
   */
  stop(exitCode?: number, label?: string): void {
    if (this.stopped) return;
    this.stopped = true;
    try {
      this.finish(exitCode, label);
    } finally {
      this.lock?.release();
    }
  }

  /** {@link stop}'s work, once. */
  private finish(exitCode: number | undefined, label: string | undefined): void {
    this.begin();
    this.stopIoCapture?.();
    runtimeHost().detach(this.recorder);
    if (this.ioFailure) {
      this.finishAfterIoFailure();
      return;
    }
    const disabled = this.recorder.isDetached && this.policy.onRecorderError === "disable";
    const topLabel = disabled ? "<disabled>" : label !== undefined ? `<${unbracketed(label)}>` : "<exit>";
    try {
      this.recorder.finish(disabled ? undefined : exitCode, topLabel);
      this.writer.finish();
      if (disabled && !this.policy.keepPartialTrace) {
        const names = [TRACE_JSON_FILE, TRACE_BIN_FILE, PENDING_METADATA_FILE, TRACE_PATHS_FILE, TRACE_METADATA_FILE, WORKSPACE_DIFF_FILE];
        for (let i = 0; i < names.length; i++) rmSync(joinPath(this.traceDir, names[i]!), { force: true });
        log(
          "warn",
          "codetracer.session",
          `the recorder detached after an internal error; the partial trace in ${this.traceDir} was removed (keepPartialTrace is off)`,
          {
            errorCode: "ERR_TRACE_INCOMPLETE",
          },
        );
        setTraceId(null);
        return;
      }
      writeTracePaths(this.traceDir, this.recorder.paths);
      const stats = this.recorder.stats;
      const metadata: TraceMetadata = {
        ...this.metadataSoFar(),
        process_exit_status: { code: exitCode ?? null, label: exitCode === undefined ? (label ?? "<exit>") : null },
        duration_ms: dateNow() - this.startedAt,
        stats: {
          events: stats.events,
          dropped_events: 0,
          detaches: stats.detaches,
          internal_errors: stats.internalErrors,
          // Why it detached (docs/errors.md, "Metrics"): only when it did.
          ...(this.recorder.detachReasons.length > 0 ? { detach_reasons: this.recorder.detachReasons } : {}),
        },
        ...(this.recorder.isDetached ? { partial: true } : {}),
      };
      writeTraceMetadata(this.traceDir, metadata);
      rmSync(joinPath(this.traceDir, PENDING_METADATA_FILE), { force: true });
      if (disabled) {
        log("warn", "codetracer.session", `the recorder detached after an internal error; the partial trace in ${this.traceDir} was kept`, {
          errorCode: "ERR_TRACE_INCOMPLETE",
        });
      }
    } catch (error) {
      setTraceId(null);
      throw asRecorderError(error);
    }
    // The trace id stays set for what is reported about this session's end.
    try {
      this.checkRecorded();
    } finally {
      setTraceId(null);
    }
  }

  /**
   * Stop after a write failure: nothing more is written (the writer's state after a failed
   * write is unknown, and the disk may be full), nothing is thrown, the exit code is unchanged.
   * The folder keeps its pending metadata, so `codetracer-js-recorder --repair` finishes it from
   * the events that reached the disk.
   */
  private finishAfterIoFailure(): void {
    log(
      "warn",
      "codetracer.session",
      `the trace in ${this.traceDir} is unfinished after a write failure; \`codetracer-js-recorder --repair ${this.traceDir}\` recovers what reached the disk`,
      {
        errorCode: "ERR_IO",
      },
    );
    setTraceId(null);
  }

  /** `ERR_TRACE_MISSING` under `requireTrace` when nothing instrumented was recorded; else a log line. */
  private checkRecorded(): void {
    if (this.recorder.recordedFunctions === 0) {
      const missing = new UsageError(
        "ERR_TRACE_MISSING",
        `the session recorded no instrumented code (${this.traceDir}): load the program with the recorder's loader ` +
          "(node --import codetracer-js-recorder/register, or …/register/instrument for the session API) or a bundler plugin",
        { traceDir: this.traceDir },
      );
      if (this.policy.requireTrace) {
        reportRecorderError(missing); // now, while the trace id is this session's
        throw missing;
      }
      // Not a warning: a thread may well run nothing recorded (a worker running only library
      // code). `start()` warns when it is called where nothing is instrumented.
      log("info", "codetracer.session", missing.message, { errorCode: missing.code });
    }
  }
}

/** The original text of a recorded file (as the loader read it), or `undefined`. */
function readSourceFile(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

/**
 * Starts recording into `options.traceDir` and installs {@link NodeSession.runtime} as
 * `globalThis.__codetracer__`, where instrumented code finds it.
 *
 * The folder is locked for the session's life (unless `options.lock` is false), and what an
 * earlier recording left in it is removed first: the trace files of either format, the
 * workspace diff, the worker and child process folders (docs/recording.md "One recording per
 * folder").
 *
 * @throws UsageError `ERR_UNSUPPORTED_FORMAT` for an unknown format; `ERR_TRACE_DIR_CONFLICT` when `traceDir` exists and is not a directory,
 *   or another process records into it; `ERR_ALREADY_TRACING` when the recorder of a session that has not stopped is installed.
 * @throws EnvironmentError `ERR_TRACE_DIR_CREATE_FAILED` when the directory cannot be created, locked or cleaned;
 *   `ERR_IO` when `trace.json` (`trace.bin`) cannot be opened for writing, or the zstd codec of
 *   `trace.bin` cannot be loaded.
 */
export function startSession(options: SessionOptions): NodeSession {
  // An empty path would resolve to the working directory: ERR_TRACE_DIR_CONFLICT, as start("") gives.
  if (typeof options.traceDir !== "string" || options.traceDir === "") {
    throw new UsageError("ERR_TRACE_DIR_CONFLICT", `the trace directory must be a non-empty path, got ${JSONStringify(options.traceDir)}`, {});
  }
  const format = checkTraceFormat(options.format ?? "binary");
  if (runtimeHost().attached) {
    throw new UsageError("ERR_ALREADY_TRACING", "a recording session is already active in this thread", {});
  }
  if (options.activationPath !== undefined) checkActivationPath(options.activationPath);
  const traceDir = pathResolve(options.traceDir);
  const lock = prepareTraceDir(traceDir, options.lock ?? true);
  const eventsFile = joinPath(traceDir, format === "binary" ? TRACE_BIN_FILE : TRACE_JSON_FILE);
  let writer: TraceJsonWriter | TraceBinWriter;
  try {
    writer =
      format === "binary"
        ? new TraceBinWriter(
            openBinaryFileSink(eventsFile),
            compressOnThread() ? { offload: new ZstdOffload({ slotBytes: DEFAULT_FRAME_BYTES + 64 * 1024, codec: zstdCodec() }) } : {},
          )
        : new TraceJsonWriter(openFileSink(eventsFile));
  } catch (error) {
    lock?.release();
    throw new EnvironmentError("ERR_IO", `cannot write ${eventsFile}: ${(error as Error).message}`, { traceDir }, { cause: error });
  }
  installFunctionSource(readSourceFile);
  return new NodeSession({ ...options, format, traceDir, workdir: options.workdir ?? (apply(processCwd, process, []) as string) }, writer, lock);
}

// `URL` and Node's `fileURLToPath` as loaded: `start()` runs in the program, which may replace them.
const URLCtor = URL;
const urlHref = ObjectGetOwnPropertyDescriptor(URL.prototype, "href")!.get!;
const { fileURLToPath: fileUrlToPath } = nodeUrl;

/**
 * A path option of the session API (`start()`'s trace folder, `startOnEnter`, `traceFilter`
 * entries) as a file-system path: a string as it is, a `file:` `URL` as its path (Node's
 * `fileURLToPath`: percent-escapes decoded). Any other value is returned unchanged, for the
 * option's own check.
 * @param option - the option's name, for the message (`tracePath`, `startOnEnter`, …)
 * @param code - the code of the error for a URL that is not a usable `file:` URL
 * @throws UsageError `code` for a URL whose scheme is not `file:` (`https:`, `data:`, …), or a
 *   `file:` URL Node cannot turn into a path here (a host other than `localhost` on POSIX).
 */
export function pathOption(value: unknown, option: string, code: "ERR_TRACE_DIR_CONFLICT" | "ERR_INVALID_POLICY_VALUE"): unknown {
  if (!(value instanceof URLCtor)) return value;
  const href = apply(urlHref, value, []) as string;
  if (!StringPrototypeStartsWith(href, "file:")) {
    throw new UsageError(code, `${option} must be a path or a file: URL, got ${href}`, { option, url: href });
  }
  try {
    return fileUrlToPath(href);
  } catch (error) {
    throw new UsageError(code, `${option}: ${href} is not a file path here: ${(error as Error).message}`, { option, url: href }, { cause: error });
  }
}

/**
 * The activation file `file` (absolute) when it exists.
 * @throws TargetError `ERR_TARGET_NOT_FOUND` when there is no such file: the recording would
 *   wait for a file the program never runs, and record nothing.
 */
export function checkActivationPath(file: string, option = "the activation path"): string {
  let stat: fs.Stats | undefined;
  try {
    stat = statSync(file, { throwIfNoEntry: false });
  } catch {
    stat = undefined; // e.g. ENOTDIR: a parent is a file
  }
  const exists = stat !== undefined;
  // The mode bits, as ensureTraceDir reads them: no method of fs.Stats (the program's to change).
  const directory = stat !== undefined && (stat.mode & S_IFMT) === S_IFDIR;
  if (!exists || directory) {
    throw new TargetError(
      "ERR_TARGET_NOT_FOUND",
      `${option} ${file} ${exists ? "is a directory" : "does not exist"}: recording would wait for a file the program never runs`,
      { activationPath: file },
    );
  }
  return file;
}

const INJECT_FAILURE = /^step:(\d+)$/;

/** `CODETRACER_TEST_INJECT_FAILURE=step:N` (test hook, also read by the loader): N, or undefined. */
export function injectedFailureFromEnv(env: NodeJS.ProcessEnv): number | undefined {
  const m = RegExpPrototypeExec(INJECT_FAILURE, env.CODETRACER_TEST_INJECT_FAILURE ?? "");
  return m ? NumberCtor(m[1]) : undefined;
}

/**
 * Checks that this version can write `format` and returns it: `"json"` (`trace.json`) or
 * `"binary"` (`trace.bin`).
 * @throws UsageError `ERR_UNSUPPORTED_FORMAT` for any other format.
 */
export function checkTraceFormat(format: string): TraceFormat {
  if (format === "json" || format === "binary") return format;
  throw new UsageError("ERR_UNSUPPORTED_FORMAT", `unknown trace format '${format}' (expected json or binary)`, { format });
}

/**
 * Makes sure `traceDir` is a writable directory, creating it (and its parents) if missing.
 * Used by the session and, before the program starts, by the CLI, so both report the same
 * coded error. Removes nothing.
 *
 * @param traceDir absolute path.
 * @throws UsageError `ERR_TRACE_DIR_CONFLICT` when it exists and is not a directory.
 * @throws EnvironmentError `ERR_TRACE_DIR_CREATE_FAILED` when it cannot be created or written
 *   (the message names the directory and the system error code).
 */
export function ensureTraceDir(traceDir: string): void {
  let stat: fs.Stats | undefined;
  try {
    stat = statSync(traceDir, { throwIfNoEntry: false });
  } catch {
    stat = undefined; // e.g. ENOTDIR: a parent is a file; mkdir below reports it
  }
  if (stat && (stat.mode & S_IFMT) !== S_IFDIR) {
    throw new UsageError("ERR_TRACE_DIR_CONFLICT", `trace directory ${traceDir} exists and is not a directory`, { traceDir });
  }
  try {
    mkdirSync(traceDir, { recursive: true });
    accessSync(traceDir, W_OK);
  } catch (error) {
    throw new EnvironmentError(
      "ERR_TRACE_DIR_CREATE_FAILED",
      `cannot create or write the trace directory ${traceDir} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      { traceDir },
      { cause: error },
    );
  }
}

/**
 * Makes `traceDir` ready for a new recording: creates it, takes its lock (unless `lock` is
 * false), and removes every file an earlier recording left there, of either format, with the
 * worker and child process folders under it (`removeStaleTrace`).
 *
 * @returns the lock, or null when `lock` is false.
 * @throws UsageError `ERR_TRACE_DIR_CONFLICT` when it is not a directory, or another process
 *   records into it.
 * @throws EnvironmentError `ERR_TRACE_DIR_CREATE_FAILED` when it cannot be created, locked or
 *   emptied of the old trace.
 */
function prepareTraceDir(traceDir: string, lock: boolean): TraceDirLock | null {
  ensureTraceDir(traceDir);
  const dirError = (what: string, error: unknown) =>
    new EnvironmentError(
      "ERR_TRACE_DIR_CREATE_FAILED",
      `cannot ${what} the trace directory ${traceDir} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      { traceDir },
      { cause: error },
    );
  let held: TraceDirLock | null = null;
  if (lock) {
    try {
      held = acquireTraceDirLock(traceDir);
    } catch (error) {
      if (error instanceof UsageError) throw error;
      throw dirError("lock", error);
    }
  }
  try {
    removeStaleTrace(traceDir);
  } catch (error) {
    held?.release();
    throw dirError("remove the earlier trace from", error);
  }
  return held;
}

/** `<eval>` and the like stay as they are; a path is made absolute. */
function resolveProgram(program: string): string {
  const n = program.length;
  const bracketed = n >= 2 && StringPrototypeCharCodeAt(program, 0) === 0x3c && StringPrototypeCharCodeAt(program, n - 1) === 0x3e;
  return bracketed ? program : pathResolve(program);
}

/** The message of `error` without the `[ERR_…] ` its constructor put in front. */
function withoutCode(error: RecorderError): string {
  const prefix = `[${error.code}] `;
  return StringPrototypeStartsWith(error.message, prefix) ? StringPrototypeSlice(error.message, prefix.length) : error.message;
}

/** `label` without one leading `<` and one trailing `>`. */
function unbracketed(label: string): string {
  let from = 0;
  let to = label.length;
  if (to > 0 && StringPrototypeCharCodeAt(label, 0) === 0x3c) from = 1;
  if (to > from && StringPrototypeCharCodeAt(label, to - 1) === 0x3e) to--;
  return StringPrototypeSlice(label, from, to);
}

/** The members of `set` as an array of its own elements (no iterator protocol). */
function ownList(set: SafeSet<string>): string[] {
  const list: string[] = [];
  set.forEach((value) => appendOwn(list, value));
  return list;
}

/**
 * Installs the thread's runtime host as `globalThis.__codetracer__` if it is not yet (see
 * `runtimeHost`), for a thread that may run instrumented code before or without a session, and
 * makes `Function.prototype.toString` show recorded functions as written
 * (`installFunctionSource`).
 */
export function installIdleRuntime(): void {
  installFunctionSource(readSourceFile);
  runtimeHost();
}
