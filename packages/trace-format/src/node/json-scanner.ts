/**
 * The byte scanner of `trace.json`'s event array, shared by the streaming repair
 * (`repairTraceJson`) and `readTraceEvents`. The repair runs inside a recording process too
 * (`repairTrace` of packages/runtime, for the folder of a worker thread or child process that
 * died), so this file uses only built-ins captured at load (see src/primordials.ts).
 *
 * @packageDocumentation
 */

import { TraceFormatError } from "../errors.js";
import { StringCtor, TypedArrayPrototypeIndexOf } from "../primordials.js";

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;

function isJsonSpace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

/**
 * A byte scanner of a JSON array of elements read in chunks (the `trace.json` writer's `[`,
 * then `\n{…}`, `,\n{…}`, …, `\n]\n`): follows strings (escapes included) and nesting and
 * reports where each whole top-level element starts and ends, without parsing it. The state
 * carries over from one chunk to the next, so a chunk may end anywhere, inside an element or a
 * string. Used by the streaming repair (`repairTraceJson`) and by {@link readTraceEvents}.
 */
export class JsonArrayScanner {
  /** 0 before the array's `[`, 1 inside the array, 2 after its `]`. */
  phase = 0;
  /** File offset just after `[`, or -1 before it. */
  arrayOpen = -1;
  /** File offset where the element under way starts, -1 between elements. */
  elementStart = -1;
  private depth = 0;
  private inString = false;
  private stringStart = 0;
  private scalar = false;

  /** @param file - the file name for messages */
  constructor(private readonly file: string) {}

  /** A `ERR_TRACE_INVALID` error at file offset `offset`. */
  invalid(message: string, offset: number): TraceFormatError {
    return new TraceFormatError("ERR_TRACE_INVALID", `${this.file}: ${message} (byte ${offset})`, { file: this.file, offset: StringCtor(offset) });
  }

  /**
   * Scans the file bytes `[from, end)`, held in `buf` whose first byte is file offset
   * `bufStart`, calling `element(start, end)` (file offsets) for each top-level element that
   * ends in them. A number or literal element ends at the delimiter after it, so one cut by the
   * end of the bytes is reported by a later call (or never, at the end of a torn file).
   *
   * @throws {@link TraceFormatError} `ERR_TRACE_INVALID` when the text does not start with `[`,
   *   a `}` is unbalanced, or something follows the closing `]`
   */
  scan(buf: Uint8Array, bufStart: number, from: number, end: number, element: (start: number, end: number) => void): void {
    let pos = from;
    const done = (start: number, stop: number) => {
      this.elementStart = -1;
      element(start, stop);
    };
    while (pos < end) {
      if (this.inString) {
        // Find the closing quote natively; a quote preceded by an odd run of backslashes is escaped.
        const q = TypedArrayPrototypeIndexOf(buf, QUOTE, pos - bufStart);
        if (q < 0 || q >= end - bufStart) return;
        let slashes = 0;
        for (let k = q - 1; k >= this.stringStart - bufStart && buf[k] === BACKSLASH; k--) slashes++;
        pos = bufStart + q + 1;
        if ((slashes & 1) === 0) {
          this.inString = false;
          if (this.depth === 0) done(this.elementStart, pos); // a string element ends
        }
        continue;
      }
      const b = buf[pos - bufStart] as number;
      if (this.phase === 1) {
        if (this.scalar) {
          if (b !== COMMA && b !== 0x5d && !isJsonSpace(b)) {
            pos++;
            continue;
          }
          this.scalar = false;
          done(this.elementStart, pos);
        }
        if (b === QUOTE) {
          this.inString = true;
          this.stringStart = pos + 1;
          if (this.depth === 0) this.elementStart = pos;
        } else if (b === 0x7b || b === 0x5b) {
          if (this.depth === 0) this.elementStart = pos;
          this.depth++;
        } else if (b === 0x7d || b === 0x5d) {
          if (this.depth === 0) {
            if (b === 0x7d) throw this.invalid("unbalanced }", pos);
            this.phase = 2; // the array's `]`
          } else if (--this.depth === 0) {
            done(this.elementStart, pos + 1);
          }
        } else if (this.depth === 0 && b !== COMMA && !isJsonSpace(b)) {
          this.scalar = true;
          this.elementStart = pos;
        }
      } else if (this.phase === 0) {
        if (b === 0x5b) {
          this.phase = 1;
          this.arrayOpen = pos + 1;
        } else if (!isJsonSpace(b)) {
          throw this.invalid("does not start with [", pos);
        }
      } else if (!isJsonSpace(b)) {
        throw this.invalid("something follows the closing ] of the event array", pos);
      }
      pos++;
    }
  }
}
