/**
 * Synchronous file {@link EventSink} (Node.js).
 *
 * @packageDocumentation
 */

import * as fs from "node:fs";
import * as path from "node:path";
import { ioError } from "../errors.js";
import type { ByteSink } from "../bin-writer.js";
import type { EventSink } from "../json-writer.js";
import { ErrorCtor, TextEncoderCtor, TextEncoderPrototypeEncode, TypedArrayPrototypeGetLength } from "../primordials.js";

// Captured when this module loads, before any program code: a recorded program may replace the
// members of Node's `fs` and `path` (see src/primordials.ts). Text is encoded by the TextEncoder
// of load time, not `Buffer.from`, which calls `Buffer.prototype.utf8Write`.
const { closeSync, mkdirSync, openSync, writeSync } = fs;
const { dirname } = path;
const utf8 = new TextEncoderCtor();

/**
 * Opens `filePath` for writing (created or truncated; parent directories are created) and
 * returns an {@link EventSink} that writes each chunk as UTF-8 with `fs.writeSync` and closes
 * the descriptor with `fs.closeSync`.
 *
 * Synchronous on purpose: the runtime flushes the trace from `process.on("exit")`, where
 * asynchronous I/O never completes. `close` is idempotent.
 *
 * @param filePath - the file to write, normally `<trace-dir>/trace.json` (docs/trace-format.md: "Folder")
 * @returns the sink
 * @throws {@link TraceFormatError} `ERR_IO` (context: `path`, `operation`, `errno`, `syscall`)
 *   when the file cannot be opened, and from `write`/`close` when the write fails or the sink is
 *   already closed
 */
export function openFileSink(filePath: string): EventSink {
  const bytes = openBinaryFileSink(filePath);
  return {
    write: (chunk: string) => bytes.write(TextEncoderPrototypeEncode(utf8, chunk)),
    close: () => bytes.close(),
  };
}

/**
 * Opens `filePath` for writing (created or truncated; parent directories are created) and
 * returns a {@link ByteSink} that writes each chunk with `fs.writeSync` and closes the
 * descriptor with `fs.closeSync`: the sink of {@link TraceBinWriter} for `trace.bin`.
 * Synchronous for the same reason as {@link openFileSink}. `close` is idempotent.
 *
 * @param filePath - the file to write, normally `<trace-dir>/trace.bin` (docs/trace-format.md: "Folder", "trace.bin")
 * @returns the sink
 * @throws {@link TraceFormatError} `ERR_IO` (context: `path`, `operation`, `errno`, `syscall`)
 *   when the file cannot be opened, and from `write`/`close` when the write fails or the sink is
 *   already closed
 */
export function openBinaryFileSink(filePath: string): ByteSink {
  let fd: number | undefined;
  try {
    mkdirSync(dirname(filePath), { recursive: true });
    fd = openSync(filePath, "w");
  } catch (error) {
    throw ioError("open", filePath, error);
  }
  return {
    write(chunk: Uint8Array): void {
      if (fd === undefined) throw ioError("write", filePath, new ErrorCtor("sink is closed"));
      let offset = 0;
      try {
        const length = TypedArrayPrototypeGetLength(chunk);
        while (offset < length) {
          offset += writeSync(fd, chunk, offset, length - offset);
        }
      } catch (error) {
        throw ioError("write", filePath, error);
      }
    },
    close(): void {
      if (fd === undefined) return;
      const current = fd;
      fd = undefined;
      try {
        closeSync(current);
      } catch (error) {
        throw ioError("close", filePath, error);
      }
    },
  };
}
