/**
 * In-memory {@link EventSink} for tests.
 *
 * @packageDocumentation
 */

import { TraceFormatError } from "./errors.js";
import type { EventSink } from "./json-writer.js";
import { appendOwn, ArrayPrototypeJoin } from "./primordials.js";

/**
 * An {@link EventSink} that keeps every chunk in memory: `chunks` holds them in order,
 * {@link MemorySink.text} joins them. For tests and small traces only.
 *
 * @throws {@link TraceFormatError} `ERR_IO` from `write` after `close`.
 */
export class MemorySink implements EventSink {
  /** The chunks written so far, in order. */
  readonly chunks: string[] = [];
  private closedFlag = false;

  /** True once {@link close} has been called. */
  get closed(): boolean {
    return this.closedFlag;
  }

  /**
   * Appends a chunk.
   * @throws {@link TraceFormatError} `ERR_IO` if the sink is closed
   */
  write(chunk: string): void {
    if (this.closedFlag) throw new TraceFormatError("ERR_IO", "MemorySink.write after close()");
    appendOwn(this.chunks, chunk);
  }

  /** Marks the sink closed; idempotent. */
  close(): void {
    this.closedFlag = true;
  }

  /** All chunks joined: the complete output so far. */
  text(): string {
    return ArrayPrototypeJoin(this.chunks, "");
  }
}
