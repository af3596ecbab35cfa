/**
 * IO capture: the program's writes to `process.stdout` and `process.stderr` are reported to the
 * recording (as `Event` records of kind `Write` and `WriteOther`, docs/trace-format.md: "Ordering rule 6") and
 * still reach the stream unchanged: same bytes, same return value, same callback.
 *
 * What is seen: every `write` on the two stream objects (`console.log`, `process.stdout.write`,
 * `console.error`, a stream piped into them). What is not: writes made below the streams
 * (`fs.writeSync(1, …)`, native code), which Node offers no hook for.
 */

import { Buffer } from "node:buffer";
import { types } from "node:util";
import {
  ObjectDefineProperty,
  ReflectApply,
  TypedArrayPrototypeGetBuffer,
  TypedArrayPrototypeGetByteLength,
  TypedArrayPrototypeGetByteOffset,
} from "../primordials.js";

const isUint8Array = types.isUint8Array;
// Buffer's functions as loaded (from node:buffer, not the global a program can replace).
const BufferFrom = Buffer.from.bind(Buffer) as typeof Buffer.from;
const BufferIsEncoding = Buffer.isEncoding.bind(Buffer) as typeof Buffer.isEncoding;
const bufferToString = Buffer.prototype.toString;
const BufferPrototypeToString = (self: Buffer, encoding: BufferEncoding): string => ReflectApply(bufferToString, self, [encoding]) as string;

/** Where captured text goes: `stdout` or `stderr`, decoded as UTF-8. */
export type CapturedStream = "stdout" | "stderr";

let muted = 0;

/** Called before each write of the program to stdout or stderr (see {@link onProgramWrite}). */
let beforeWrite: (() => void) | null = null;

/**
 * Calls `fn` before each write the program makes to `process.stdout` or `process.stderr` while
 * capture is installed (the progress line erases itself there: `./progress.ts`). One at a time;
 * returns the function that removes it.
 */
export function onProgramWrite(fn: () => void): () => void {
  beforeWrite = fn;
  return () => {
    if (beforeWrite === fn) beforeWrite = null;
  };
}

/**
 * Runs `fn` with capture muted: the recorder's own output (log lines, error trailers) is never
 * recorded as the program's.
 */
export function uncaptured<T>(fn: () => T): T {
  muted++;
  try {
    return fn();
  } finally {
    muted--;
  }
}

// Only built-ins captured at load (primordials.ts): the program may have replaced any other.
function decode(chunk: unknown, encoding: unknown): string | undefined {
  if (typeof chunk === "string") {
    if (typeof encoding === "string" && encoding !== "utf8" && encoding !== "utf-8" && BufferIsEncoding(encoding)) {
      return BufferPrototypeToString(BufferFrom(chunk, encoding), "utf8");
    }
    return chunk;
  }
  if (isUint8Array(chunk)) {
    const bytes = BufferFrom(TypedArrayPrototypeGetBuffer(chunk), TypedArrayPrototypeGetByteOffset(chunk), TypedArrayPrototypeGetByteLength(chunk));
    return BufferPrototypeToString(bytes, "utf8");
  }
  return undefined;
}

type Write = (this: NodeJS.WriteStream, chunk: unknown, encoding?: unknown, callback?: unknown) => boolean;

/**
 * Starts capturing: `onWrite(stream, text)` is called after each write the stream accepted. A throw
 * from `onWrite` is swallowed (the write still happens). Returns the function that stops
 * capturing; it restores the original `write` unless the program replaced it after us, in which
 * case our wrapper stays in place but only passes writes on.
 */
export function installIoCapture(onWrite: (stream: CapturedStream, text: string) => void): () => void {
  const restoreStdout = capture("stdout", onWrite);
  const restoreStderr = capture("stderr", onWrite);
  return () => {
    restoreStdout();
    restoreStderr();
  };
}

/** Wraps the `write` of `process[name]`; returns the function that unwraps it. */
function capture(name: CapturedStream, onWrite: (stream: CapturedStream, text: string) => void): () => void {
  {
    const stream = process[name];
    const original = stream.write as unknown as Write;
    let active = true;
    const wrapper: Write = function (this: NodeJS.WriteStream, chunk: unknown, encoding?: unknown): boolean {
      // A write the stream rejects (a bad encoding, a closed stream) throws here, unrecorded.
      // Passed on as called (`arguments`: no spread, which would use the program's iterator).
      if (beforeWrite !== null && muted === 0) {
        try {
          beforeWrite();
        } catch {
          // the recorder's line must not change the program's output
        }
      }
      // eslint-disable-next-line prefer-rest-params
      const result = ReflectApply(original, this, arguments) as boolean;
      if (active && muted === 0) {
        const text = decode(chunk, encoding);
        if (text !== undefined && text !== "") {
          muted++; // a write made while reporting this one is not reported again
          try {
            onWrite(name, text);
          } catch {
            // the recording's failure must not change the program's output
          } finally {
            muted--;
          }
        }
      }
      return result;
    };
    ObjectDefineProperty(wrapper, "name", { __proto__: null, value: "write" } as PropertyDescriptor);
    ObjectDefineProperty(wrapper, "length", { __proto__: null, value: original.length } as PropertyDescriptor);
    stream.write = wrapper as unknown as typeof stream.write;
    return () => {
      active = false;
      if (stream.write === (wrapper as unknown)) stream.write = original as unknown as typeof stream.write;
    };
  }
}
