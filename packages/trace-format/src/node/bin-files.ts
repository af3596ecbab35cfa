/**
 * `trace.bin` files on disk (Node.js; spec §10): reading and repairing.
 *
 * @packageDocumentation
 */

import * as fs from "node:fs";
import { parseTraceBin, repairTraceBinBytes, type TraceBinReadOptions, type TraceBinRepair } from "../bin-format.js";
import { ioError } from "../errors.js";
import type { TraceLowLevelEvent } from "../types.js";

/**
 * Reads and parses a Binary v1 `trace.bin` file (see {@link parseTraceBin}).
 *
 * @throws {@link TraceFormatError} `ERR_IO` if the file cannot be read; `ERR_TRACE_INVALID` as
 *   {@link parseTraceBin}
 */
export function readTraceBinFile(file: string, options: Omit<TraceBinReadOptions, "file"> = {}): TraceLowLevelEvent[] {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (error) {
    throw ioError("read", file, error);
  }
  return parseTraceBin(bytes, { ...options, file });
}

/**
 * Repairs, in place, the `trace.bin` of a recording whose process was killed (see
 * {@link repairTraceBinBytes}): keeps the header and every whole zstd frame, drops a torn last
 * frame, and appends a seek table rebuilt from the frames. A finished file is left untouched.
 * The new content is written to a temporary file that is then renamed over `file`.
 *
 * @returns what was found and done (`events` are the events kept)
 * @throws {@link TraceFormatError} `ERR_IO` when the file cannot be read or written;
 *   `ERR_TRACE_INVALID` when it is not a Binary v1 file or its whole frames do not decode
 */
export function repairTraceBin(file: string, options: Omit<TraceBinReadOptions, "file"> = {}): TraceBinRepair {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (error) {
    throw ioError("read", file, error);
  }
  const result = repairTraceBinBytes(bytes, { ...options, file });
  if (!result.alreadyFinished) {
    const tmp = `${file}.repair-${process.pid}`;
    try {
      fs.writeFileSync(tmp, result.bytes);
      fs.renameSync(tmp, file);
    } catch (error) {
      fs.rmSync(tmp, { force: true });
      throw ioError("write", file, error);
    }
  }
  return result;
}
