/**
 * The Vite dev server's side of browser recording: a middleware under `/__codetracer__/` that
 * receives the pages' {@link EventBatch}es (`./browser.ts`, wire format in `./wire.ts`) and
 * writes one trace folder per page load, `<traceDir>/<session>/`, with the trace-format writers:
 * the same three files as a Node recording. Every batch is checked before it is written, with
 * trace-format's validator carried across the batches of the session, so what the folder holds
 * is always a valid trace, whatever requests arrive. What it holds is bounded: open sessions
 * (files), bytes of batches kept for later, and idle sessions are finished (docs/browser.md,
 * "Bounds").
 */
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import * as path from "node:path";
import { RECORDER_NAME, RECORDER_VERSION, type TraceFormat } from "@codetracer/runtime";
import {
  EventStreamValidator,
  PENDING_METADATA_FILE,
  TRACE_BIN_FILE,
  TRACE_JSON_FILE,
  TraceBinWriter,
  TraceJsonWriter,
  openBinaryFileSink,
  openFileSink,
  serializeTraceMetadata,
  writeTraceMetadata,
  writeTracePaths,
  type TraceEventWriter,
  type TraceLowLevelEvent,
  type TraceMetadata,
} from "@codetracer/trace-format";
import { traceSummaryLine, writeFileAtomic } from "@codetracer/trace-format/internal";
import {
  DEFAULT_ENDPOINT,
  EVENTS_PATH,
  IDLE_TIMEOUT_MS,
  MAX_BATCH_BYTES,
  MAX_OPEN_SESSIONS,
  MAX_PENDING_BATCHES,
  MAX_PENDING_BYTES,
  SESSION_PATTERN,
  type EventBatch,
} from "./wire.js";

/** Where and how the dev server writes the pages' traces. */
export interface DevServerRecordingOptions {
  /** The folder holding one trace folder per page load (absolute; created when the first page sends its events). */
  traceDir: string;
  /** `binary` (`trace.bin`) or `json` (`trace.json`). */
  format: TraceFormat;
  /** The dev server's root, written as the traces' `workdir`. */
  root: string;
  /** The path prefix of the middleware (default `/__codetracer__`); batches are posted to `<endpoint>/events`. */
  endpoint?: string;
  /**
   * Once the page's `done` batch has arrived, how long (ms) to wait for batches before it that
   * are still missing; then the folder is finished with what arrived in order (`partial`).
   * Default 10 000.
   */
  gapTimeoutMs?: number;
  /** Where the middleware reports what it dropped, finished early or could not write (Vite's logger). Default: `console.warn`. */
  warn?: (message: string) => void;
  /**
   * Where the middleware says each folder it finished, as one summary line
   * (`codetracer: trace-out/<session>/ — 412 events, 3.1 kB trace.bin, <pagehide>`; Vite's
   * logger). Default: nothing.
   */
  info?: (message: string) => void;
  /**
   * The most sessions unfinished at once (each holds an open file). A new session beyond it
   * finishes the least recently active one (`partial`, exit label `<evicted>`, said through
   * `warn`). Default {@link MAX_OPEN_SESSIONS} (64).
   */
  maxOpenSessions?: number;
  /**
   * The most bytes of batches (request bodies) kept, all sessions together, while batches
   * before them are missing; a batch that would go over gets 429. Default
   * {@link MAX_PENDING_BYTES} (64 MiB).
   */
  maxPendingBytes?: number;
  /**
   * A session that sends no batch for this long (ms) without having finished is finished with
   * what arrived in order (`partial`, exit label `<idle>`, said through `warn`); its later
   * batches are not written. Default {@link IDLE_TIMEOUT_MS} (10 minutes).
   */
  idleTimeoutMs?: number;
}

/** A Connect middleware, as Vite's `server.middlewares.use` takes it. */
export type Middleware = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

/** What {@link createTraceMiddleware} returns. */
export interface TraceMiddleware {
  /** The middleware (see {@link createTraceMiddleware} for what it answers). */
  middleware: Middleware;
  /**
   * Finishes every folder still being written with what arrived in order (its metadata says
   * `partial: true`, exit label `<server-closed>`); later requests get 503. Idempotent; also
   * run when the process exits or gets SIGINT, SIGTERM or SIGHUP (then, when no other listener
   * is on that signal, the signal is raised again so the process ends as it would have). Never
   * throws (a folder that cannot be finished is reported through `warn`).
   */
  close(): void;
  /** The trace folders written or being written, in the order their pages started. */
  folders(): string[];
}

/** A page load whose batches are arriving. */
interface PageTrace {
  session: string;
  dir: string;
  program: string;
  /** Checks each batch, in order, against the events written before it (released when the folder is finished). */
  validator: EventStreamValidator | null;
  /** Open from the first written batch (batch 0) until the folder is finished (then null again). */
  writer: (TraceEventWriter & { flush(): void; finish(): void }) | null;
  /** Whether batch 0 was written: the folder exists. */
  opened: boolean;
  /** The sequence number of the next batch to write. */
  next: number;
  /** Batches that arrived before their turn, by sequence number, with their size in bytes (counted in the server's pending bytes). */
  pending: Map<number, { batch: EventBatch; bytes: number }>;
  /** Events written. */
  events: number;
  finished: boolean;
  /** The exit label it was finished with (`<pagehide>`, `<idle>`, `<evicted>`, …). */
  label: string;
  /** Whether a batch that came after an early finish (`<idle>`, `<evicted>`) was reported. */
  lateReported: boolean;
  traceId: string;
  gapTimer: ReturnType<typeof setTimeout> | undefined;
  idleTimer: ReturnType<typeof setTimeout> | undefined;
}

/** An HTTP answer: status and, for errors, the plain-text reason. */
class Reply {
  constructor(
    readonly status: number,
    readonly text = "",
  ) {}
}

/** Why `value` cannot be a recorder event at all (checked before its batch is kept), or null. The validator checks the rest at its turn. */
function eventProblem(value: unknown): string | null {
  if (value === "DropLastStep") return null;
  if (value === null || typeof value !== "object" || Array.isArray(value)) return 'an event must be an object or "DropLastStep"';
  const keys = Object.keys(value);
  if (keys.length !== 1) return "an event must have exactly one key, its variant";
  const body = (value as Record<string, unknown>)[keys[0]!];
  const isIndex = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;
  const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
  switch (keys[0]) {
    case "Path":
    case "VariableName":
    case "Variable":
      return typeof body === "string" ? null : `${keys[0]} must be a string`;
    case "Step":
      return isObject(body) && isIndex(body.path_id) && Number.isSafeInteger(body.line) ? null : "Step needs integer path_id and line";
    case "Function":
      return isObject(body) && isIndex(body.path_id) && Number.isSafeInteger(body.line) && typeof body.name === "string"
        ? null
        : "Function needs path_id, line and name";
    case "Value":
      return isObject(body) && isIndex(body.variable_id) && isObject(body.value) ? null : "Value needs variable_id and value";
    case "Call":
      return isObject(body) && isIndex(body.function_id) && Array.isArray(body.args) ? null : "Call needs function_id and args";
    case "Return":
      return isObject(body) && isObject(body.return_value) ? null : "Return needs return_value";
    case "Type":
    case "Event":
      return isObject(body) ? null : `${keys[0]} must be an object`;
    default:
      return `${JSON.stringify(keys[0]).slice(0, 80)} is not an event the recorder sends`;
  }
}

/** Why `value` is not a well-formed {@link EventBatch}, or null. */
function batchProblem(value: unknown): string | null {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return "the body must be a JSON object";
  const batch = value as Partial<EventBatch>;
  if (typeof batch.session !== "string" || !SESSION_PATTERN.test(batch.session)) return "session must be 1-64 letters, digits, - or _";
  if (!Number.isSafeInteger(batch.seq) || batch.seq! < 0) return "seq must be a non-negative integer";
  if (!Array.isArray(batch.events)) return "events must be an array";
  if (batch.program !== undefined && typeof batch.program !== "string") return "program must be a string";
  if (batch.done !== undefined && typeof batch.done !== "boolean") return "done must be a boolean";
  for (let i = 0; i < batch.events.length; i++) {
    const problem = eventProblem(batch.events[i]);
    if (problem) return `events[${i}]: ${problem}`;
  }
  return null;
}

/** The signals that end a dev server without closing it (SIGTERM: Vite closes the server itself, but not in middleware mode). */
const SIGNALS: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];

const invalid = (reason: string) => new Reply(400, `codetracer: [ERR_TRACE_INVALID] ${reason}\n`);

/**
 * The recorder's dev-server middleware. `POST <endpoint>/events` (`/__codetracer__/events`)
 * takes one {@link EventBatch} as `application/json`, and answers (the table in `./wire.ts`):
 *
 * - 204 when the batch was written (or had been: a batch sent twice is written once), 202 when
 *   it is kept until the batches before it arrive;
 * - 400 `codetracer: [ERR_TRACE_INVALID] <reason>` for a body that is not JSON or not a
 *   well-formed batch, and for events that would make the trace invalid at that point (an id
 *   not declared before, a Return without its Call, a malformed value: trace-format's
 *   validator, carried across the session's batches). Nothing of such a batch is written, so
 *   the folder stays valid; a later, good batch with the same number is taken;
 * - 403 for a request of another site, 405 for another method, 415 for another content type,
 *   413 for a body over 16 MiB, 429 when {@link MAX_PENDING_BATCHES} batches of the session
 *   already wait for a missing one or the bytes kept for all sessions would pass
 *   `maxPendingBytes`, 503 after {@link TraceMiddleware.close};
 * - 500 `codetracer: [ERR_IO] …` when the folder cannot be written: it is finished as it is.
 *
 * Other paths under the endpoint get 404; everything else goes to `next`.
 *
 * Folders: `<traceDir>/<session>/`, opened when batch 0 of a session is written (with
 * `trace_metadata.pending.json`, so `codetracer-js-recorder --repair` can finish a folder whose
 * server was killed). A folder is finished (the event file closed, `trace_paths.json`, then
 * `trace_metadata.json`) when the `done` batch and every batch before it are written; if some
 * stay missing {@link DevServerRecordingOptions.gapTimeoutMs} after `done` arrived, or the dev
 * server closes first, with what arrived in order, its metadata then saying `partial: true`.
 * Also finished as partial: a session idle for `idleTimeoutMs` (exit label `<idle>`), and the
 * least recently active one when a new session would make more than `maxOpenSessions`
 * unfinished (`<evicted>`); both are said through `warn`.
 *
 * The events are checked with the rules of trace-format's `validateTraceFolder` with
 * `entryStepRule: "error"` (what the project's tests hold every trace to): a Call not
 * immediately preceded by a Step at the callee's line is refused too.
 *
 * @param options - see {@link DevServerRecordingOptions}
 */
export function createTraceMiddleware(options: DevServerRecordingOptions): TraceMiddleware {
  const pages = new Map<string, PageTrace>();
  const order: PageTrace[] = [];
  const endpoint = (options.endpoint ?? DEFAULT_ENDPOINT).replace(/\/+$/, "");
  const gapTimeoutMs = options.gapTimeoutMs ?? 10_000;
  const idleTimeoutMs = options.idleTimeoutMs ?? IDLE_TIMEOUT_MS;
  const maxOpenSessions = Math.max(1, options.maxOpenSessions ?? MAX_OPEN_SESSIONS);
  const maxPendingBytes = options.maxPendingBytes ?? MAX_PENDING_BYTES;
  const warn = options.warn ?? ((message: string) => console.warn(message));
  const info = options.info ?? (() => {});
  let closed = false;
  /** The unfinished sessions, least recently active first (a Map keeps insertion order: a session is moved to the end on each batch). */
  const live = new Map<string, PageTrace>();
  /** Bytes of the batches kept in every session's `pending`. */
  let pendingBytes = 0;
  /** Whether the last batch refused for {@link maxPendingBytes} was reported (reset once under the bound again). */
  let pendingFullReported = false;

  const metadata = (page: PageTrace): TraceMetadata => ({
    workdir: options.root,
    program: page.program,
    args: [],
    recorder: { name: RECORDER_NAME, version: RECORDER_VERSION, target_script: page.program, runtime: "browser" },
    format: options.format,
    trace_id: page.traceId,
    page_session: page.session,
  });

  const open = (page: PageTrace): void => {
    fs.mkdirSync(page.dir, { recursive: true });
    for (const name of [TRACE_JSON_FILE, TRACE_BIN_FILE]) fs.rmSync(path.join(page.dir, name), { force: true });
    page.writer =
      options.format === "binary"
        ? new TraceBinWriter(openBinaryFileSink(path.join(page.dir, TRACE_BIN_FILE)))
        : new TraceJsonWriter(openFileSink(path.join(page.dir, TRACE_JSON_FILE)));
    page.opened = true;
    writeFileAtomic(path.join(page.dir, PENDING_METADATA_FILE), serializeTraceMetadata(metadata(page)));
  };

  /** Ends the folder; `label` is the exit label (`<pagehide>`, `<server-closed>`, …). Never throws. */
  const finish = (page: PageTrace, label: string, partial: boolean): void => {
    if (page.finished) return;
    page.finished = true;
    if (page.gapTimer !== undefined) clearTimeout(page.gapTimer);
    page.label = label;
    if (page.idleTimer !== undefined) clearTimeout(page.idleTimer);
    live.delete(page.session);
    let dropped = 0;
    for (const kept of page.pending.values()) {
      dropped += kept.batch.events.length;
      pendingBytes -= kept.bytes;
    }
    page.pending.clear();
    const validator = page.validator!;
    page.validator = null;
    const writer = page.writer;
    page.writer = null;
    if (!writer) return; // batch 0 never arrived: no folder
    try {
      writer.finish();
      writeTracePaths(page.dir, validator.paths);
      writeTraceMetadata(page.dir, {
        ...metadata(page),
        process_exit_status: { code: null, label },
        stats: { events: page.events, dropped_events: dropped, detaches: 0, internal_errors: 0 },
        ...(partial ? { partial: true } : {}),
      });
      fs.rmSync(path.join(page.dir, PENDING_METADATA_FILE), { force: true });
      const line = traceSummaryLine(page.dir, { cwd: options.root, end: label });
      if (line) info(line);
    } catch (error) {
      warn(`codetracer: [ERR_IO] cannot finish the trace folder ${page.dir}: ${(error as Error).message}`);
    }
    if (dropped > 0) warn(`codetracer: ${page.dir} ends before a missing batch (${page.next}); ${dropped} events after it were dropped`);
  };

  /** Writes `batch` (its turn has come) if the validator takes it; the reason it was refused otherwise. */
  const write = (page: PageTrace, batch: EventBatch): string | null => {
    const report = page.validator!.append(batch.events);
    if (!report.ok) {
      const shown = report.errors.slice(0, 3).map((e) => `${e.code}: ${e.message}`);
      return `batch ${batch.seq} would make the trace invalid: ${shown.join("; ")}${report.errors.length > 3 ? ` (and ${report.errors.length - 3} more)` : ""}`;
    }
    if (batch.seq === 0) {
      if (batch.program !== undefined) page.program = batch.program;
      open(page);
    }
    for (const event of batch.events) page.writer!.write(event as TraceLowLevelEvent);
    page.writer!.flush();
    page.events += batch.events.length;
    page.next++;
    return null;
  };

  /** Finishes `page` early (`<idle>`, `<evicted>`) and says so through `warn`. */
  const finishEarly = (page: PageTrace, label: "<idle>" | "<evicted>", why: string): void => {
    const opened = page.opened;
    finish(page, label, true);
    warn(
      opened
        ? `codetracer: session ${page.session} ${why}: its folder ${page.dir} is finished as partial (${label}); later batches of it are not written`
        : `codetracer: session ${page.session} ${why} before its batch 0 arrived: what it sent is dropped (no folder)`,
    );
  };

  /** A new session is about to start: with {@link maxOpenSessions} unfinished already, finishes the least recently active. */
  const makeRoom = (): void => {
    while (live.size >= maxOpenSessions) {
      const oldest = live.values().next().value as PageTrace;
      finishEarly(oldest, "<evicted>", `was the least recently active of ${maxOpenSessions} unfinished sessions when a new one started`);
    }
  };

  /** Marks `page` active now: last in {@link live}, its idle timer restarted. */
  const touch = (page: PageTrace): void => {
    live.delete(page.session);
    live.set(page.session, page);
    if (page.idleTimer !== undefined) page.idleTimer.refresh();
    else {
      page.idleTimer = setTimeout(() => {
        if (!page.finished) finishEarly(page, "<idle>", `sent no batch for ${Math.round(idleTimeoutMs / 1000)} s without finishing (no \`done\`)`);
      }, idleTimeoutMs);
      page.idleTimer.unref?.();
    }
  };

  /** The 429 for a batch that would make the bytes kept for later pass {@link maxPendingBytes} (the first one since the bound was last reached is reported). */
  const tooManyBytes = (batch: EventBatch): Reply => {
    if (!pendingFullReported) {
      pendingFullReported = true;
      warn(
        `codetracer: ${pendingBytes} bytes of batches already wait for missing ones (the limit is ${maxPendingBytes}); further early batches get 429 until some are written`,
      );
    }
    return new Reply(
      429,
      `codetracer: ${pendingBytes} bytes of batches wait for missing ones (limit ${maxPendingBytes}); send batch ${batch.seq} of session ${batch.session} again later\n`,
    );
  };

  /** Takes `batch` (a request body of `bytes` bytes) for its session; what to answer. */
  const accept = (batch: EventBatch, bytes: number): Reply => {
    let page = pages.get(batch.session);
    // An early batch of a new session that cannot be kept starts nothing (it would count as an open session).
    if (!page && batch.seq > 0 && pendingBytes + bytes > maxPendingBytes) return tooManyBytes(batch);
    if (!page) {
      makeRoom();
      page = {
        session: batch.session,
        dir: path.join(options.traceDir, batch.session),
        program: batch.program ?? "<page>",
        validator: new EventStreamValidator({ entryStepRule: "error" }),
        writer: null,
        opened: false,
        next: 0,
        pending: new Map(),
        events: 0,
        finished: false,
        label: "",
        lateReported: false,
        traceId: randomUUID(),
        gapTimer: undefined,
        idleTimer: undefined,
      };
      pages.set(batch.session, page);
      order.push(page);
    }
    if (page.finished || batch.seq < page.next) {
      if (page.finished && batch.seq >= page.next && !page.lateReported && (page.label === "<idle>" || page.label === "<evicted>")) {
        page.lateReported = true;
        warn(`codetracer: session ${page.session} sent batch ${batch.seq} after it was finished (${page.label}); it is not written`);
      }
      return new Reply(204); // sent again: written already (or too late)
    }
    touch(page);
    if (batch.seq > page.next) {
      if (page.pending.has(batch.seq)) return new Reply(202);
      if (page.pending.size >= MAX_PENDING_BATCHES) {
        return new Reply(
          429,
          `codetracer: ${MAX_PENDING_BATCHES} batches of session ${batch.session} wait for batch ${page.next}; send this one again later\n`,
        );
      }
      if (pendingBytes + bytes > maxPendingBytes) return tooManyBytes(batch);
      page.pending.set(batch.seq, { batch, bytes });
      pendingBytes += bytes;
      if (batch.done) armGapTimer(page);
      return new Reply(202);
    }
    try {
      const refused = write(page, batch);
      if (refused) return invalid(refused);
      for (let kept = page.pending.get(page.next); kept && !page.finished; kept = page.pending.get(page.next)) {
        const next = kept.batch;
        page.pending.delete(page.next);
        pendingBytes -= kept.bytes;
        const late = write(page, next);
        if (late) {
          warn(`codetracer: session ${page.session}: ${late}; dropped (the page is told nothing: it was answered 202)`);
          break;
        }
        if (next.done) finish(page, "<pagehide>", false);
      }
      if (batch.done && !page.finished) finish(page, "<pagehide>", false);
      if (!page.finished && [...page.pending.values()].some((kept) => kept.batch.done)) armGapTimer(page);
    } catch (error) {
      const message = (error as Error).message;
      warn(`codetracer: [ERR_IO] cannot write the trace folder ${page.dir}: ${message}; it is finished as it is`);
      finish(page, "<write-failed>", true);
      return new Reply(500, `codetracer: [ERR_IO] cannot write the trace: ${message}\n`);
    }
    if (pendingBytes <= maxPendingBytes / 2) pendingFullReported = false;
    return new Reply(204);
  };

  /** After `done` arrived with batches before it missing: waits for them {@link gapTimeoutMs}, then finishes. */
  const armGapTimer = (page: PageTrace): void => {
    if (page.gapTimer !== undefined) clearTimeout(page.gapTimer);
    page.gapTimer = setTimeout(() => finish(page, "<pagehide>", true), gapTimeoutMs);
    page.gapTimer.unref?.();
  };

  /** The reply to a complete request body. */
  const handle = (body: Buffer): Reply => {
    if (closed) return new Reply(503, "codetracer: the dev server is closing\n");
    let batch: unknown;
    try {
      batch = JSON.parse(body.toString("utf8"));
    } catch (error) {
      return invalid(`the body is not JSON: ${(error as Error).message}`);
    }
    const problem = batchProblem(batch);
    if (problem) return invalid(`bad event batch: ${problem}`);
    return accept(batch as EventBatch, body.length);
  };

  const middleware: Middleware = (req, res, next) => {
    const url = (req.url ?? "").split("?")[0]!;
    if (url !== endpoint && !url.startsWith(`${endpoint}/`)) return next();
    const reply = (answer: Reply): void => {
      res.statusCode = answer.status;
      if (answer.text) res.setHeader("content-type", "text/plain; charset=utf-8");
      res.end(answer.text);
    };
    if (url !== `${endpoint}${EVENTS_PATH}`) return reply(new Reply(404, `codetracer: no such endpoint; POST event batches to ${endpoint}${EVENTS_PATH}\n`));
    if (req.method !== "POST") {
      res.setHeader("allow", "POST");
      return reply(new Reply(405, "codetracer: POST a batch of events\n"));
    }
    if (req.headers["sec-fetch-site"] === "cross-site") return reply(new Reply(403, "codetracer: batches are taken from the dev server's own pages only\n"));
    const type = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
    if (type !== "application/json") return reply(new Reply(415, "codetracer: a batch is sent as application/json\n"));
    const declared = Number(req.headers["content-length"]);
    if (declared > MAX_BATCH_BYTES) {
      reply(new Reply(413, `codetracer: [ERR_TRACE_INVALID] a batch may have at most ${MAX_BATCH_BYTES} bytes\n`));
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BATCH_BYTES) chunks.push(chunk);
    });
    req.on("error", () => {});
    req.on("end", () => {
      if (size > MAX_BATCH_BYTES) return reply(new Reply(413, `codetracer: [ERR_TRACE_INVALID] a batch may have at most ${MAX_BATCH_BYTES} bytes\n`));
      reply(handle(Buffer.concat(chunks)));
    });
  };

  const close = (): void => {
    if (closed) return;
    closed = true;
    process.off("exit", close);
    for (const signal of SIGNALS) process.off(signal, onSignal);
    for (const page of order) finish(page, "<server-closed>", true);
  };
  /**
   * Ctrl+C in Vite's CLI kills the process without closing the server: the folders are
   * finished first. Alone on the signal, it then raises it again, so the process ends as it
   * would have; with other listeners, they decide.
   */
  const onSignal = (signal: NodeJS.Signals): void => {
    close();
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  process.on("exit", close);
  for (const signal of SIGNALS) process.on(signal, onSignal);

  return {
    middleware,
    close,
    folders: () => order.filter((p) => p.opened).map((p) => p.dir),
  };
}
