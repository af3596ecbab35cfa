/**
 * The runtime host: what is installed as `globalThis.__codetracer__`, once per thread, for the
 * thread's lifetime. Instrumented files register their tables with it when they load (whether or
 * not a session is recording) and get a {@link FileRuntime} that stays theirs: while a session
 * records, its methods are the session recorder's; otherwise they record nothing
 * ({@link IDLE_FILE_RUNTIME}). So sessions can start and stop any number of times
 * (`start()`/`stop()` of the session API), and code loaded before a session records from the
 * moment the session starts.
 */
import { ABI_VERSION, RUNTIME_GLOBAL, type FileRuntime, type FileTable, type RuntimeApi } from "./abi.js";
import { noteFunctionSources } from "./function-source.js";
import { IDLE_FILE_RUNTIME, type AttrPolicy, type FilterCounters, type Recorder } from "./recorder.js";
import { TypeErrorCtor, ObjectAssign, ObjectDefineProperty, safeArray, type SafeArray } from "./primordials.js";

/** Marks a host, also one created by another copy of this package. */
const HOST_BRAND = Symbol.for("codetracer.runtime-host");

/**
 * What a loader that instruments code (`@codetracer/register`, the bundler plugin's runtime)
 * tells the sessions started in its thread (the session API's `start()`): its compile-time
 * filter's `attr` policy and `trace_filter` metadata. Kept on the host ({@link RuntimeHost.loader}).
 */
export interface LoaderInfo {
  /** The compile-time chain's `attr` decisions. */
  attrPolicy?: (file: string, scope: string) => AttrPolicy | null;
  /** The compile-time chain's `trace_filter` metadata, completed with a session's counters. */
  metadata?: (counters: FilterCounters) => Record<string, unknown>;
}

/** See the module documentation. */
export class RuntimeHost implements RuntimeApi {
  readonly abi = ABI_VERSION;
  readonly [HOST_BRAND] = true;
  private readonly files: SafeArray<{ table: FileTable; runtime: FileRuntime }> = safeArray();
  private recorder: Recorder | null = null;
  /** Told about each file registered while a recorder is attached, before it is bound. */
  private onFile: ((table: FileTable) => void) | null = null;
  /** The session owning the attached recorder (opaque to the host). */
  owner: unknown = null;
  /** What the thread's loader told sessions, if a loader instruments this thread (`setLoaderInfo`). */
  loader: LoaderInfo | undefined = undefined;

  /**
   * Registers an instrumented file (generated code calls this once per file).
   * @throws TypeError when the table was built for another ABI version.
   */
  file(table: FileTable): FileRuntime {
    if (table.v !== ABI_VERSION) {
      throw new TypeErrorCtor(`codetracer: ${table.path} was instrumented for runtime ABI ${table.v}, this runtime implements ${ABI_VERSION}`);
    }
    noteFunctionSources(table);
    const runtime: FileRuntime = { ...IDLE_FILE_RUNTIME };
    this.files.push({ table, runtime });
    if (this.recorder) {
      this.onFile?.(table);
      ObjectAssign(runtime, this.recorder.file(table));
    }
    return runtime;
  }

  /** Number of instrumented files loaded in this thread so far. */
  get fileCount(): number {
    return this.files.length;
  }

  /** The recorder attached now, or null. */
  get attached(): Recorder | null {
    return this.recorder;
  }

  /**
   * Makes every file, loaded and to come, record into `recorder`; `onFile` is told about files
   * registered from now on. Replaces any recorder attached before.
   */
  attach(recorder: Recorder, owner: unknown, onFile: ((table: FileTable) => void) | null = null): void {
    this.recorder = recorder;
    this.owner = owner;
    this.onFile = onFile;
    for (let i = 0; i < this.files.length; i++) ObjectAssign(this.files[i]!.runtime, recorder.file(this.files[i]!.table));
  }

  /**
   * A span started or ended (called by `@codetracer/tracing`, which finds the host on the global
   * object and needs no import of this package): recorded by the attached recorder, if any
   * (`Recorder.recordSpan`). Never throws.
   */
  spanEvent(phase: "start" | "end", span: { name: string; trace_id: string; [key: string]: unknown }): void {
    this.recorder?.recordSpan(phase, span);
  }

  /** Stops recording into `recorder` (if it is the one attached): every file records nothing. */
  detach(recorder: Recorder): void {
    if (this.recorder !== recorder) return;
    this.recorder = null;
    this.owner = null;
    this.onFile = null;
    for (let i = 0; i < this.files.length; i++) ObjectAssign(this.files[i]!.runtime, IDLE_FILE_RUNTIME);
  }
}

/** True for a {@link RuntimeHost}, also one of another copy of this package. */
export function isRuntimeHost(value: unknown): value is RuntimeHost {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[HOST_BRAND] === true;
}

/**
 * The thread's host, installed as `globalThis.__codetracer__` (not enumerable, so programs
 * listing the global object's keys see what they see without the recorder) on first use.
 * Something else installed there (a test's fake runtime) is replaced.
 */
export function runtimeHost(): RuntimeHost {
  const installed = (globalThis as Record<string, unknown>)[RUNTIME_GLOBAL];
  if (isRuntimeHost(installed)) return installed;
  const host = new RuntimeHost();
  ObjectDefineProperty(globalThis, RUNTIME_GLOBAL, {
    __proto__: null,
    value: host,
    writable: true,
    configurable: true,
    enumerable: false,
  } as PropertyDescriptor);
  return host;
}
