/**
 * examples/spans-http: a server and a client in two recorded processes, traced with
 * @codetracer/tracing; the client's span context crosses the process boundary as traceparent.
 * Each trace validates, has an Event for its span's start and end on the steps where they
 * happened (the server's start inside the request handler's recorded code), and
 * trace_metadata.json of both lists the same trace id, so a span in a tracing backend leads to
 * the moment in either recording.
 */
import { spawn } from "node:child_process";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { EventLogKind } from "@codetracer/trace-format";
import { expectValidTrace, readMetadata } from "../utils/expect-trace.js";
import { EXAMPLES, REGISTER_URL, childEnv, cleanupTempDirs, describeRun, freshTraceDir, lineOf, runNode } from "../utils/run.js";
import type { TraceQuery } from "../utils/trace.js";

const APP = path.join(EXAMPLES, "spans-http");
const SERVER = path.join(APP, "src/server.ts");

afterAll(() => cleanupTempDirs());

/** The span events of a trace, with their parsed metadata. */
function spanEvents(q: TraceQuery) {
  return q.logEvents
    .filter((e) => e.kind === EventLogKind.TraceLogEvent)
    .map((e) => ({ index: e.index, content: e.content, meta: JSON.parse(e.metadata) as Record<string, any> }));
}

describe("spans across two recorded processes", () => {
  it("link both recordings to one trace id, with span events where they happened", { timeout: 120_000 }, async () => {
    const serverDir = freshTraceDir();
    const clientDir = freshTraceDir();
    const server = spawn(process.execPath, ["--import", REGISTER_URL, "src/server.ts"], {
      cwd: APP,
      env: childEnv({ CODETRACER_TRACE: serverDir }),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let serverOut = "";
    const port = await new Promise<number>((resolve, reject) => {
      server.stdout.setEncoding("utf8").on("data", (s: string) => {
        serverOut += s;
        const m = /listening on (\d+)/.exec(serverOut);
        if (m) resolve(Number(m[1]));
      });
      server.on("exit", (code) => reject(new Error(`server exited early (${code})`)));
    });
    const serverExit = new Promise<number | null>((resolve) => server.on("exit", resolve));
    const client = await runNode(["--import", REGISTER_URL, "src/client.ts", String(port)], { cwd: APP, env: { CODETRACER_TRACE: clientDir } });
    expect(client.code, describeRun(client)).toBe(0);
    expect(client.stdout).toBe("tea costs 700\n");
    expect(await serverExit).toBe(0);

    const s = expectValidTrace(serverDir);
    const c = expectValidTrace(clientDir);
    const [clientStart, clientEnd] = spanEvents(c);
    const [serverStart, serverEnd] = spanEvents(s);
    expect([clientStart?.content, clientEnd?.content]).toEqual(["span start: GET /price", "span end: GET /price"]);
    expect([serverStart?.content, serverEnd?.content]).toEqual(["span start: GET /price", "span end: GET /price"]);
    expect(clientStart!.meta).toMatchObject({ phase: "start", kind: "CLIENT", parent_span_id: null, tracer: "shop-client" });
    // The server continues the client's trace: same trace id, the client's span as parent.
    expect(serverStart!.meta).toMatchObject({
      phase: "start",
      kind: "SERVER",
      trace_id: clientStart!.meta.trace_id,
      parent_span_id: clientStart!.meta.span_id,
    });
    expect(serverEnd!.meta).toMatchObject({ phase: "end", status: "UNSET", attributes: { "shop.item": "tea", "http.status_code": 200 } });
    expect(BigInt(serverEnd!.meta.duration_ns) > 0n).toBe(true);
    expect(readMetadata(serverDir)!.tracing).toEqual({ trace_ids: [clientStart!.meta.trace_id] });
    expect(readMetadata(clientDir)!.tracing).toEqual({ trace_ids: [clientStart!.meta.trace_id] });

    // The server's span starts on the step of the handler's `tracer.span(` line, and its body's
    // steps (priceOf) come between its start and its end.
    const stepBefore = [...s.steps].reverse().find((step) => step.index < serverStart!.index)!;
    expect([stepBefore.path, stepBefore.line]).toEqual([SERVER, lineOf(SERVER, "tracer.span(")]);
    const prices = path.join(APP, "src/prices.ts");
    const priceSteps = s.steps.filter((step) => step.path === prices && step.line === lineOf(prices, "const total = unit * quantity"));
    expect(priceSteps).toHaveLength(1);
    expect(priceSteps[0]!.index > serverStart!.index && priceSteps[0]!.index < serverEnd!.index).toBe(true);
    expect(s.localAt(prices, lineOf(prices, "return total"), "total")).toEqual([700]);
  });
});
