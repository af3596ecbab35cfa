/**
 * SpanContext: ids, child contexts, the dict form, and headers, also across a real HTTP request
 * (node:http on 127.0.0.1): the trace continues with a new span id, the random flag and the
 * trace state travel unchanged, and a context that cannot be read starts a new trace.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SpanContext, SpanKind, SpanStatus, newSpanId, newTraceId } from "../src/span-context.js";

const TRACE = "0af7651916cd43dd8448eb211c80319c";
const PARENT = "b7ad6b7169203331";

describe("ids and kinds", () => {
  it("makes random lowercase hex ids of 32 and 16 digits", () => {
    const traces = new Set(Array.from({ length: 100 }, newTraceId));
    expect(traces.size).toBe(100);
    for (const id of traces) expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(newSpanId()).toMatch(/^[0-9a-f]{16}$/);
  });

  it("numbers kinds and statuses as OTLP does", () => {
    expect([SpanKind.INTERNAL, SpanKind.SERVER, SpanKind.CLIENT, SpanKind.PRODUCER, SpanKind.CONSUMER]).toEqual([1, 2, 3, 4, 5]);
    expect([SpanStatus.UNSET, SpanStatus.OK, SpanStatus.ERROR]).toEqual([0, 1, 2]);
  });

  it("refuses invalid ids", () => {
    expect(() => new SpanContext({ traceId: "0".repeat(32), spanId: PARENT })).toThrow(/invalid trace id/);
    expect(() => new SpanContext({ traceId: TRACE, spanId: "XYZ" })).toThrow(/invalid span id/);
    expect(() => new SpanContext({ traceId: TRACE, spanId: PARENT, parentSpanId: "0".repeat(16) })).toThrow(/invalid parent span id/);
  });
});

describe("SpanContext", () => {
  it("a child keeps the trace, baggage and state and gets its own span id; fan-out gives distinct ids", () => {
    const root = SpanContext.root({ baggage: { user: "ada" } });
    expect(root.parentSpanId).toBeNull();
    const children = [root.child(), root.child(), root.child()];
    expect(new Set(children.map((c) => c.traceId))).toEqual(new Set([root.traceId]));
    expect(new Set(children.map((c) => c.spanId)).size).toBe(3);
    for (const c of children) {
      expect(c.parentSpanId).toBe(root.spanId);
      expect(c.baggage).toEqual({ user: "ada" });
    }
  });

  it("round-trips through toDict and fromDict", () => {
    const ctx = new SpanContext({
      traceId: TRACE,
      spanId: PARENT,
      parentSpanId: "00f067aa0ba902b7",
      sampled: false,
      baggage: { a: "1" },
      traceState: [["foo", "1"]],
      random: true,
    });
    const dict = ctx.toDict();
    expect(dict).toEqual({
      trace_id: TRACE,
      span_id: PARENT,
      parent_span_id: "00f067aa0ba902b7",
      sampled: false,
      baggage: { a: "1" },
      trace_state: "foo=1",
      random: true,
    });
    expect(SpanContext.fromDict(dict)).toEqual(ctx);
    expect(() => SpanContext.fromDict({ ...dict, trace_id: "nope" })).toThrow(TypeError);
  });

  it("writes headers and reads them back (names in any case, several tracestate fields, fetch Headers)", () => {
    const ctx = new SpanContext({ traceId: TRACE, spanId: PARENT, sampled: true, baggage: { k: "a b" }, traceState: [["foo", "1"]] });
    const headers = ctx.toHeaders();
    expect(headers).toEqual({ traceparent: `00-${TRACE}-${PARENT}-01`, tracestate: "foo=1", baggage: "k=a%20b" });
    const remote = SpanContext.fromHeaders({ TraceParent: headers.traceparent, TRACESTATE: [headers.tracestate!, "bar=2"], baggage: headers.baggage })!;
    expect(remote).toMatchObject({ traceId: TRACE, spanId: PARENT, sampled: true, baggage: { k: "a b" } });
    expect(remote.traceState).toEqual([
      ["foo", "1"],
      ["bar", "2"],
    ]);
    expect(SpanContext.fromHeaders(new Headers(headers))).toEqual(SpanContext.fromHeaders(headers));
  });

  it("carries the Level 2 random flag unchanged, with sampled as decided", () => {
    const remote = SpanContext.fromHeaders({ traceparent: `00-${TRACE}-${PARENT}-02` })!;
    expect(remote).toMatchObject({ sampled: false, random: true });
    expect(remote.child().toHeaders().traceparent).toMatch(new RegExp(`^00-${TRACE}-[0-9a-f]{16}-02$`));
  });

  it("ignores tracestate without a valid traceparent, and keeps baggage in a new trace", () => {
    expect(SpanContext.fromHeaders({ tracestate: "foo=1" })).toBeNull();
    expect(SpanContext.fromHeaders({ traceparent: `00-${TRACE}-${PARENT}-01-extra`, tracestate: "foo=1" })).toBeNull();
    const fresh = SpanContext.fromHeaders({ traceparent: "garbage", tracestate: "foo=1", baggage: "k=v" })!;
    expect(fresh.traceId).not.toBe(TRACE);
    expect(fresh.traceState).toEqual([]);
    expect(fresh.baggage).toEqual({ k: "v" });
  });
});

describe("across a real HTTP request", () => {
  let server: http.Server;
  let url: string;
  const seen: Array<SpanContext | null> = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      seen.push(SpanContext.fromHeaders(req.headers));
      res.end("ok");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** Sends a GET with `headers` (an array value sends the header once per element). */
  function get(headers: http.OutgoingHttpHeaders): Promise<void> {
    return new Promise((resolve, reject) => {
      const req = http.request(url, { method: "GET", headers }, (res) => {
        res.resume();
        res.on("end", () => resolve());
      });
      req.on("error", reject);
      req.end();
    });
  }

  it("continues the trace on the server; a duplicated traceparent starts a new one", async () => {
    const before = seen.length;
    const client = SpanContext.root({ baggage: { tenant: "acme" } }).child();
    await get(client.toHeaders());
    const received = seen.at(-1)!;
    expect(received).toMatchObject({ traceId: client.traceId, spanId: client.spanId, sampled: true, random: true, baggage: { tenant: "acme" } });
    const serverSpan = received.child();
    expect(serverSpan.parentSpanId).toBe(client.spanId);

    const traceparent = client.toHeaders().traceparent!;
    await get({ traceparent: [traceparent, traceparent], tracestate: "foo=1" });
    expect(seen.length).toBe(before + 2);
    expect(seen.at(-1)).toBeNull();
  });
});
