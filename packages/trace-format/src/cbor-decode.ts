/**
 * The CBOR decoder of `trace.bin` events (docs/trace-format.md: "trace.bin"), for the reader and the validator; the
 * encoder is `cbor.ts`, the item decoder (which the repair uses) `cbor-item.ts`.
 *
 * @packageDocumentation
 */

import { decodeItem, viewOf, type Cursor } from "./cbor-item.js";
import { TraceFormatError } from "./errors.js";
import type { TraceLowLevelEvent } from "./types.js";

export { decodeCborItem } from "./cbor-item.js";

/**
 * Decodes a concatenation of CBOR items (the decompressed body of `trace.bin`) as events
 * (docs/trace-format.md: "trace.bin"), with the rules of CodeTracer's reader (runtime_tracing 0.17: cbor4ii + serde;
 * each checked against it, see `test/reader-conformance.test.ts`):
 * - each item is a definite-length one-entry map (`{"<Variant>": payload}`) or a text string
 *   (`"DropLastStep"`); an indefinite-length map as the event, and the unit variant as a map
 *   (`{"DropLastStep": null}`) are rejected (serde_json accepts the latter in `trace.json`);
 * - no tag anywhere, no indefinite-length text (or byte) string anywhere; indefinite-length
 *   maps and arrays inside an event are read, as cbor4ii does;
 * - integers are exact: numbers up to ±(2^53 - 1), `bigint`s beyond (so an `Int.i` of i64::MAX
 *   or a u64 `address` of 2^64 - 1 keeps its value for the validator).
 *
 * Maps become plain objects, arrays arrays, text strings strings, byte strings `Uint8Array`s
 * (which no event field accepts). A float whose value is integral is remembered (see
 * `numberSource`) so that `validateEvents` rejects it in integer fields as serde would.
 *
 * @param bytes - the CBOR bytes
 * @param file - file name for messages (default `"trace.bin"`)
 * @returns the events in order
 * @throws {@link TraceFormatError} `ERR_TRACE_INVALID` for malformed CBOR (truncated item,
 *   invalid UTF-8, non-text map key, nesting over 256, a stray break), what the reader rejects
 *   as above (`context.reason`: `"tag"`, `"indefinite-string"`, `"indefinite-event"`,
 *   `"unit-variant-map"`), or an item that is not an event; `context` has `file`, `offset` (in
 *   the decompressed stream) and `eventIndex`
 */
export function decodeEvents(bytes: Uint8Array, file = "trace.bin"): TraceLowLevelEvent[] {
  const view = viewOf(bytes);
  const c: Cursor = { pos: 0 };
  const events: TraceLowLevelEvent[] = [];
  const fail = (start: number, message: string, context: Record<string, string> = {}): TraceFormatError =>
    new TraceFormatError("ERR_TRACE_INVALID", `${file}: event #${events.length} (byte ${start} of the decompressed data) ${message}`, {
      ...context,
      file,
      eventIndex: String(events.length),
      offset: String(start),
    });
  while (c.pos < bytes.length) {
    const start = c.pos;
    if (bytes[start] === 0xbf) {
      throw fail(start, "is an indefinite-length map; CodeTracer's reader reads an event only from a definite-length one", {
        reason: "indefinite-event",
      });
    }
    let item: unknown;
    try {
      item = decodeItem(bytes, view, c, 1, null, "", true);
    } catch (error) {
      if (error instanceof TraceFormatError) {
        throw new TraceFormatError(
          "ERR_TRACE_INVALID",
          `${file}: event #${events.length} (byte ${start} of the decompressed data): ${error.message}`,
          { ...error.context, file, eventIndex: String(events.length), offset: error.context.offset ?? String(start) },
          error,
        );
      }
      throw error;
    }
    const ok =
      typeof item === "string" ||
      (item !== null && typeof item === "object" && !Array.isArray(item) && !(item instanceof Uint8Array) && Object.keys(item).length === 1);
    if (!ok) {
      throw fail(start, `is not a one-entry map or a text string (first byte 0x${(bytes[start] as number).toString(16).padStart(2, "0")})`);
    }
    if (typeof item === "object" && Object.keys(item as object)[0] === "DropLastStep") {
      throw fail(start, 'is the map {"DropLastStep": …}; CodeTracer\'s reader reads the unit variant only as the text string "DropLastStep"', {
        reason: "unit-variant-map",
      });
    }
    events.push(item as TraceLowLevelEvent);
  }
  return events;
}
