/**
 * The contract between instrumented code and the runtime. This is the only part of
 * `@codetracer/runtime` that `@codetracer/instrument` may see: the instrumenter emits calls to
 * these methods, with small integer ids into a per-file table built at compile time, so the
 * runtime never parses source or looks up names at run time.
 *
 * Generated code looks like this (an ES module or script, after `instrument()`; the names are
 * Babel's collision-free `_ctRt`, `_ctF`, `_ctF2`, …, and `<key>` is {@link SourceRanges.key},
 * a hash of the file's path):
 *
 * ```js
 * /* @codetracer-instrumented *\/                           // INSTRUMENTED_MARKER
 * var _ctRt;                                            // the FileRuntime, once created
 * /* istanbul ignore next *\/
 * function _ctRtInit_<key>() {                          // hoisted: creates it on first use
 *   return _ctRt || (_ctRt = globalThis.__codetracer__.file({ v: 3, path, fns, sites, async, src, … }));
 * }
 * const _ctF = (_ctRt || _ctRtInit_<key>()).enter(0);   // the module frame
 * function add(a, b) {
 *   // Every `enter` goes through the init function: a hoisted function can be called before the
 *   // prologue has run (import cycles). Everything after `enter` uses `_ctRt` directly.
 *   const _ctF2 = (_ctRt || _ctRtInit_<key>()).enter(1, a, b);
 *   try {
 *     _ctRt.step(_ctF2, 0, a, b);                       // site 0: its line, the locals a, b
 *     return _ctRt.ret(_ctF2, a + b);
 *     _ctRt.ret(_ctF2);                                 // the end of the body (falling off it)
 *   } finally {
 *     _ctRt.exit(_ctF2);                                // no catch: a throw is never rethrown
 *   }
 * }
 * _ctRt.step(_ctF, 1);
 * try { … } catch (e) {
 *   _ctRt.caught(_ctF, e);                              // `catch {` gets a binding (`_ctE`);
 *   _ctRt.step(_ctF, 2, e);                             // `catch ({ code })` calls caught(_ctF)
 * }
 * _ctRt.ret(_ctF);
 * _ctRt.exit(_ctF);                                     // end of the module body (no try/finally)
 * ```
 *
 * and, for the other constructs:
 *
 * - `await x` → `_ctRt.resume(_ctF2, await _ctRt.suspend(_ctF2, x, 1))`; `yield x` → the same
 *   without the `1`; `yield* it` → `_ctRt.resume(_ctF2, yield* _ctRt.delegate(_ctF2, it))`
 *   (`delegate(…, it, 1)` in an async generator); `return x` in an async generator →
 *   `return _ctRt.ret(_ctF2, x, 1)`. Top-level `await` suspends the module frame `_ctF`.
 * - `for await (…) body` → `_ctRt.suspend(f, undefined, 1)` before the loop, the body wrapped as
 *   `{ _ctRt.resume(f, undefined); try { body } finally { _ctRt.suspend(f, undefined, 1); } }`,
 *   and `_ctRt.resume(f, undefined)` after the loop.
 * - An instance field `x = v` → `x = (_ctRtInit_<key>().field(ctorFn, site, open), v)` (the init
 *   function returns the runtime once it exists: no `||` on a line of the original code); in a
 *   class without a constructor the last initialiser's value is wrapped in
 *   `_ctRtInit_<key>().fieldsEnd(ctorFn, v)`. A `static {}` block is a function of its own
 *   (`enter`/`exit`); a static field initialiser gets no step.
 * - A function declaration nested in a function body is hoisted to the top of its `try` as
 *   `var g = function (…) {…}`.
 * - A CommonJS top-level `return` → `return _ctRt.ret(_ctF), void _ctRt.exit(_ctF);`.
 * - A statement without a block (`if (a) b;`, a loop body) is put in a block to get its step.
 * - Values the trace filter redacts or drops are left out of the calls (see {@link FunctionEntry});
 *   a function it skips is left as written, with no table entry.
 * - Babel's other plugins of the same `instrument()` pass (TypeScript, JSX, decorators, `using`,
 *   ES modules to CommonJS) change this output afterwards: their helpers, imports and
 *   `"use strict"` may come before the marker, and what they add is not recorded.
 *
 * The generated code for each construct is pinned, file by file, by the fixtures of
 * `@codetracer/instrument` (`packages/instrument/test/fixtures/<case>/output.js`, checked by
 * `test/fixtures.test.ts`); read those for the exact form.
 *
 * @packageDocumentation
 */

/** Name of the global property holding the {@link RuntimeApi} (`globalThis.__codetracer__`). */
export const RUNTIME_GLOBAL = "__codetracer__";

/** Version of this contract; a table with another version is rejected by the runtime. */
export const ABI_VERSION = 3;

/**
 * One function of a file: `[name, line, ...paramNames]`.
 * - `name`: qualified display name within the module (`UserService.login`, `outer.inner`,
 *   `<module>` for the module body).
 * - `line`: 1-based line of the definition in the ORIGINAL source (TS included).
 * - `paramNames`: names bound by the parameters in order, pattern leaves flattened
 *   (`({a, b}, ...rest)` gives `a, b, rest`); `enter` receives their values in this order.
 *   A name the trace filter redacts is written `!name` and one it drops `-name`: `enter` gets
 *   no value for either (the runtime writes `<redacted>` for the first and counts the second).
 */
export type FunctionEntry = [name: string, line: number, ...paramNames: string[]];

/**
 * One step site: `[line, ...localNames]`. `line` is the 1-based original line of the statement;
 * `localNames` are the locals visible and initialised before that statement runs, in the order
 * `step` receives their values. As in {@link FunctionEntry}, `!name` (redacted) and `-name`
 * (dropped) get no value.
 */
export type SiteEntry = [line: number, ...localNames: string[]];

/** The per-file table embedded in instrumented code. Built at compile time. */
export interface FileTable {
  /** Contract version ({@link ABI_VERSION}). */
  v: number;
  /** Absolute path of the original source file, POSIX separators. */
  path: string;
  /** Local function ids index this list. Entry 0 is the module body (`<module>`). */
  fns: FunctionEntry[];
  /** Local site ids index this list. */
  sites: SiteEntry[];
  /**
   * Local ids of the functions that resume only from the event loop: `async` functions that
   * are not generators, and the module body (0) when it uses top-level `await`. When such a
   * frame resumes, no other frame can still be running.
   */
  async?: number[];
  /**
   * Where each function's text is in the original file, so `Function.prototype.toString` can
   * show the source the program was written in (see `installFunctionSource`). Present only
   * for files that run as written (plain JavaScript: no TypeScript, JSX or decorators).
   */
  src?: SourceRanges;
  /** How many scopes of this file the trace filter skipped (left uninstrumented). */
  skipped?: number;
  /** Ids of the functions whose return value the trace filter redacts (`<redacted>`). */
  redactReturn?: number[];
  /** Ids of the functions whose return value the trace filter drops (`<dropped>`). */
  dropReturn?: number[];
}

/**
 * Source positions of a file's functions and classes (UTF-16 offsets into the original file,
 * the text Babel parsed; `end` exclusive).
 * - `key`: a short name for the file, unique per path, that the generated code carries in the
 *   name of its runtime-creating function (`_ctRtInit_<key>`), so a function's instrumented text
 *   tells which file it came from.
 * - `fns`: `[start, end]` per function id, flattened (`[s0, e0, s1, e1, …]`); `-1, -1` for
 *   entries without text of their own (the module body). The implicit constructor of a class
 *   without one (`C.constructor`) gets the class's range.
 * - `classes`: `[start, end]` of every class, flattened.
 */
export interface SourceRanges {
  key: string;
  fns: number[];
  classes: number[];
}

/** Prefix of the per-file function that creates the file runtime (`_ctRtInit_<key>`). */
export const INIT_FUNCTION_PREFIX = "_ctRtInit_";

/**
 * A frame handle returned by {@link FileRuntime.enter}; opaque to generated code, which only
 * passes it back.
 */
export type FrameHandle = object;

/**
 * The per-file runtime returned by {@link RuntimeApi.file}. None of these methods throws into
 * the traced program; each returns quickly when no session is recording.
 */
export interface FileRuntime {
  /**
   * A function (or module body) starts: emits the entry `Step` at the definition line and the
   * `Call` with the arguments, named by the table. Returns the frame handle.
   */
  enter(fn: number, ...args: unknown[]): FrameHandle;
  /** A statement is about to run: emits a `Step` at the site's line and one `Value` per local. */
  step(frame: FrameHandle, site: number, ...values: unknown[]): void;
  /**
   * Records `value` as the frame's return value (emitted by {@link exit}); returns `value`.
   * Called for every `return` and at the end of the body: a frame that reaches {@link exit}
   * without it is being left by an exception. `awaits` = 1 for `return x` in an async
   * generator, which awaits `x` before the frame is left: the frame suspends there (a
   * `Return` with `x`) and is resumed when it leaves (its `finally` blocks run after the await).
   */
  ret<T>(frame: FrameHandle, value?: T, awaits?: 1): T | undefined;
  /**
   * A `catch` clause of this frame caught `error` (omitted when the clause destructures it):
   * the frames the exception left return it. Instrumented code never catches and rethrows (a
   * rethrow would change the location Node prints for an uncaught exception), so this is where
   * the recorder learns the thrown value; frames whose exception is never caught by recorded
   * code return `<exception>`, or the uncaught error at the end.
   */
  caught(frame: FrameHandle, ...error: [unknown?]): void;
  /**
   * The frame is left (its generated `finally`): emits its `Return` (after {@link ret}), or
   * marks it as left by an exception, its `Return` waiting for the thrown value. Idempotent.
   */
  exit(frame: FrameHandle): void;
  /**
   * The frame suspends at `await` (`awaiting` = 1) or `yield` with `value`: emits a `Return`;
   * returns `value`. A frame suspended at `await` resumes from the event loop, so when it
   * resumes every other frame still open (left by a throw the recorder could not see) is closed.
   */
  suspend<T>(frame: FrameHandle, value: T, awaiting?: 1): T;
  /** The frame resumes after `await`/`yield`: emits the entry `Step` and a `Call` with no args. */
  resume<T>(frame: FrameHandle, value: T): T;
  /**
   * `yield* delegate(frame, iterable, async)`: returns an iterable that `yield*` uses instead of
   * `iterable`, whose iterator resumes the delegating generator's frame around each call into
   * the delegate (so the delegate's frames nest in it, as in V8's stack) and suspends it after.
   * `async` = 1 in an async generator. Returns `iterable` itself when not recording.
   */
  delegate(frame: FrameHandle, iterable: unknown, async?: 1): unknown;
  /**
   * An instance field initialiser of the class whose constructor is function `fn` is about to
   * run (called as `(field(fn, site, open), initialiser)` inside the class body, where there is
   * no frame handle). `open` = 1 for the first initialiser of a base class, or of a class
   * without an explicit constructor: it opens the constructor's frame, which the constructor's
   * own {@link enter} then adopts (JS runs a base class's field initialisers before the
   * constructor body, and before its parameters are bound, so that `Call` has no arguments).
   * Then emits a `Step` at the site in that frame.
   */
  field(fn: number, site: number, open: 0 | 1): void;
  /**
   * After the last field initialiser of a class without an explicit constructor: the frame
   * opened by {@link field} returns. Returns `value` (the initialiser's value).
   */
  fieldsEnd<T>(fn: number, value: T): T;
}

/** What `globalThis.__codetracer__` holds while a recorder runtime is loaded. */
export interface RuntimeApi {
  /** Contract version the runtime implements. */
  readonly abi: number;
  /**
   * Registers a file's table and returns its runtime. Called once per module evaluation.
   * Throws a `TypeError` if `table.v` is not {@link ABI_VERSION}.
   */
  file(table: FileTable): FileRuntime;
}

/**
 * Comment placed before the prologue of every instrumented file (first, unless the compile after
 * instrumentation put a directive or helpers before it); a comment containing it anywhere in a
 * file means "already instrumented".
 */
export const INSTRUMENTED_MARKER = "@codetracer-instrumented";
