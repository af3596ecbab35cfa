/**
 * The Vite dev server's side of browser recording: a middleware under `/__codetracer__/` that
 * receives the page's {@link EventBatch}es (`./browser.ts`) and writes one trace folder per page
 * load, `<traceDir>/<session>/`, with the trace-format writers, exactly the three files a Node
 * recording has.
 */
import * as fs from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import * as path from "node:path";
import { RECORDER_NAME, RECORDER_VERSION, type TraceFormat } from "@codetracer/runtime";
import {
  TRACE_BIN_FILE,
  TRACE_JSON_FILE,
  TraceBinWriter,
  TraceJsonWriter,
  openBinaryFileSink,
  openFileSink,
  writeTraceMetadata,
  writeTracePaths,
  type TraceLowLevelEvent,
} from "@codetracer/trace-format";
import type { EventBatch } from "./browser.js";

/** Where and how the dev server writes the pages' traces. */
export interface DevServerRecordingOptions {
  /** The folder holding one trace folder per page load (absolute). */
  traceDir: string;
  format: TraceFormat;
  /** The dev server's root, written as the traces' `workdir`. */
  root: string;
}

/** A Connect middleware, as Vite's `server.middlewares.use` takes it. */
export type Middleware = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

/** The largest request body accepted (bytes). */
const MAX_BODY = 16 * 1024 * 1024;
const SESSION = /^[A-Za-z0-9_-]{1,64}$/;

/** A page load being written. */
interface PageTrace {
  dir: string;
  writer: { write(event: TraceLowLevelEvent): void; finish(): void };
  program: string;
  /** The sequence number of the next batch to write. */
  next: number;
  /** Batches that arrived before their turn. */
  pending: Map<number, EventBatch>;
  paths: string[];
  finished: boolean;
}

/** Why `value` is not an event the recorder sends, or null. */
function eventProblem(value: unknown): string | null {
  if (value === "DropLastStep") return null;
  if (value === null || typeof value !== "object" || Array.isArray(value)) return "an event must be an object";
  const keys = Object.keys(value);
  if (keys.length !== 1) return "an event must have exactly one variant";
  const body = (value as Record<string, unknown>)[keys[0]!];
  const isIndex = (v: unknown) => Number.isInteger(v) && (v as number) >= 0;
  const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
  switch (keys[0]) {
    case "Path":
    case "VariableName":
    case "Variable":
      return typeof body === "string" ? null : `${keys[0]} must be a string`;
    case "Step":
      return isObject(body) && isIndex(body.path_id) && isIndex(body.line) ? null : "Step needs integer path_id and line";
    case "Function":
      return isObject(body) && isIndex(body.path_id) && isIndex(body.line) && typeof body.name === "string" ? null : "Function needs path_id, line and name";
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
      return `unknown event ${JSON.stringify(keys[0])}`;
  }
}

/** Why `value` is not a well-formed {@link EventBatch}, or null. */
function batchProblem(value: unknown): string | null {
  if (value === null || typeof value !== "object") return "the body must be a JSON object";
  const batch = value as Partial<EventBatch>;
  if (typeof batch.session !== "string" || !SESSION.test(batch.session)) return "session must be 1-64 letters, digits, - or _";
  if (!Number.isInteger(batch.seq) || batch.seq! < 0) return "seq must be a non-negative integer";
  if (!Array.isArray(batch.events)) return "events must be an array";
  if (batch.program !== undefined && typeof batch.program !== "string") return "program must be a string";
  if (batch.done !== undefined && typeof batch.done !== "boolean") return "done must be a boolean";
  for (let i = 0; i < batch.events.length; i++) {
    const problem = eventProblem(batch.events[i]);
    if (problem) return `events[${i}]: ${problem}`;
  }
  return null;
}

/**
 * The recorder's dev-server middleware and its `close`. `POST /__codetracer__/events` takes one
 * {@link EventBatch}; the answer is 204, or 400 with a plain-text reason for a body that is not
 * a well-formed batch (bad JSON, a bad field or event: nothing of it is written, and the folder
 * being written stays valid), 413 for a body over 16 MiB. Batches are written in `seq` order;
 * one that arrives early waits for those before it. The folder is finished (the event file
 * closed, `trace_paths.json`, then `trace_metadata.json`) when the `done` batch has been
 * written, or by `close()` (the dev server closing) with what arrived in order, the metadata
 * then saying `partial: true`. Other requests go to `next`.
 *
 * @param options - see {@link DevServerRecordingOptions}
 */
export function createTraceMiddleware(options: DevServerRecordingOptions): { middleware: Middleware; close(): void; folders(): string[] } {
  const pages = new Map<string, PageTrace>();

  const open = (batch: EventBatch): PageTrace => {
    const dir = path.join(options.traceDir, batch.session);
    fs.mkdirSync(dir, { recursive: true });
    const writer =
      options.format === "binary"
        ? new TraceBinWriter(openBinaryFileSink(path.join(dir, TRACE_BIN_FILE)))
        : new TraceJsonWriter(openFileSink(path.join(dir, TRACE_JSON_FILE)));
    const page: PageTrace = { dir, writer, program: batch.program ?? "<page>", next: 0, pending: new Map(), paths: [], finished: false };
    pages.set(batch.session, page);
    return page;
  };

  const finish = (page: PageTrace, partial: boolean): void => {
    if (page.finished) return;
    page.finished = true;
    page.writer.finish();
    writeTracePaths(page.dir, page.paths);
    writeTraceMetadata(page.dir, {
      workdir: options.root,
      program: page.program,
      args: [],
      recorder: { name: RECORDER_NAME, version: RECORDER_VERSION, target_script: page.program, runtime: "browser" },
      format: options.format,
      ...(partial ? { partial: true } : {}),
    });
  };

  const accept = (batch: EventBatch): void => {
    const page = pages.get(batch.session) ?? open(batch);
    if (page.finished || batch.seq < page.next) return; // late or repeated: already written
    if (batch.program !== undefined) page.program = batch.program;
    page.pending.set(batch.seq, batch);
    for (let next = page.pending.get(page.next); next; next = page.pending.get(page.next)) {
      page.pending.delete(page.next);
      page.next++;
      for (const event of next.events) {
        if (typeof event === "object" && "Path" in event) page.paths.push(event.Path);
        page.writer.write(event);
      }
      if (next.done) {
        finish(page, false);
        return;
      }
    }
  };

  const middleware: Middleware = (req, res, next) => {
    const url = (req.url ?? "").split("?")[0];
    if (url !== "/__codetracer__/events") return next();
    const reply = (status: number, text = "") => {
      res.statusCode = status;
      if (text) res.setHeader("content-type", "text/plain; charset=utf-8");
      res.end(text);
    };
    if (req.method !== "POST") return reply(405, "codetracer: POST a batch of events\n");
    const chunks: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) tooBig = true;
      else chunks.push(chunk);
    });
    req.on("end", () => {
      if (tooBig) return reply(413, `codetracer: a batch may have at most ${MAX_BODY} bytes\n`);
      let batch: unknown;
      try {
        batch = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch (error) {
        return reply(400, `codetracer: the body is not JSON: ${(error as Error).message}\n`);
      }
      const problem = batchProblem(batch);
      if (problem) return reply(400, `codetracer: bad event batch: ${problem}\n`);
      try {
        accept(batch as EventBatch);
      } catch (error) {
        return reply(500, `codetracer: cannot write the trace: ${(error as Error).message}\n`);
      }
      reply(204);
    });
  };

  return {
    middleware,
    close() {
      for (const page of pages.values()) finish(page, true);
    },
    folders: () => [...pages.values()].map((p) => p.dir),
  };
}
