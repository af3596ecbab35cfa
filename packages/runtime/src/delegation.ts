/**
 * `yield*` with the delegate's frames nested in the delegating generator's frame.
 *
 * V8 runs a delegation by resuming the delegating generator, which calls the delegate's
 * `next`/`throw`/`return` (its stack traces show `inner`, then `outer`). Instrumented code cannot
 * run anything between those calls, so the instrumenter writes `yield* delegate(f, x)`, and the
 * iterable returned here hands `yield*` an iterator that resumes frame `f` around each call
 * into the delegate's iterator and suspends it again afterwards. `yield*` itself still does
 * all the protocol work (when to call which method, `done`, `value`, closing), so the program
 * sees the same reads and calls; the one difference is one extra frame (this module's) in the
 * stack of code running inside the delegate's iterator methods.
 *
 * Property reads match plain `yield*`: the `@@asyncIterator`/`@@iterator` method and `next` are
 * read once when the delegation starts (ECMA-262 GetIterator), `throw` and `return` each time
 * they are needed (GetMethod). When the iterable or its iterator is not what `yield*` accepts,
 * the original is handed over unchanged, so the error is V8's own.
 */
import type { FrameHandle } from "./abi.js";
import { ReflectApply, SymbolAsyncIterator, SymbolIterator } from "./primordials.js";

/** The two calls of a file runtime the delegation needs. */
export interface FrameSwitch {
  resume<T>(frame: FrameHandle, value: T): T;
  suspend<T>(frame: FrameHandle, value: T): T;
}

type IteratorMethod = (this: unknown, value?: unknown) => unknown;

/**
 * An iterable that `yield*` can delegate to instead of `iterable` (see the module comment).
 *
 * @param frames - resumes and suspends `frame`
 * @param frame - the delegating generator's frame
 * @param iterable - the operand of `yield*`
 * @param isAsync - the delegating generator is an async generator (`yield*` uses
 *   `@@asyncIterator`, falling back to `@@iterator`, which the engine then wraps itself)
 * @returns the wrapper, or `iterable` itself when it has no callable iterator method
 */
export function delegation(frames: FrameSwitch, frame: FrameHandle, iterable: unknown, isAsync: boolean): unknown {
  if (iterable === null || iterable === undefined) return iterable;
  const source = iterable as Record<symbol, unknown>;
  let key: typeof Symbol.iterator | typeof Symbol.asyncIterator = SymbolIterator;
  let method: unknown;
  if (isAsync) {
    method = source[SymbolAsyncIterator];
    if (method === null || method === undefined) method = source[SymbolIterator];
    else key = SymbolAsyncIterator;
  } else method = source[SymbolIterator];
  if (typeof method !== "function") return iterable;

  /** Calls one iterator method with `frame` resumed; suspends it again when the call returns. */
  const around = (fn: IteratorMethod, iterator: unknown, value: unknown): unknown => {
    frames.resume(frame, undefined);
    let returned = false;
    let result: unknown;
    try {
      result = ReflectApply(fn, iterator, [value]);
      returned = true;
      return result;
    } finally {
      // A throw goes on into the delegating frame, which is running again.
      if (returned) frames.suspend(frame, result);
    }
  };
  const optional = (iterator: Record<string, unknown>, name: "throw" | "return") => {
    const fn = iterator[name];
    if (fn === null || fn === undefined) return fn;
    if (typeof fn !== "function") return fn;
    return (value?: unknown) => around(fn as IteratorMethod, iterator, value);
  };

  return {
    [key]() {
      const iterator = ReflectApply(method as IteratorMethod, iterable, []) as Record<string, unknown>;
      if (iterator === null || (typeof iterator !== "object" && typeof iterator !== "function")) return iterator;
      const next = iterator.next;
      if (typeof next !== "function") return iterator;
      return {
        next: (value?: unknown) => around(next as IteratorMethod, iterator, value),
        get throw() {
          return optional(iterator, "throw");
        },
        get return() {
          return optional(iterator, "return");
        },
      };
    },
  };
}
