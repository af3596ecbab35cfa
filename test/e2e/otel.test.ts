/**
 * examples/otel-express: an express server instrumented by OpenTelemetry (the http and express
 * auto-instrumentations, preloaded with `--import ./src/telemetry.mjs`) and a client, both
 * recorded with the CLI. @codetracer/opentelemetry's span processor writes every OpenTelemetry
 * span's start and end into the recording as @codetracer/tracing's own spans are written, and its
 * context bridge makes spans of the two APIs parents of each other (docs/spans.md,
 * "OpenTelemetry or @codetracer/tracing?"). Checked: both traces valid and loaded by CodeTracer's
 * reader; the same trace id in both traces' metadata; the handler's steps between the server
 * span's start and end; OTel → CodeTracer parenting in the server (the handler's CodeTracer span
 * is the express span's child) and CodeTracer → OTel parenting in the client (the http CLIENT span
 * is the CodeTracer span's child, and its traceparent reaches the server).
 */
import { spawn } from "node:child_process";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { EventLogKind } from "@codetracer/trace-format";
import { expectReaderLoads, expectValidTrace, readMetadata } from "../utils/expect-trace.js";
import { CLI_MAIN, EXAMPLES, childEnv, cleanupTempDirs, describeRun, freshTraceDir, lineOf, runNode } from "../utils/run.js";
import type { TraceQuery } from "../utils/trace.js";

const APP = path.join(EXAMPLES, "otel-express");
const SERVER = path.join(APP, "src/server.ts");
const PRICES = path.join(APP, "src/prices.ts");
const CLIENT = path.join(APP, "src/client.ts");
/** OpenTelemetry's set-up, preloaded in the recorded program (the CLI passes NODE_OPTIONS on). */
const TELEMETRY = { NODE_OPTIONS: "--import ./src/telemetry.mjs" };

afterAll(() => cleanupTempDirs());

interface SpanEvent {
  index: number;
  content: string;
  meta: Record<string, any>;
}

/** The span events of a trace, with their parsed metadata. */
function spanEvents(q: TraceQuery): SpanEvent[] {
  return q.logEvents
    .filter((e) => e.kind === EventLogKind.TraceLogEvent)
    .map((e) => ({ index: e.index, content: e.content, meta: JSON.parse(e.metadata) as Record<string, any> }));
}

/** The start and end events of the span started as `startName` by `tracer`. */
function span(events: SpanEvent[], tracer: string, startName: string): { start: SpanEvent; end: SpanEvent } {
  const start = events.find((e) => e.meta.phase === "start" && e.meta.tracer === tracer && e.meta.name === startName);
  expect(start, `${tracer} span ${startName} in ${events.map((e) => e.content).join(", ")}`).toBeDefined();
  const end = events.find((e) => e.meta.phase === "end" && e.meta.span_id === start!.meta.span_id);
  expect(end, `end of ${startName}`).toBeDefined();
  return { start: start!, end: end! };
}

describe("OpenTelemetry spans across two recorded processes", () => {
  it("land in both recordings, share one trace id, and parent CodeTracer spans both ways", { timeout: 120_000 }, async () => {
    const serverDir = freshTraceDir();
    const clientDir = freshTraceDir();
    const server = spawn(process.execPath, [CLI_MAIN, "--trace-dir", serverDir, "src/server.ts"], {
      cwd: APP,
      env: childEnv(TELEMETRY),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let serverOut = "";
    let serverErr = "";
    server.stderr.setEncoding("utf8").on("data", (s: string) => (serverErr += s));
    const port = await new Promise<number>((resolve, reject) => {
      server.stdout.setEncoding("utf8").on("data", (s: string) => {
        serverOut += s;
        const m = /listening on (\d+)/.exec(serverOut);
        if (m) resolve(Number(m[1]));
      });
      server.on("exit", (code) => reject(new Error(`server exited early (${code}): ${serverErr}`)));
    });
    const serverExit = new Promise<number | null>((resolve) => server.on("exit", resolve));
    const client = await runNode([CLI_MAIN, "--trace-dir", clientDir, "src/client.ts", String(port)], { cwd: APP, env: TELEMETRY });
    expect(client.code, describeRun(client)).toBe(0);
    expect(client.stdout).toBe("tea costs 700\n");
    expect(await serverExit, serverErr).toBe(0);

    const s = expectValidTrace(serverDir);
    const c = expectValidTrace(clientDir);
    expectReaderLoads(serverDir);
    expectReaderLoads(clientDir);

    // The client: the CodeTracer span "buy tea", and in it OpenTelemetry's http CLIENT span,
    // its child (CodeTracer → OpenTelemetry).
    const ce = spanEvents(c);
    const buy = span(ce, "shop-client", "buy tea");
    const get = span(ce, "@opentelemetry/instrumentation-http", "GET");
    expect(buy.start.meta).toMatchObject({ kind: "INTERNAL", parent_span_id: null });
    const traceId = buy.start.meta.trace_id as string;
    expect(get.start.meta).toMatchObject({ kind: "CLIENT", trace_id: traceId, parent_span_id: buy.start.meta.span_id });
    expect(get.end.meta).toMatchObject({ status: "UNSET", attributes: { "http.response.status_code": 200 } });
    expect(buy.start.index < get.start.index && get.end.index < buy.end.index).toBe(true);
    // The http span starts during the client's own call of http.get.
    const stepBeforeGet = [...c.steps].reverse().find((step) => step.index < get.start.index)!;
    expect(stepBeforeGet.path).toBe(CLIENT);

    // The server: OpenTelemetry's http SERVER span continues the client's span (traceparent),
    // express's request handler span is its child, and the handler's CodeTracer span is the
    // express span's child (OpenTelemetry → CodeTracer).
    const se = spanEvents(s);
    const serverSpan = span(se, "@opentelemetry/instrumentation-http", "GET");
    const handlerSpan = span(se, "@opentelemetry/instrumentation-express", "request handler");
    const priceSpan = span(se, "shop-server", "priceOf");
    expect(serverSpan.start.meta).toMatchObject({ kind: "SERVER", trace_id: traceId, parent_span_id: get.start.meta.span_id });
    expect(serverSpan.end.meta).toMatchObject({
      name: "GET /price/:item/:quantity",
      status: "UNSET",
      attributes: { "http.response.status_code": 200, "url.path": "/price/tea/2" },
    });
    expect(BigInt(serverSpan.end.meta.duration_ns) > 0n).toBe(true);
    expect(handlerSpan.start.meta).toMatchObject({ trace_id: traceId, parent_span_id: serverSpan.start.meta.span_id });
    expect(priceSpan.start.meta).toMatchObject({ kind: "INTERNAL", trace_id: traceId, parent_span_id: handlerSpan.start.meta.span_id });
    expect(priceSpan.end.meta).toMatchObject({ status: "UNSET", attributes: { "shop.item": "tea" } });

    // The handler's steps lie between the server span's start and end: its first line, the
    // CodeTracer span's line, and priceOf's body.
    const within = (index: number) => index > serverSpan.start.index && index < serverSpan.end.index;
    const handlerLine = lineOf(SERVER, "const { item, quantity } = req.params");
    const handlerSteps = s.steps.filter((step) => step.path === SERVER && step.line === handlerLine);
    expect(handlerSteps).toHaveLength(1);
    expect(within(handlerSteps[0]!.index)).toBe(true);
    const priceSteps = s.steps.filter((step) => step.path === PRICES && step.line === lineOf(PRICES, "const total = unit * quantity"));
    expect(priceSteps).toHaveLength(1);
    expect(within(priceSteps[0]!.index)).toBe(true);
    expect(priceSpan.start.index < priceSteps[0]!.index && priceSteps[0]!.index < priceSpan.end.index).toBe(true);
    expect(s.localAt(PRICES, lineOf(PRICES, "return total"), "total")).toEqual([700]);
    // The CodeTracer span starts on the step of its `tracer.span(` line.
    const stepBeforePrice = [...s.steps].reverse().find((step) => step.index < priceSpan.start.index)!;
    expect([stepBeforePrice.path, stepBeforePrice.line]).toEqual([SERVER, lineOf(SERVER, "tracer.span(")]);

    // One trace id in both recordings' metadata.
    expect(readMetadata(serverDir)!.tracing).toEqual({ trace_ids: [traceId] });
    expect(readMetadata(clientDir)!.tracing).toEqual({ trace_ids: [traceId] });
    // The OpenTelemetry SDK and @codetracer/opentelemetry are not recorded: only the program's own
    // files (its telemetry set-up included, when the recorder's loader comes first).
    for (const q of [s, c]) for (const file of new Set(q.steps.map((step) => step.path))) expect(file.startsWith(`${APP}/src/`), file).toBe(true);
  });
});
