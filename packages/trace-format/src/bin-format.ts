/**
 * The `trace.bin` container, CodeTracer Binary v1 (docs/trace-format.md: "trace.bin"): the 8-byte header, then the
 * Zstandard Seekable Format (zstd frames, then a seek-table skippable frame in "Foot" form)
 * over a concatenation of CBOR events: its constants and what the writer needs (the seek table).
 * Reading and repair are in `bin-read.ts`.
 *
 * ```
 * [0..8)   C0 DE 72 AC E2 01 00 00
 * [8..)    zstd frame 0 | zstd frame 1 | … | seek-table skippable frame
 * seek table (little-endian): u32 0x184D2A5E, u32 Frame_Size = N*8 + 9,
 *   N × {u32 compressed_size, u32 decompressed_size}, u32 N, u8 descriptor 0x00, u32 0x8F92EAB1
 * ```
 *
 * @packageDocumentation
 */

import {
  DataViewCtor,
  DataViewPrototypeSetUint32,
  DataViewPrototypeSetUint8,
  TypedArrayPrototypeGetBuffer,
  TypedArrayPrototypeGetLength,
  TypedArrayPrototypeSet,
  Uint8ArrayCtor,
} from "./primordials.js";

/** The 8-byte header of a Binary v1 (CBOR + seekable zstd) `trace.bin`. */
export const TRACE_BIN_HEADER_V1: readonly number[] = [0xc0, 0xde, 0x72, 0xac, 0xe2, 0x01, 0x00, 0x00];
/** The 8-byte header of a BinaryV0 (Cap'n Proto) `trace.bin`, which this package does not read. */
export const TRACE_BIN_HEADER_V0: readonly number[] = [0xc0, 0xde, 0x72, 0xac, 0xe2, 0x00, 0x00, 0x00];
/** Magic of the seek-table skippable frame (`ZSTD_MAGIC_SKIPPABLE_START | 0xE`), LE bytes `5E 2A 4D 18`. */
export const SEEK_TABLE_SKIPPABLE_MAGIC = 0x184d2a5e;
/** Seekable-format magic ending the seek table, LE bytes `B1 EA 92 8F`. */
export const SEEKABLE_MAGIC = 0x8f92eab1;
/** Magic of a zstd frame, LE bytes `28 B5 2F FD`. */
export const ZSTD_FRAME_MAGIC = 0xfd2fb528;
/** Size of the seek-table footer after the entries: u32 N, u8 descriptor, u32 magic. */
export const SEEK_TABLE_FOOTER_SIZE = 9;
/** Largest frame the seekable format allows, compressed or not (`SEEKABLE_MAX_FRAME_SIZE`, 1 GiB). */
export const SEEKABLE_MAX_FRAME_SIZE = 0x40000000;

/** One seek-table entry: sizes in bytes of one zstd frame. */
export interface SeekTableEntry {
  /** Size of the zstd frame in the file, bytes. */
  compressedSize: number;
  /** Size of its decompressed content, bytes. */
  decompressedSize: number;
}

/**
 * Builds the seek-table skippable frame for `entries` (docs/trace-format.md: "trace.bin"): `N*8 + 17` bytes, descriptor
 * 0 (no checksums). With no entries it is the 17 bytes `5E 2A 4D 18 09 00 00 00 00 00 00 00
 * 00 B1 EA 92 8F`.
 */
export function buildSeekTable(entries: readonly SeekTableEntry[]): Uint8Array {
  const n = entries.length;
  const out = new Uint8ArrayCtor(8 + n * 8 + SEEK_TABLE_FOOTER_SIZE);
  const v = new DataViewCtor(TypedArrayPrototypeGetBuffer(out));
  DataViewPrototypeSetUint32(v, 0, SEEK_TABLE_SKIPPABLE_MAGIC, true);
  DataViewPrototypeSetUint32(v, 4, n * 8 + SEEK_TABLE_FOOTER_SIZE, true);
  let p = 8;
  for (let i = 0; i < n; i++) {
    const e = entries[i]!;
    DataViewPrototypeSetUint32(v, p, e.compressedSize, true);
    DataViewPrototypeSetUint32(v, p + 4, e.decompressedSize, true);
    p += 8;
  }
  DataViewPrototypeSetUint32(v, p, n, true);
  DataViewPrototypeSetUint8(v, p + 4, 0);
  DataViewPrototypeSetUint32(v, p + 5, SEEKABLE_MAGIC, true);
  return out;
}

/**
 * The empty zstd frame runtime_tracing's writer (zeekstd) writes for a trace without events:
 * single segment, content size 0, one empty raw last block (9 bytes). CodeTracer's reader
 * rejects a seek table with no frame (`frame index too large`), so every empty `trace.bin`
 * holds this frame and a one-entry seek table (see {@link EMPTY_TRACE_BIN}).
 */
export const EMPTY_ZSTD_FRAME: readonly number[] = [0x28, 0xb5, 0x2f, 0xfd, 0x20, 0x00, 0x01, 0x00, 0x00];

/**
 * The seek-table entries of a file whose frames have `entries`: `entries` itself, or, when
 * there is none, the one entry of {@link EMPTY_ZSTD_FRAME} (`{9, 0}`), which the caller must
 * then write before the table.
 */
export function seekEntriesOrEmpty(entries: readonly SeekTableEntry[]): readonly SeekTableEntry[] {
  return entries.length > 0 ? entries : [{ compressedSize: EMPTY_ZSTD_FRAME.length, decompressedSize: 0 }];
}

/**
 * The bytes that finish a `trace.bin` after its last whole frame: the seek table of `entries`,
 * preceded by {@link EMPTY_ZSTD_FRAME} when there is no frame (an empty trace, docs/trace-format.md: "trace.bin").
 */
export function traceBinTail(entries: readonly SeekTableEntry[]): Uint8Array {
  const table = buildSeekTable(seekEntriesOrEmpty(entries));
  if (entries.length > 0) return table;
  const out = new Uint8ArrayCtor(EMPTY_ZSTD_FRAME.length + TypedArrayPrototypeGetLength(table));
  TypedArrayPrototypeSet(out, EMPTY_ZSTD_FRAME);
  TypedArrayPrototypeSet(out, table, EMPTY_ZSTD_FRAME.length);
  return out;
}

/**
 * A whole `trace.bin` without events, as runtime_tracing writes it (42 bytes): header,
 * {@link EMPTY_ZSTD_FRAME}, a seek table with its one entry.
 */
export const EMPTY_TRACE_BIN: readonly number[] = [...TRACE_BIN_HEADER_V1, ...traceBinTail([])];
