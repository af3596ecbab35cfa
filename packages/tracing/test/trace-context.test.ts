/**
 * W3C traceparent and tracestate: the cases of the W3C Trace Context
 * test suite, `test/test.py`, at both strictness levels, and of OpenTelemetry JS's tests.
 */
import { describe, expect, it } from "vitest";
import { formatTraceparent, formatTracestate, parseTraceparent, parseTracestate } from "../src/trace-context.js";

const TRACE = "0af7651916cd43dd8448eb211c80319c";
const PARENT = "b7ad6b7169203331";
const VALID = `00-${TRACE}-${PARENT}-01`;

describe("traceparent: continue the trace", () => {
  it.each([
    ["a valid header", VALID],
    ["spaces and tabs around it", ` \t ${VALID} \t`],
    ["a future version with four fields", `cc-${TRACE}-${PARENT}-01`],
    ["a future version with more after the flags", `cc-${TRACE}-${PARENT}-01-what-the-future-will-be-like`],
    ["a one-element array", [VALID]],
  ])("%s", (_, header) => {
    expect(parseTraceparent(header)).toEqual({ traceId: TRACE, parentId: PARENT, sampled: true, random: false });
  });

  it("reads the flags bit by bit: sampled is bit 0, random (Level 2) bit 1, others ignored", () => {
    expect(parseTraceparent(`00-${TRACE}-${PARENT}-00`)).toMatchObject({ sampled: false, random: false });
    expect(parseTraceparent(`00-${TRACE}-${PARENT}-02`)).toMatchObject({ sampled: false, random: true });
    expect(parseTraceparent(`00-${TRACE}-${PARENT}-ff`)).toMatchObject({ sampled: true, random: true });
  });
});

describe("traceparent: restart (null)", () => {
  const zeros = (n: number) => "0".repeat(n);
  it.each([
    ["no header", undefined],
    ["two header fields", [VALID, VALID]],
    ["two fields joined by Node", `${VALID}, ${VALID}`],
    ["version ff", `ff-${TRACE}-${PARENT}-01`],
    ["version .0", `.0-${TRACE}-${PARENT}-01`],
    ["version 0.", `0.-${TRACE}-${PARENT}-01`],
    ["version of 1 char", `0-${TRACE}-${PARENT}-01`],
    ["version of 3 chars", `000-${TRACE}-${PARENT}-01`],
    ["version of 4 chars", `0000-${TRACE}-${PARENT}-01`],
    ["version 00 with more after the flags", `${VALID}-what-the-future-will-be-like`],
    ["version 00 followed by .", `${VALID}.`],
    ["a future version with . after the flags", `cc-${TRACE}-${PARENT}-01.what-the-future-will-be-like`],
    ["an all-zero trace id", `00-${zeros(32)}-${PARENT}-01`],
    ["a trace id with . at the start", `00-.${TRACE.slice(1)}-${PARENT}-01`],
    ["a trace id with . at the end", `00-${TRACE.slice(0, 31)}.-${PARENT}-01`],
    ["a trace id of 31 chars", `00-${TRACE.slice(1)}-${PARENT}-01`],
    ["a trace id of 33 chars", `00-${TRACE}0-${PARENT}-01`],
    ["an all-zero parent id", `00-${TRACE}-${zeros(16)}-01`],
    ["a parent id with . at the start", `00-${TRACE}-.${PARENT.slice(1)}-01`],
    ["a parent id with . at the end", `00-${TRACE}-${PARENT.slice(0, 15)}.-01`],
    ["a parent id of 15 chars", `00-${TRACE}-${PARENT.slice(1)}-01`],
    ["a parent id of 17 chars", `00-${TRACE}-${PARENT}0-01`],
    ["non-hex flags", `00-${TRACE}-${PARENT}-.0`],
    ["flags of 1 char", `00-${TRACE}-${PARENT}-1`],
    ["flags of 3 chars", `00-${TRACE}-${PARENT}-010`],
    ["uppercase hex", `00-${TRACE.toUpperCase()}-${PARENT}-01`],
    ["empty ids", `00--${PARENT}-01`],
    ["too few parts", `00-${TRACE}-01`],
    ["an empty string", ""],
  ])("%s", (_, header) => {
    expect(parseTraceparent(header)).toBeNull();
  });
});

describe("formatTraceparent", () => {
  it("writes version 00, two lowercase hex flag digits, only bits 0 and 1, and reads back", () => {
    for (const [sampled, random, flags] of [
      [false, false, "00"],
      [true, false, "01"],
      [false, true, "02"],
      [true, true, "03"],
    ] as const) {
      const text = formatTraceparent({ traceId: TRACE, parentId: PARENT, sampled, random });
      expect(text).toBe(`00-${TRACE}-${PARENT}-${flags}`);
      expect(parseTraceparent(text)).toEqual({ traceId: TRACE, parentId: PARENT, sampled, random });
    }
  });

  it("refuses invalid ids", () => {
    expect(() => formatTraceparent({ traceId: "0".repeat(32), parentId: PARENT, sampled: true, random: false })).toThrow(TypeError);
    expect(() => formatTraceparent({ traceId: TRACE, parentId: PARENT.toUpperCase(), sampled: true, random: false })).toThrow(TypeError);
  });
});

describe("tracestate", () => {
  it("inherits members in order, several fields merged in order, spaces and tabs around members", () => {
    expect(parseTracestate("foo=1,bar=2")).toEqual([
      ["foo", "1"],
      ["bar", "2"],
    ]);
    expect(parseTracestate(["foo=1", "bar=2"])).toEqual([
      ["foo", "1"],
      ["bar", "2"],
    ]);
    expect(parseTracestate(" \t foo=1 \t , \t bar=2 \t ")).toEqual([
      ["foo", "1"],
      ["bar", "2"],
    ]);
  });

  it("accepts an empty header (nothing to emit), and empty members", () => {
    expect(parseTracestate("")).toEqual([]);
    expect(parseTracestate(["", "foo=1"])).toEqual([["foo", "1"]]);
    expect(parseTracestate("foo=1,,bar=2")).toEqual([
      ["foo", "1"],
      ["bar", "2"],
    ]);
    expect(formatTracestate([])).toBeUndefined();
  });

  it("keeps one of duplicate keys and never fails on them", () => {
    expect(parseTracestate("foo=1,foo=1")).toEqual([["foo", "1"]]);
    expect(parseTracestate(["foo=1", "foo=2"])).toEqual([["foo", "1"]]);
  });

  it("accepts every legal character of keys and values", () => {
    const value = Array.from({ length: 0x7e - 0x20 + 1 }, (_, i) => String.fromCharCode(0x20 + i))
      .filter((c) => c !== "," && c !== "=")
      .join("")
      .trimEnd();
    expect(parseTracestate(`abcdefghijklmnopqrstuvwxyz0123456789_-*/=1,foo@bar=2,k=${value}`)).toEqual([
      ["abcdefghijklmnopqrstuvwxyz0123456789_-*/", "1"],
      ["foo@bar", "2"],
      ["k", value],
    ]);
  });

  it.each([
    ["32 members", Array.from({ length: 32 }, (_, i) => `k${i}=${i}`).join(",")],
    ["a 256-char key", `${"k".repeat(256)}=1`],
    ["keys with @ anywhere after the first character", "foo@=1,foo@@bar=2,foo@bar@baz=3"],
    ["the old tenant@vendor limits and beyond", `${"t".repeat(241)}@${"v".repeat(14)}=1,${"t".repeat(242)}@v=2,t@${"v".repeat(15)}=3`],
  ])("keeps %s", (_, header) => {
    expect(parseTracestate(header)).not.toBeNull();
    expect(parseTracestate(header)!.length).toBe(header.split(",").length);
  });

  it.each([
    ["a key with a trailing space", "foo =1,bar=2"],
    ["an uppercase key", "FOO=1,bar=2"],
    ["a key with a dot", "foo.bar=1,bar=2"],
    ["a value with =", "foo=bar=baz,bar=2"],
    ["a key starting with @", "@foo=1,bar=2"],
    ["33 members", Array.from({ length: 33 }, (_, i) => `k${i}=${i}`).join(",")],
    ["a 257-char key", `foo=1,${"k".repeat(257)}=1`],
    ["an empty value", "foo=,bar=3"],
    ["a member without =", "foo,bar=3"],
  ])("discards the whole header with %s", (_, header) => {
    expect(parseTracestate(header)).toBeNull();
  });

  it("writes members as given and drops whole members past 512 characters: long ones (> 128) first, then from the right", () => {
    expect(
      formatTracestate([
        ["a", "1"],
        ["b", "2"],
      ]),
    ).toBe("a=1,b=2");
    const long = ["long", "x".repeat(200)] as const;
    const short = Array.from({ length: 40 }, (_, i) => [`key${i}`, "v".repeat(8)] as const);
    const text = formatTracestate([short[0]!, long, ...short.slice(1)])!;
    expect(text.length).toBeLessThanOrEqual(512);
    expect(text).not.toContain("long=");
    expect(text.startsWith("key0=vvvvvvvv,key1=")).toBe(true);
    expect(text.split(",").every((m) => /^key\d+=v{8}$/.test(m))).toBe(true);
  });
});
