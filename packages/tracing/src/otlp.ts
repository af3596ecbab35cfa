/**
 * The OTLP/HTTP JSON exporter: `POST <endpoint>` (default `http://localhost:4318/v1/traces`)
 * with an `ExportTraceServiceRequest` in OTLP's JSON encoding (`opentelemetry-proto`
 * `trace/v1/trace.proto`, "JSON Protobuf Encoding": hex ids, enums as numbers, 64-bit times as
 * decimal strings), retried with backoff on 429, 502, 503 and 504 (honouring `Retry-After`), as
 * the OTLP specification's "OTLP/HTTP Throttling" and "Retryable Response Codes" say.
 */
import type { SpanExporter } from "./exporters.js";
import type { Attributes, AttributeValue, Span } from "./span.js";
import { formatTracestate } from "./trace-context.js";

/** Options of {@link OtlpHttpExporter}. */
export interface OtlpHttpExporterOptions {
  /**
   * The full URL spans are posted to. Default: `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, else
   * `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/traces`, else `http://localhost:4318/v1/traces`.
   */
  url?: string;
  /** Extra request headers (e.g. authorization). */
  headers?: Record<string, string>;
  /** Resource attributes; `service.name` defaults to `OTEL_SERVICE_NAME`, else `unknown_service:node`. */
  resource?: Attributes;
  /** Time for one export, retries included, in milliseconds. @default 10000 */
  timeoutMillis?: number;
  /** Retries after the first attempt. @default 5 */
  maxRetries?: number;
  /** The first backoff in milliseconds, doubled each retry with ±20% jitter. @default 1000 */
  initialBackoffMillis?: number;
  /** The longest backoff in milliseconds. @default 5000 */
  maxBackoffMillis?: number;
}

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
function retryAfter(value: string | null): number | undefined {
  if (value === null) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/**
 * Sends spans to an OTLP/HTTP collector as JSON. `export` resolves when the collector accepted
 * the batch (2xx) and rejects otherwise: after the retries for 429/502/503/504 (waiting as
 * `Retry-After` says, else an exponential backoff with jitter, never past `timeoutMillis`), at
 * once for any other status or a network error. `shutdown` waits for exports in progress.
 */
export class OtlpHttpExporter implements SpanExporter {
  readonly url: string;
  private readonly resource: Attributes;
  private readonly inFlight = new Set<Promise<void>>();
  private closed = false;

  constructor(private readonly options: OtlpHttpExporterOptions = {}) {
    const env = process.env;
    this.url =
      options.url ??
      env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ??
      `${(env.OTEL_EXPORTER_OTLP_ENDPOINT ?? "http://localhost:4318").replace(/\/+$/, "")}/v1/traces`;
    this.resource = { "service.name": env.OTEL_SERVICE_NAME ?? "unknown_service:node", ...(options.resource ?? {}) };
  }

  export(spans: readonly Span[]): Promise<void> {
    if (this.closed || spans.length === 0) return Promise.resolve();
    const job = this.send(JSON.stringify(toOtlpJson(spans, this.resource)));
    this.inFlight.add(job);
    const done = () => void this.inFlight.delete(job);
    job.then(done, done);
    return job;
  }

  async shutdown(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.inFlight]);
  }

  private async send(body: string): Promise<void> {
    const { timeoutMillis = 10_000, maxRetries = 5, initialBackoffMillis = 1000, maxBackoffMillis = 5000 } = this.options;
    const deadline = Date.now() + timeoutMillis;
    let backoff = initialBackoffMillis;
    for (let attempt = 0; ; attempt++) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`OTLP export to ${this.url} timed out after ${timeoutMillis} ms`);
      const response = await fetch(this.url, {
        method: "POST",
        headers: { "content-type": "application/json", ...(this.options.headers ?? {}) },
        body,
        signal: AbortSignal.timeout(left),
      });
      await response.arrayBuffer().catch(() => undefined);
      if (response.ok) return;
      if (!RETRYABLE_STATUS.has(response.status) || attempt >= maxRetries) {
        throw new Error(`OTLP export to ${this.url} failed: HTTP ${response.status}`);
      }
      const jitter = backoff * (0.8 + Math.random() * 0.4);
      const wait = Math.min(retryAfter(response.headers.get("retry-after")) ?? jitter, deadline - Date.now());
      if (wait < 0) throw new Error(`OTLP export to ${this.url} timed out after ${timeoutMillis} ms`);
      await new Promise((resolve) => setTimeout(resolve, wait));
      backoff = Math.min(backoff * 2, maxBackoffMillis);
    }
  }
}
