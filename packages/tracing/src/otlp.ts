/**
 * The OTLP/HTTP JSON exporter: `POST <endpoint>` (default `http://localhost:4318/v1/traces`)
 * with an `ExportTraceServiceRequest` in OTLP's JSON encoding (`opentelemetry-proto`
 * `trace/v1/trace.proto`, "JSON Protobuf Encoding": hex ids, enums as numbers, 64-bit times as
 * decimal strings), retried with backoff on 429, 502, 503 and 504 (honouring `Retry-After`), as
 * the OTLP specification's "OTLP/HTTP Throttling" and "Retryable Response Codes" say.
 *
 * Bounds (docs/spans.md, "Exporter bounds"): one export, retries and the reading of the answer
 * included, takes at most `timeoutMillis`; at most {@link MAX_RESPONSE_BYTES} of any answer are
 * read, then the connection is closed; an export that runs out of time, even while the answer's
 * body is still arriving, fails.
 */
import { spawnSync } from "node:child_process";
import * as http from "node:http";
import * as https from "node:https";
import { envBoolean, envHeaders, envResourceAttributes, envString, envTimeout, envUrl } from "./env.js";
import { ExportError } from "./errors.js";
import { SpanExporter, type ExportOptions } from "./exporters.js";
import type { Attributes, AttributeValue, Span } from "./span.js";
import { formatTracestate } from "./trace-context.js";

/**
 * Options of {@link OtlpHttpExporter}. Each option given here wins over its OpenTelemetry
 * environment variable (docs/spans.md, "OpenTelemetry environment variables"), which wins over
 * the default; an environment value that cannot be used is ignored with one warning.
 */
export interface OtlpHttpExporterOptions {
  /**
   * The full URL spans are posted to. Default: `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` as it is,
   * else `OTEL_EXPORTER_OTLP_ENDPOINT` with `v1/traces` appended (after a `/` if it does not end
   * with one), else `http://localhost:4318/v1/traces`.
   */
  url?: string;
  /**
   * Extra request headers (e.g. authorization). They are added to those of
   * `OTEL_EXPORTER_OTLP_HEADERS` and `OTEL_EXPORTER_OTLP_TRACES_HEADERS` (`key=value,…`,
   * percent-decoded); for the same name (in any case) the TRACES variable wins over the general
   * one, and these over both.
   */
  headers?: Record<string, string>;
  /**
   * Resource attributes, over those of `OTEL_RESOURCE_ATTRIBUTES` (`key=value,…`,
   * percent-decoded); `service.name` defaults to `OTEL_SERVICE_NAME`, else the variable's
   * `service.name`, else `unknown_service:node`.
   */
  resource?: Attributes;
  /**
   * Time for one export in milliseconds: connection, retries and backoff, and reading the answer
   * included; past it the export fails (`ERR_EXPORT_TIMEOUT`). Default:
   * `OTEL_EXPORTER_OTLP_TRACES_TIMEOUT`, else `OTEL_EXPORTER_OTLP_TIMEOUT` (0 there means no
   * limit: 2³¹ − 1 ms), else 10000.
   */
  timeoutMillis?: number;
  /** Retries after the first attempt. @default 5 */
  maxRetries?: number;
  /** The first backoff in milliseconds, doubled each retry with ±20% jitter. @default 1000 */
  initialBackoffMillis?: number;
  /** The longest backoff in milliseconds. @default 5000 */
  maxBackoffMillis?: number;
}

/** The most bytes of a collector's answer that are read (4 KiB); the connection is closed after that many. */
export const MAX_RESPONSE_BYTES = 4096;

/** The status codes an export is retried on (OTLP/HTTP "Retryable Response Codes"). */
export const RETRYABLE_STATUS: ReadonlySet<number> = new Set([429, 502, 503, 504]);

/** An OTLP `AnyValue` in JSON. */
type AnyValue = { stringValue: string } | { boolValue: boolean } | { intValue: string } | { doubleValue: number } | { arrayValue: { values: AnyValue[] } };

function anyValue(value: AttributeValue): AnyValue {
  if (Array.isArray(value)) return { arrayValue: { values: value.map((v) => anyValue(v as AttributeValue)) } };
  if (typeof value === "string") return { stringValue: value };
  if (typeof value === "boolean") return { boolValue: value };
  return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value as number };
}

function keyValues(attributes: Attributes): Array<{ key: string; value: AnyValue }> {
  return Object.entries(attributes).map(([key, value]) => ({ key, value: anyValue(value) }));
}

/**
 * The `ExportTraceServiceRequest` for `spans` in OTLP JSON: one resource, one scope per tracer
 * name, each span with hex ids, `kind` 1–5, times as decimal strings of nanoseconds, attributes,
 * events and `status` (`code` 0–2, `message` for ERROR).
 */
export function toOtlpJson(spans: readonly Span[], resource: Attributes): object {
  const scopes = new Map<string, object[]>();
  for (const span of spans) {
    const c = span.context;
    const out: Record<string, unknown> = {
      traceId: c.traceId,
      spanId: c.spanId,
      name: span.name,
      kind: span.kind,
      startTimeUnixNano: String(span.startTime),
      endTimeUnixNano: String(span.endTime ?? span.startTime),
      attributes: keyValues(span.attributes),
      events: span.events.map((e) => ({ timeUnixNano: String(e.time), name: e.name, attributes: keyValues(e.attributes) })),
      status: span.statusMessage !== undefined ? { code: span.status, message: span.statusMessage } : { code: span.status },
    };
    if (c.parentSpanId) out.parentSpanId = c.parentSpanId;
    const state = formatTracestate(c.traceState);
    if (state !== undefined) out.traceState = state;
    let list = scopes.get(span.scope);
    if (!list) scopes.set(span.scope, (list = []));
    list.push(out);
  }
  return {
    resourceSpans: [
      {
        resource: { attributes: keyValues(resource) },
        scopeSpans: [...scopes].map(([name, list]) => ({ scope: { name }, spans: list })),
      },
    ],
  };
}

/** Milliseconds to wait from a `Retry-After` value (seconds, or an HTTP date), or undefined. */
function retryAfter(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** A collector's answer: the status, `Retry-After`, and the first bytes of the body (at most {@link MAX_RESPONSE_BYTES}). */
interface Answer {
  status: number;
  retryAfter: string | undefined;
  body: Buffer;
}

/** Waits `ms` (an unreferenced timer with `unref`); rejects when `signal` aborts. */
function sleep(ms: number, options: ExportOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const { signal } = options;
    const onAbort = () => {
      clearTimeout(timer);
      reject(aborted());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    if (options.unref) timer.unref();
    if (signal?.aborted) onAbort();
    else signal?.addEventListener("abort", onAbort, { once: true });
  });
}

const aborted = () => new ExportError("ERR_EXPORT_ABORTED", "the OTLP export was aborted (flush deadline or shutdown)");

/** The first `max` characters of an answer's body, printable, for an error message. */
function excerpt(body: Buffer, max = 200): string {
  const text = body
    .toString("utf8", 0, Math.min(body.length, max * 4))
    .replace(/[^\x20-\x7e]+/g, " ")
    .trim();
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/**
 * The program {@link OtlpHttpExporter.exportSync} runs in a child process: reads one line of
 * JSON (`url`, `headers`, `ms`) then the body from stdin, posts it, exits 0 for a 2xx answer
 * (after at most {@link MAX_RESPONSE_BYTES} of it), 1 for another status, 2 for a network error,
 * 3 when `ms` pass first. CommonJS, Node built-ins only.
 */
const SYNC_POSTER = `
const chunks = [];
process.stdin.on("data", (c) => chunks.push(c));
process.stdin.on("end", () => {
  const all = Buffer.concat(chunks);
  const nl = all.indexOf(10);
  const { url, headers, ms } = JSON.parse(all.subarray(0, nl).toString("utf8"));
  const body = all.subarray(nl + 1);
  setTimeout(() => process.exit(3), ms).unref();
  const u = new URL(url);
  const req = require(u.protocol === "https:" ? "node:https" : "node:http").request(u, { method: "POST", headers: { ...headers, "content-length": body.length } }, (res) => {
    const ok = res.statusCode >= 200 && res.statusCode < 300;
    let read = 0;
    const end = () => process.exit(ok ? 0 : 1);
    res.on("data", (c) => { read += c.length; if (read >= ${MAX_RESPONSE_BYTES}) end(); });
    res.on("end", end);
    res.on("error", () => process.exit(2));
  });
  req.on("error", () => process.exit(2));
  req.end(body);
});
`;

/** `base` ending with one `/` more if it does not end with one (the specification's rule for `OTEL_EXPORTER_OTLP_ENDPOINT`). */
function withSlash(base: string): string {
  return base.endsWith("/") ? base : `${base}/`;
}

/** The environment of the exit-time poster: the process's, without what would make a second Node process load preloads (a recorder's, a loader). */
function posterEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key === "NODE_OPTIONS" || key.startsWith("CODETRACER_")) continue;
    env[key] = value;
  }
  return env;
}

/**
 * Sends spans to an OTLP/HTTP collector as JSON. `export` resolves when the collector accepted
 * the batch (2xx) and rejects with an {@link ExportError} otherwise: after the retries for
 * 429/502/503/504 (waiting as `Retry-After` says, else an exponential backoff with jitter, never
 * past `timeoutMillis`), at once for any other status (`ERR_EXPORT_HTTP`) or a network error
 * (`ERR_EXPORT_NETWORK`); `ERR_EXPORT_TIMEOUT` when `timeoutMillis` pass before the collector has
 * answered and its answer has been read (at most {@link MAX_RESPONSE_BYTES}: a longer answer is
 * cut there and judged by its status); `ERR_EXPORT_ABORTED` when the caller's signal aborts.
 * `shutdown` waits for exports in progress (each ends within its `timeoutMillis`).
 */
export class OtlpHttpExporter extends SpanExporter {
  readonly url: string;
  /** The request headers besides `content-type` and `content-length`: the environment's, then the options' (see {@link OtlpHttpExporterOptions.headers}). */
  readonly headers: Readonly<Record<string, string>>;
  /** The time of one export in milliseconds (see {@link OtlpHttpExporterOptions.timeoutMillis}). */
  readonly timeoutMillis: number;
  /** `OTEL_SDK_DISABLED=true`: nothing is sent; `export` resolves at once, `exportSync` returns true. */
  readonly disabled: boolean;
  private readonly resource: Attributes;
  private readonly inFlight = new Set<Promise<void>>();
  private closed = false;

  /** Reads the environment (see {@link OtlpHttpExporterOptions}); never throws for an environment value. */
  constructor(private readonly options: OtlpHttpExporterOptions = {}) {
    super();
    this.url =
      options.url ?? envUrl("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") ?? `${withSlash(envUrl("OTEL_EXPORTER_OTLP_ENDPOINT") ?? "http://localhost:4318")}v1/traces`;
    const headers: Record<string, string> = { ...envHeaders("OTEL_EXPORTER_OTLP_HEADERS"), ...envHeaders("OTEL_EXPORTER_OTLP_TRACES_HEADERS") };
    for (const [key, value] of Object.entries(options.headers ?? {})) {
      for (const name of Object.keys(headers)) if (name.toLowerCase() === key.toLowerCase()) delete headers[name];
      headers[key] = value;
    }
    this.headers = headers;
    this.timeoutMillis = options.timeoutMillis ?? envTimeout("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT") ?? envTimeout("OTEL_EXPORTER_OTLP_TIMEOUT") ?? 10_000;
    const serviceName = envString("OTEL_SERVICE_NAME");
    this.resource = {
      "service.name": "unknown_service:node",
      ...envResourceAttributes(),
      ...(serviceName !== undefined ? { "service.name": serviceName } : {}),
      ...(options.resource ?? {}),
    };
    this.disabled = envBoolean("OTEL_SDK_DISABLED");
  }

  /**
   * Posts one batch (see the class). With `options.unref` its socket and timers do not keep the
   * process alive; `options.signal` aborts it (the request is closed, the promise rejects with
   * `ERR_EXPORT_ABORTED`).
   */
  export(spans: readonly Span[], options: ExportOptions = {}): Promise<void> {
    if (this.closed || this.disabled || spans.length === 0) return Promise.resolve();
    const job = this.send(Buffer.from(JSON.stringify(toOtlpJson(spans, this.resource)), "utf8"), options);
    this.inFlight.add(job);
    const done = () => void this.inFlight.delete(job);
    job.then(done, done);
    return job;
  }

  /**
   * Posts one batch synchronously, for the tracer's exit path (`process.exit()`): a child Node
   * process (without `NODE_OPTIONS` and `CODETRACER_*`, so no preload is loaded into it) makes
   * one attempt, no retries, killed after `timeoutMillis` (at most the exporter's own). Returns
   * whether the collector answered 2xx.
   */
  override exportSync(spans: readonly Span[], timeoutMillis: number): boolean {
    if (this.closed || this.disabled || spans.length === 0) return !this.closed;
    const ms = Math.max(1, Math.min(timeoutMillis, this.timeoutMillis));
    const head = JSON.stringify({ url: this.url, headers: { "content-type": "application/json", ...this.headers }, ms });
    const input = Buffer.concat([Buffer.from(`${head}\n`, "utf8"), Buffer.from(JSON.stringify(toOtlpJson(spans, this.resource)), "utf8")]);
    try {
      const result = spawnSync(process.execPath, ["-e", SYNC_POSTER], {
        input,
        env: posterEnv(),
        stdio: ["pipe", "ignore", "ignore"],
        timeout: ms + 2000,
        killSignal: "SIGKILL",
        windowsHide: true,
      });
      return result.status === 0;
    } catch {
      return false;
    }
  }

  override async shutdown(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.inFlight]);
  }

  private async send(body: Buffer, options: ExportOptions): Promise<void> {
    const timeoutMillis = this.timeoutMillis;
    const { maxRetries = 5, initialBackoffMillis = 1000, maxBackoffMillis = 5000 } = this.options;
    const deadline = Date.now() + timeoutMillis;
    const timedOut = (what: string) => new ExportError("ERR_EXPORT_TIMEOUT", `OTLP export to ${this.url} timed out after ${timeoutMillis} ms (${what})`);
    let backoff = initialBackoffMillis;
    for (let attempt = 0; ; attempt++) {
      const left = deadline - Date.now();
      if (left <= 0) throw timedOut("retries");
      const answer = await this.post(body, left, options, timedOut);
      if (answer.status >= 200 && answer.status < 300) return;
      if (!RETRYABLE_STATUS.has(answer.status) || attempt >= maxRetries) {
        const text = excerpt(answer.body);
        throw new ExportError("ERR_EXPORT_HTTP", `OTLP export to ${this.url} failed: HTTP ${answer.status}${text ? `: ${text}` : ""}`);
      }
      const jitter = backoff * (0.8 + Math.random() * 0.4);
      const wait = Math.min(retryAfter(answer.retryAfter) ?? jitter, deadline - Date.now());
      if (wait < 0) throw timedOut("retries");
      await sleep(wait, options);
      backoff = Math.min(backoff * 2, maxBackoffMillis);
    }
  }

  /**
   * One POST: resolves with the answer once its body has ended or {@link MAX_RESPONSE_BYTES} of
   * it were read (then the connection is destroyed, so the rest is never received); rejects
   * when `ms` pass first (no answer, or a body still arriving), on a network error, or when the
   * signal aborts. Nothing of the body past the first {@link MAX_RESPONSE_BYTES} is kept.
   */
  private post(body: Buffer, ms: number, options: ExportOptions, timedOut: (what: string) => ExportError): Promise<Answer> {
    return new Promise<Answer>((resolve, reject) => {
      const { signal, unref } = options;
      let request: http.ClientRequest;
      let settled = false;
      const settle = (error: Error | null, answer?: Answer, destroy = false) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        if (error || destroy) request.destroy();
        if (error) reject(error);
        else resolve(answer!);
      };
      const onAbort = () => settle(aborted());
      const timer = setTimeout(() => settle(timedOut(stage)), ms);
      if (unref) timer.unref();
      let stage = "no answer";
      try {
        const url = new URL(this.url);
        request = (url.protocol === "https:" ? https : http).request(url, {
          method: "POST",
          headers: { "content-type": "application/json", ...this.headers, "content-length": String(body.length) },
        });
      } catch (error) {
        clearTimeout(timer);
        reject(new ExportError("ERR_EXPORT_NETWORK", `OTLP export to ${this.url} failed: ${(error as Error).message}`, { cause: error }));
        return;
      }
      if (unref) request.on("socket", (socket) => socket.unref());
      request.on("error", (error) => settle(new ExportError("ERR_EXPORT_NETWORK", `OTLP export to ${this.url} failed: ${error.message}`, { cause: error })));
      request.on("response", (response) => {
        stage = `HTTP ${response.statusCode}, the answer's body still arriving`;
        const header = response.headers["retry-after"];
        const chunks: Buffer[] = [];
        let read = 0;
        const answer = () => ({ status: response.statusCode ?? 0, retryAfter: Array.isArray(header) ? header[0] : header, body: Buffer.concat(chunks) });
        response.on("data", (chunk: Buffer) => {
          if (settled) return;
          const room = MAX_RESPONSE_BYTES - read;
          chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
          read += chunk.length;
          if (read >= MAX_RESPONSE_BYTES) settle(null, answer(), true);
        });
        response.on("end", () => settle(null, answer()));
        response.on("error", (error) =>
          settle(new ExportError("ERR_EXPORT_NETWORK", `OTLP export to ${this.url} failed while reading the answer: ${error.message}`, { cause: error })),
        );
        response.on("aborted", () =>
          settle(new ExportError("ERR_EXPORT_NETWORK", `OTLP export to ${this.url}: the connection closed before the answer ended`)),
        );
      });
      if (signal?.aborted) onAbort();
      else signal?.addEventListener("abort", onAbort, { once: true });
      if (!settled) request.end(body);
    });
  }
}
