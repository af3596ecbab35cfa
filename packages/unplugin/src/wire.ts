/**
 * The wire format between the browser runtime (`./browser.ts`, in the page) and the Vite dev
 * server's middleware (`./dev-server.ts`): types and limits only, no code that touches the
 * network, so both sides import it (the browser bundle included: it imports nothing).
 *
 * The page `POST`s JSON {@link EventBatch}es to `<endpoint>/events` (`/__codetracer__/events`),
 * with `content-type: application/json`. A page load is a session; its batches are numbered
 * 0, 1, 2, … and the server writes them in that order whatever order they arrive in, so a
 * retried or reordered request never changes the trace. The answer is:
 *
 * | status | meaning |
 * |---|---|
 * | 204 | written (or an already written batch sent again: nothing more is done) |
 * | 202 | kept: it is written when the batches before it have arrived |
 * | 400 | not a well-formed batch, or events that would make the trace invalid: nothing of it is written (`[ERR_TRACE_INVALID] …`) |
 * | 403 | sent by a page of another site (`Sec-Fetch-Site: cross-site`) |
 * | 405 / 415 | not a `POST`, or not `application/json` |
 * | 413 | the body is over {@link MAX_BATCH_BYTES} |
 * | 429 | too many batches of the session wait for a missing one ({@link MAX_PENDING_BATCHES}), or too many bytes of batches of all sessions do ({@link MAX_PENDING_BYTES}): send it again later |
 * | 500 | the trace cannot be written (`[ERR_IO] …`): the session's folder is finished as it is (`partial`) |
 *
 * Error answers are `text/plain`: `codetracer: [ERR_…] reason`.
 * @packageDocumentation
 */
import type { TraceLowLevelEvent } from "@codetracer/trace-format/types";

/** The dev server's path prefix for the recorder, unless configured otherwise. */
export const DEFAULT_ENDPOINT = "/__codetracer__";
/** The path under the endpoint the batches are posted to. */
export const EVENTS_PATH = "/events";
/** What a session id may be: letters, digits, `-` and `_`, 1 to 64 of them (it names a folder). */
export const SESSION_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** The largest request body the server accepts (bytes, 16 MiB). */
export const MAX_BATCH_BYTES = 16 * 1024 * 1024;
/** How many batches of one session the server keeps while one before them is missing. */
export const MAX_PENDING_BATCHES = 256;
/** How many bytes of request bodies the server keeps, all sessions together, while batches before them are missing (64 MiB). */
export const MAX_PENDING_BYTES = 64 * 1024 * 1024;
/**
 * How many sessions may be unfinished at once (each holds an open file and its validator's
 * state); a new one finishes the least recently active (`partial`, exit label `<evicted>`).
 */
export const MAX_OPEN_SESSIONS = 64;
/** After how long (ms) without a batch an unfinished session is finished (`partial`, exit label `<idle>`): 10 minutes. */
export const IDLE_TIMEOUT_MS = 10 * 60 * 1000;

/** One request of the page to the dev server (the JSON body of `POST <endpoint>/events`). */
export interface EventBatch {
  /** The page session (one page load), {@link SESSION_PATTERN}; it names the trace folder. */
  session: string;
  /** 0, 1, 2, … within the session: the order the events were recorded in (a safe integer). */
  seq: number;
  /** The recorder's events, in the order it emitted them (`TraceLowLevelEvent` JSON, docs/trace-format.md: "Events", "Values and types"). */
  events: TraceLowLevelEvent[];
  /** What the trace metadata names as the program: the page URL (only needed in batch 0). */
  program?: string;
  /** The last batch of the session: when it and every batch before it are written, the folder is finished. */
  done?: boolean;
}
