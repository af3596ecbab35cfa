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
  TRACE_BIN_FILE,
  TRACE_JSON_FILE,
  TRACE_METADATA_FILE,
  TRACE_PATHS_FILE,
  TraceJsonWriter,
  openFileSink,
  serializeTraceMetadata,
  writeFileAtomic,
  writeTraceMetadata,
  writeTracePaths,
  type TraceLowLevelEvent,
  type TraceMetadata,
} from "@codetracer/trace-format";
import { RUNTIME_GLOBAL, type RuntimeApi } from "../abi.js";
import { EnvironmentError, UsageError } from "../errors.js";
import { Recorder, type RecorderOptions } from "../recorder.js";
import { installFunctionSource } from "../function-source.js";
import type { ValueCaptureLimits } from "../values.js";

/** `json` writes `trace.json`; `binary` (`trace.bin`) lands with the binary-format issue. */
export type TraceFormat = "json" | "binary";

/** The recorder's name and version, as written into `trace_metadata.json`. */
export const RECORDER_NAME = "codetracer-js-recorder";
/** Version of this package. */
export const RECORDER_VERSION: string = (createRequire(import.meta.url)("../../package.json") as { version: string }).version;

/**
 * The metadata of a running session, without exit status, written when the recording begins if
 * {@link SessionOptions.killable} is set, and removed when the session stops.
 */
export const PENDING_METADATA_FILE = "trace_metadata.pending.json";

/** Runtimes of stopped sessions: they may stay installed, and a new session may replace them. */
const stoppedRuntimes = new WeakSet<object>();

/** Options of {@link startSession}. */
export interface SessionOptions {
  /** Directory receiving the three trace files; created if missing. */
  traceDir: string;
  /** @default "json" */
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
  /**
   * The thread may be stopped without running its exit handlers (a worker thread ended by
   * `worker.terminate()`). Then the session writes the metadata so far to
   * {@link PENDING_METADATA_FILE} when the recording begins, and writes buffered events to `trace.json` at
   * the end of each event-loop turn that recorded some, so that another thread can finish the
   * folder (`finishAbandonedTrace`) with little lost. @default false
   */
  killable?: boolean;
}

/** A running session. */
export class NodeSession {
  /** The recorder instrumented code talks to. */
  readonly recorder: Recorder;
  /**
   * What is installed as `globalThis.__codetracer__`: the recorder, or, while the recording
   * has not begun (see {@link SessionOptions.program}), a runtime that begins it on first use.
   */
  readonly runtime: RuntimeApi;
  readonly traceDir: string;
  readonly format: TraceFormat;
  private readonly writer: TraceJsonWriter;
  private stopped = false;
  private entry: { program: string; args: string[] } | undefined;

  /** @internal use {@link startSession}. */
  constructor(
    private readonly options: Required<Pick<SessionOptions, "traceDir" | "program" | "args" | "workdir">> & SessionOptions,
    writer: TraceJsonWriter,
  ) {
    this.traceDir = options.traceDir;
    this.format = options.format ?? "json";
    this.writer = writer;
    let flushQueued = false;
    const flushSoon = () => {
      flushQueued = false;
      this.flush();
    };
    const sink = options.killable
      ? {
          write: (event: TraceLowLevelEvent) => {
            writer.write(event);
            if (!flushQueued) {
              flushQueued = true;
              setImmediate(flushSoon).unref();
            }
          },
        }
      : writer;
    this.recorder = new Recorder({
      sink,
      isProxy: utilTypes.isProxy,
      ...(options.activationPath !== undefined ? { activationPath: toPosix(options.activationPath) } : {}),
      ...(options.limits ? { limits: options.limits } : {}),
      ...(options.attrPolicy ? { attrPolicy: options.attrPolicy } : {}),
      onInternalError: (error) => {
        process.stderr.write(`codetracer: recorder detached after an internal error: ${String(error)}\n`);
      },
    });
    if (typeof options.program === "string") {
      this.begin();
      this.runtime = this.recorder;
    } else {
      this.runtime = {
        abi: this.recorder.abi,
        file: (table) => {
          this.begin();
          return this.recorder.file(table);
        },
      };
    }
  }

  /** Opens the top-level call (once); for a `killable` session, writes the pending metadata. */
  private begin(): { program: string; args: string[] } {
    if (this.entry) return this.entry;
    const { program, args } = this.options;
    this.entry = { program: resolveProgram(typeof program === "string" ? program : program()), args: typeof args === "function" ? args() : args };
    this.recorder.begin(toPosix(this.entry.program));
    if (this.options.killable) {
      try {
        writeFileAtomic(path.join(this.traceDir, PENDING_METADATA_FILE), serializeTraceMetadata(this.metadataSoFar()));
      } catch {
        // best effort: without it, a killed thread's folder stays unfinished
      }
    }
    return this.entry;
  }

  /** True until {@link stop}. */
  get isActive(): boolean {
    return !this.stopped;
  }

  /** Writes buffered events to disk without ending the session. */
  flush(): void {
    if (!this.stopped) this.writer.flush();
  }

  /** `trace_metadata.json` without the fields known only at the end (exit status, stats). */
  metadataSoFar(): TraceMetadata {
    const { program, args } = this.begin();
    return {
      workdir: this.options.workdir,
      program,
      args,
      recorder: { name: RECORDER_NAME, version: RECORDER_VERSION },
      format: this.format,
      ...this.options.metadata?.(),
    };
  }

  /**
   * Ends the session: closes every open frame, returns from the top-level call with
   * `exitCode`, and writes the remaining events, `trace_paths.json` and `trace_metadata.json`.
   * The finished runtime stays installed as `globalThis.__codetracer__`, so instrumented code
   * that runs later (an exit handler, a module loaded from one) records nothing and never fails.
   * Idempotent.
   *
   * @throws TraceFormatError `ERR_IO` when a file cannot be written.
   */
  stop(exitCode?: number): void {
    if (this.stopped) return;
    this.stopped = true;
    stoppedRuntimes.add(this.runtime);
    this.begin();
    this.recorder.finish(exitCode);
    this.writer.finish();
    writeTracePaths(this.traceDir, this.recorder.paths);
    const metadata: TraceMetadata = {
      ...this.metadataSoFar(),
      process_exit_status: { code: exitCode ?? null, label: exitCode === undefined ? "<exit>" : null },
      stats: { events: this.recorder.stats.events, internal_errors: this.recorder.stats.internalErrors },
    };
    writeTraceMetadata(this.traceDir, metadata);
    if (this.options.killable) fs.rmSync(path.join(this.traceDir, PENDING_METADATA_FILE), { force: true });
  }
}

/** The original text of a recorded file (as the loader read it), or `undefined`. */
function readSourceFile(file: string): string | undefined {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

/**
 * Starts recording into `options.traceDir` and installs {@link NodeSession.runtime} as
 * `globalThis.__codetracer__`, where instrumented code finds it.
 *
 * @throws UsageError `ERR_UNSUPPORTED_FORMAT` for `format: "binary"` (not written yet) or an
 *   unknown format; `ERR_TRACE_DIR_CONFLICT` when `traceDir` exists and is not a directory;
 *   `ERR_ALREADY_TRACING` when the recorder of a session that has not stopped is installed.
 * @throws EnvironmentError `ERR_TRACE_DIR_CREATE_FAILED` when the directory cannot be created;
 *   `ERR_IO` when `trace.json` cannot be opened for writing.
 */
export function startSession(options: SessionOptions): NodeSession {
  const format = checkTraceFormat(options.format ?? "json");
  const installed = (globalThis as Record<string, unknown>)[RUNTIME_GLOBAL];
  if (installed && !stoppedRuntimes.has(installed)) {
    throw new UsageError("ERR_ALREADY_TRACING", "a recording session is already active in this process");
  }
  const traceDir = path.resolve(options.traceDir);
  prepareTraceDir(traceDir);
  let sink;
  try {
    sink = openFileSink(path.join(traceDir, TRACE_JSON_FILE));
  } catch (error) {
    throw new EnvironmentError("ERR_IO", `cannot write ${path.join(traceDir, TRACE_JSON_FILE)}: ${(error as Error).message}`, { traceDir }, { cause: error });
  }
  const writer = new TraceJsonWriter(sink);
  const session = new NodeSession({ ...options, traceDir, workdir: options.workdir ?? process.cwd() }, writer);
  installRuntimeGlobal(session.runtime);
  return session;
}

/**
 * Checks that this version can write `format` and returns it.
 * @throws UsageError `ERR_UNSUPPORTED_FORMAT` for `"binary"` (`trace.bin` is not written yet)
 *   and for any unknown format.
 */
export function checkTraceFormat(format: string): TraceFormat {
  if (format === "json") return format;
  if (format === "binary") {
    throw new UsageError("ERR_UNSUPPORTED_FORMAT", "--format binary (trace.bin) is not supported yet; use --format json", { format });
  }
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
    stat = fs.statSync(traceDir, { throwIfNoEntry: false });
  } catch {
    stat = undefined; // e.g. ENOTDIR: a parent is a file; mkdir below reports it
  }
  if (stat && !stat.isDirectory()) {
    throw new UsageError("ERR_TRACE_DIR_CONFLICT", `trace directory ${traceDir} exists and is not a directory`, { traceDir });
  }
  try {
    fs.mkdirSync(traceDir, { recursive: true });
    fs.accessSync(traceDir, fs.constants.W_OK);
  } catch (error) {
    throw new EnvironmentError(
      "ERR_TRACE_DIR_CREATE_FAILED",
      `cannot create or write the trace directory ${traceDir} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      { traceDir },
      { cause: error },
    );
  }
}

function prepareTraceDir(traceDir: string): void {
  ensureTraceDir(traceDir);
  // A stale recording must not be mistaken for this one: the metadata goes first.
  for (const name of [TRACE_METADATA_FILE, PENDING_METADATA_FILE, TRACE_PATHS_FILE, TRACE_JSON_FILE, TRACE_BIN_FILE]) {
    fs.rmSync(path.join(traceDir, name), { force: true });
  }
}

/** `<eval>` and the like stay as they are; a path is made absolute. */
function resolveProgram(program: string): string {
  return /^<.*>$/.test(program) ? program : path.resolve(program);
}

function toPosix(p: string): string {
  return p.replace(/\\/g, "/");
}

/**
 * Installs `runtime` as `globalThis.__codetracer__`, not enumerable, so that programs listing
 * the global object's keys (`Object.keys(globalThis)`, `for…in`) see what they see without the
 * recorder. The name itself stays reachable (documented in docs/recording.md). Also makes
 * `Function.prototype.toString` show recorded functions as written (`installFunctionSource`).
 */
export function installRuntimeGlobal(runtime: unknown): void {
  installFunctionSource(readSourceFile);
  Object.defineProperty(globalThis, RUNTIME_GLOBAL, { value: runtime, writable: true, configurable: true, enumerable: false });
}
