/**
 * `trace.bin` files on disk (Node.js; docs/trace-format.md: "trace.bin"): reading. The repair, frame by frame, is in
 * `bin-repair.ts` (re-exported here).
 *
 * @packageDocumentation
 */

import * as fs from "node:fs";
import { SEEK_TABLE_FOOTER_SIZE, SEEK_TABLE_SKIPPABLE_MAGIC, SEEKABLE_MAGIC, type SeekTableEntry } from "../bin-format.js";
import { parseTraceBin, traceBinVersion, type TraceBinReadOptions } from "../bin-read.js";
import { ioError, TraceFormatError } from "../errors.js";
import type { TraceLowLevelEvent } from "../types.js";
import { readFully } from "./bin-repair.js";

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
 * Reads the seek table at the end of a `trace.bin` file without reading its frames (for checks
 * of files too big to read whole): the entries, and where the table starts.
 *
 * @throws {@link TraceFormatError} `ERR_IO` if the file cannot be read; `ERR_TRACE_INVALID` when
 *   the header is not Binary v1, the file does not end with a valid seek table, the table lists
 *   no frame (CodeTracer's reader rejects it), or its compressed sizes do not add up to the bytes
 *   between the header and the table
 */
export function readTraceBinSeekTable(file: string): { entries: SeekTableEntry[]; tableOffset: number; size: number } {
  let fd: number;
  try {
    fd = fs.openSync(file, "r");
  } catch (error) {
    throw ioError("read", file, error);
  }
  try {
    const size = fs.fstatSync(fd).size;
    const invalid = (message: string) => new TraceFormatError("ERR_TRACE_INVALID", `${file}: ${message}`, { file });
    const head = new Uint8Array(8);
    readFully(fd, head, 0, 8, 0, file);
    if (traceBinVersion(head) !== "v1") throw invalid("not a Binary v1 trace.bin (header)");
    if (size < 8 + 8 + SEEK_TABLE_FOOTER_SIZE) throw invalid("too short to hold a seek table");
    const footer = new Uint8Array(SEEK_TABLE_FOOTER_SIZE);
    readFully(fd, footer, 0, footer.length, size - footer.length, file);
    const fv = new DataView(footer.buffer);
    if (fv.getUint32(5, true) !== SEEKABLE_MAGIC) throw invalid("does not end with the seekable magic");
    if (fv.getUint8(4) !== 0) throw invalid(`seek table descriptor 0x${fv.getUint8(4).toString(16)} (this reader takes 0)`);
    const n = fv.getUint32(0, true);
    const tableSize = 8 + n * 8 + SEEK_TABLE_FOOTER_SIZE;
    const tableOffset = size - tableSize;
    if (tableOffset < 8) throw invalid(`seek table claims ${n} frames, more than the file can hold`);
    const table = new Uint8Array(tableSize);
    readFully(fd, table, 0, tableSize, tableOffset, file);
    const tv = new DataView(table.buffer);
    if (tv.getUint32(0, true) !== SEEK_TABLE_SKIPPABLE_MAGIC || tv.getUint32(4, true) !== tableSize - 8) {
      throw invalid("no seek-table skippable frame header where the footer says");
    }
    if (n === 0) throw invalid("the seek table lists no frame (CodeTracer's reader rejects it: frame index too large)");
    const entries: SeekTableEntry[] = [];
    let total = 0;
    for (let i = 0; i < n; i++) {
      const e = { compressedSize: tv.getUint32(8 + i * 8, true), decompressedSize: tv.getUint32(12 + i * 8, true) };
      total += e.compressedSize;
      entries.push(e);
    }
    if (8 + total !== tableOffset)
      throw invalid(`the seek table's compressed sizes add up to ${total} bytes, but ${tableOffset - 8} bytes of frames precede it`);
    return { entries, tableOffset, size };
  } finally {
    fs.closeSync(fd);
  }
}

export { readFully, REPAIR_WINDOW_BYTES, repairTraceBin, walkTraceBinFrames } from "./bin-repair.js";
export type { TraceBinFileRepair, TraceBinFrame, TraceBinRepairOptions, TraceBinWalkEnd } from "./bin-repair.js";
