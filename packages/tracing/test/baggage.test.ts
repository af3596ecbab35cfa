/**
 * W3C baggage: the cases of W3C Baggage's test suite and of
 * OpenTelemetry JS's `W3CBaggagePropagator` tests, with the current limits (64 members, 8192 bytes).
 */
import { describe, expect, it } from "vitest";
import { BAGGAGE_MAX_BYTES, formatBaggage, parseBaggage } from "../src/baggage.js";

const values = (header: unknown) => Object.fromEntries([...parseBaggage(header)].map(([k, e]) => [k, e.value]));

describe("parseBaggage", () => {
  it("reads members, with spaces and tabs around keys, values and =", () => {
    expect(values("k=v")).toEqual({ k: "v" });
    expect(values("a=1,b=2,c=3")).toEqual({ a: "1", b: "2", c: "3" });
    expect(values(" \t a \t = \t 1 \t , b=2")).toEqual({ a: "1", b: "2" });
  });

  it("keeps = inside a value and percent-decodes it (invalid UTF-8 becomes U+FFFD)", () => {
    expect(values("k=a=b")).toEqual({ k: "a=b" });
    expect(values("k=%E2%82%AC%20%25")).toEqual({ k: "€ %" });
    expect(values("k=%FF")).toEqual({ k: "\uFFFD" });
  });

  it("keeps properties as written (not percent-decoded), trimmed", () => {
    const parsed = parseBaggage("k=v;p, q=w ; ttl = 60 ;flag;ttl=60");
    expect(parsed.get("k")).toEqual({ value: "v", metadata: "p" });
    expect(parsed.get("q")).toEqual({ value: "w", metadata: "ttl = 60;flag;ttl=60" });
  });

  it("combines several header fields in order", () => {
    expect(values(["a=1", "b=2,c=3"])).toEqual({ a: "1", b: "2", c: "3" });
  });

  it("skips malformed members and keeps their neighbours", () => {
    expect(values('a=1,no-equals,b=2,=empty,c d=3,e=has space,f="q",g=3')).toEqual({ a: "1", b: "2", g: "3" });
  });

  it("gives nothing for a missing header, a non-string, an empty array", () => {
    for (const header of [undefined, 42, [], null, {}]) expect(parseBaggage(header).size).toBe(0);
  });

  it("keeps every member within 8192 bytes, however many, and drops whole members past them", () => {
    const many = Array.from({ length: 512 }, (_, i) => `k${String(i).padStart(3, "0")}=vvvvvvvvvv`).join(",");
    expect(Buffer.byteLength(many)).toBeLessThanOrEqual(BAGGAGE_MAX_BYTES);
    expect(parseBaggage(many).size).toBe(512);
    const big = `big=${"x".repeat(BAGGAGE_MAX_BYTES - 4)}`;
    expect(Buffer.byteLength(big)).toBe(BAGGAGE_MAX_BYTES);
    expect(values(big).big).toHaveLength(BAGGAGE_MAX_BYTES - 4);
    expect(values(`${big},next=1`)).toEqual({ big: "x".repeat(BAGGAGE_MAX_BYTES - 4) });
  });
});

describe("formatBaggage", () => {
  it("percent-encodes everything outside baggage-octet, and % always; reads back", () => {
    const text = formatBaggage({ k: 'a b,c;d\\e"f%g€=h' })!;
    expect(text).toBe("k=a%20b%2Cc%3Bd%5Ce%22f%25g%E2%82%AC=h");
    expect(values(text)).toEqual({ k: 'a b,c;d\\e"f%g€=h' });
  });

  it("writes properties after the value", () => {
    expect(formatBaggage(new Map([["k", { value: "v", metadata: "ttl=60" }]]))).toBe("k=v;ttl=60");
  });

  it("emits all of 64 members, one member of exactly 8192 bytes, and 512 short members of 8192 bytes in all", () => {
    const sixtyFour = Object.fromEntries(Array.from({ length: 64 }, (_, i) => [`k${i}`, "v"]));
    expect(formatBaggage(sixtyFour)!.split(",")).toHaveLength(64);
    const one = formatBaggage({ big: "x".repeat(BAGGAGE_MAX_BYTES - 4) })!;
    expect(Buffer.byteLength(one)).toBe(BAGGAGE_MAX_BYTES);
    // 512 members of 15 bytes plus 511 commas: 8191 bytes, all sent.
    const many = formatBaggage(Object.fromEntries(Array.from({ length: 512 }, (_, i) => [`k${String(i).padStart(3, "0")}`, "vvvvvvvvvv"])))!;
    expect(Buffer.byteLength(many)).toBe(8191);
    expect(many.split(",")).toHaveLength(512);
  });

  it("never writes a partial member past 8192 bytes, and nothing for no members", () => {
    const text = formatBaggage({ a: "x".repeat(5000), b: "y".repeat(5000), c: "z" })!;
    expect(text).toBe(`a=${"x".repeat(5000)},c=z`);
    expect(formatBaggage({})).toBeUndefined();
  });
});
