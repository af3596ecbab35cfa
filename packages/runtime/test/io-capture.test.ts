/**
 * IO capture (`installIoCapture`, `uncaptured`): writes to `process.stdout` / `process.stderr`
 * are reported as UTF-8 text and still reach the stream unchanged. The streams' real `write`
 * methods are replaced by recording fakes first, so the fakes are "the original write" the
 * capture wraps and nothing reaches the terminal.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { installIoCapture, uncaptured, type CapturedStream } from "../src/node/io-capture.js";
import { log } from "../src/node/log.js";
import { resetPolicy } from "../src/node/policy.js";

type WriteFn = (...args: unknown[]) => boolean;

interface FakeWrite {
  fn: WriteFn;
  calls: Array<{ self: unknown; args: unknown[] }>;
  /** What the fake returns. */
  result: boolean;
}

function fakeWrite(): FakeWrite {
  const fake: FakeWrite = {
    calls: [],
    result: true,
    fn: function (this: unknown, ...args: unknown[]): boolean {
      fake.calls.push({ self: this, args });
      return fake.result;
    },
  };
  return fake;
}

const realWrites = { stdout: process.stdout.write, stderr: process.stderr.write };
let out: FakeWrite;
let err: FakeWrite;
let captured: Array<[CapturedStream, string]>;
const uninstalls: Array<() => void> = [];

function install(onWrite: (stream: CapturedStream, text: string) => void = (s, t) => captured.push([s, t])): () => void {
  const uninstall = installIoCapture(onWrite);
  uninstalls.push(uninstall);
  return uninstall;
}

beforeEach(() => {
  out = fakeWrite();
  err = fakeWrite();
  captured = [];
  process.stdout.write = out.fn as typeof process.stdout.write;
  process.stderr.write = err.fn as typeof process.stderr.write;
});

afterEach(() => {
  for (const uninstall of uninstalls.splice(0)) uninstall();
  process.stdout.write = realWrites.stdout;
  process.stderr.write = realWrites.stderr;
  resetPolicy();
});

describe("installIoCapture", () => {
  it("reports string writes to stdout and stderr and passes them on unchanged", () => {
    install();
    expect(process.stdout.write).not.toBe(out.fn);
    const r1 = process.stdout.write("hello\n");
    const r2 = process.stderr.write("oops\n");
    expect(captured).toEqual([
      ["stdout", "hello\n"],
      ["stderr", "oops\n"],
    ]);
    expect(out.calls.map((c) => c.args)).toEqual([["hello\n"]]);
    expect(err.calls.map((c) => c.args)).toEqual([["oops\n"]]);
    // Called on the stream, as the original would be.
    expect(out.calls[0]!.self).toBe(process.stdout);
    expect(err.calls[0]!.self).toBe(process.stderr);
    expect([r1, r2]).toEqual([true, true]);
  });

  it("returns what the original write returns (backpressure)", () => {
    install();
    out.result = false;
    expect(process.stdout.write("x")).toBe(false);
    out.result = true;
    expect(process.stdout.write("y")).toBe(true);
  });

  it("reports Buffers and Uint8Arrays decoded as UTF-8, passing the same object on", () => {
    install();
    const buf = Buffer.from("büffer ✓\n", "utf8");
    const bytes = new Uint8Array([0x68, 0x69, 0x0a]);
    // A view into a larger buffer: only its own bytes count.
    const backing = Buffer.from("xxSLICEyy");
    const slice = new Uint8Array(backing.buffer, backing.byteOffset + 2, 5);
    process.stdout.write(buf);
    process.stdout.write(bytes);
    process.stderr.write(slice);
    expect(captured).toEqual([
      ["stdout", "büffer ✓\n"],
      ["stdout", "hi\n"],
      ["stderr", "SLICE"],
    ]);
    expect(out.calls[0]!.args[0]).toBe(buf);
    expect(out.calls[1]!.args[0]).toBe(bytes);
    expect(err.calls[0]!.args[0]).toBe(slice);
  });

  it.each([
    ["hex", "68656c6c6f", "hello"],
    ["base64", Buffer.from("base 64 ✓").toString("base64"), "base 64 ✓"],
    ["base64url", Buffer.from("url?safe").toString("base64url"), "url?safe"],
    ["utf8", "plain ✓", "plain ✓"],
    ["utf-8", "plain ✓", "plain ✓"],
    ["latin1", "abc", "abc"],
    ["ascii", "abc", "abc"],
  ])("decodes a string written with encoding %s to the text that reaches the stream", (encoding, chunk, text) => {
    install();
    process.stdout.write(chunk, encoding as BufferEncoding);
    expect(captured).toEqual([["stdout", text]]);
    expect(out.calls.map((c) => c.args)).toEqual([[chunk, encoding]]);
  });

  it("passes the callback (with or without an encoding) to the original write", () => {
    install();
    const cb1 = () => {};
    const cb2 = () => {};
    process.stdout.write("a", cb1);
    process.stdout.write("b", "utf8", cb2);
    process.stderr.write(Buffer.from("c"), cb1);
    expect(out.calls.map((c) => c.args)).toEqual([
      ["a", cb1],
      ["b", "utf8", cb2],
    ]);
    expect(out.calls[0]!.args[1]).toBe(cb1);
    expect(out.calls[1]!.args[2]).toBe(cb2);
    expect(err.calls[0]!.args[1]).toBe(cb1);
    expect(captured).toEqual([
      ["stdout", "a"],
      ["stdout", "b"],
      ["stderr", "c"],
    ]);
  });

  it("does not report empty writes or chunks that are not text or bytes, but passes them on", () => {
    install();
    const obj = { not: "text" };
    process.stdout.write("");
    process.stdout.write(Buffer.alloc(0));
    (process.stdout.write as unknown as WriteFn)(obj);
    expect(captured).toEqual([]);
    expect(out.calls.map((c) => c.args[0])).toEqual(["", Buffer.alloc(0), obj]);
  });

  it("keeps the name and length of write", () => {
    install();
    expect(process.stdout.write.name).toBe("write");
    expect(process.stdout.write.length).toBe(out.fn.length);
  });

  it("a throwing onWrite never breaks the write", () => {
    install(() => {
      throw new Error("recorder failed");
    });
    out.result = false;
    let result: boolean | undefined;
    expect(() => {
      result = process.stdout.write("still written");
    }).not.toThrow();
    expect(result).toBe(false);
    expect(out.calls.map((c) => c.args)).toEqual([["still written"]]);
    // And the next write is reported again.
    expect(() => process.stderr.write("next")).not.toThrow();
    expect(err.calls.length).toBe(1);
  });

  it("a write made by onWrite itself is passed on but not reported again", () => {
    install((stream, text) => {
      captured.push([stream, text]);
      process.stderr.write(`[echo] ${text}`);
    });
    process.stdout.write("once");
    expect(captured).toEqual([["stdout", "once"]]);
    expect(err.calls.map((c) => c.args)).toEqual([["[echo] once"]]);
    expect(out.calls.map((c) => c.args)).toEqual([["once"]]);
  });

  it("uninstall restores the original write; later writes are not reported", () => {
    const uninstall = install();
    process.stdout.write("in");
    uninstall();
    expect(process.stdout.write).toBe(out.fn);
    expect(process.stderr.write).toBe(err.fn);
    process.stdout.write("out");
    expect(captured).toEqual([["stdout", "in"]]);
    expect(out.calls.map((c) => c.args)).toEqual([["in"], ["out"]]);
    uninstall(); // twice: harmless
    expect(process.stdout.write).toBe(out.fn);
  });

  it("uninstall leaves a write the program installed later in place; the wrapper below it only passes writes on", () => {
    const uninstall = install();
    const wrapped = process.stdout.write;
    const programSeen: unknown[] = [];
    const programWrite = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]): boolean {
      programSeen.push(chunk);
      return (wrapped as unknown as WriteFn).call(this, chunk, ...rest);
    };
    process.stdout.write = programWrite as typeof process.stdout.write;
    process.stdout.write("both");
    uninstall();
    expect(process.stdout.write).toBe(programWrite);
    // stderr was not replaced: restored.
    expect(process.stderr.write).toBe(err.fn);
    process.stdout.write("after");
    expect(programSeen).toEqual(["both", "after"]);
    expect(captured).toEqual([["stdout", "both"]]);
    expect(out.calls.map((c) => c.args)).toEqual([["both"], ["after"]]);
  });

  it("two captures nest: each reports, and uninstalling in reverse order restores the original", () => {
    const second: Array<[CapturedStream, string]> = [];
    const u1 = install();
    const u2 = install((s, t) => second.push([s, t]));
    process.stdout.write("x");
    // The second wraps the first: both report the write, which reaches the original once.
    expect(captured).toEqual([["stdout", "x"]]);
    expect(second).toEqual([["stdout", "x"]]);
    u2();
    u1();
    expect(process.stdout.write).toBe(out.fn);
    expect(out.calls.length).toBe(1);
  });
});

describe("uncaptured", () => {
  it("mutes the capture while fn runs and returns fn's value", () => {
    install();
    const value = uncaptured(() => {
      process.stdout.write("recorder's own\n");
      process.stderr.write("also own\n");
      return 7;
    });
    expect(value).toBe(7);
    process.stdout.write("program's\n");
    expect(captured).toEqual([["stdout", "program's\n"]]);
    // Muted writes still reach the streams.
    expect(out.calls.map((c) => c.args[0])).toEqual(["recorder's own\n", "program's\n"]);
    expect(err.calls.map((c) => c.args[0])).toEqual(["also own\n"]);
  });

  it("nests, and unmutes after fn throws", () => {
    install();
    uncaptured(() => {
      uncaptured(() => process.stdout.write("inner"));
      process.stdout.write("outer");
    });
    expect(() =>
      uncaptured(() => {
        throw new Error("fn failed");
      }),
    ).toThrow("fn failed");
    process.stdout.write("captured again");
    expect(captured).toEqual([["stdout", "captured again"]]);
  });

  it("the recorder's log lines are never captured as the program's output", () => {
    install();
    log("error", "codetracer.session", "a recorder problem", { errorCode: "ERR_IO" });
    expect(captured).toEqual([]);
    expect(err.calls.length).toBe(1);
    expect(JSON.parse(String(err.calls[0]!.args[0]))).toMatchObject({ level: "ERROR", error_code: "ERR_IO" });
  });
});

describe("a write the stream rejects", () => {
  it("throws to the program as before and is not reported (nothing was written)", () => {
    const rejecting = new TypeError("The argument 'encoding' is invalid encoding. Received 'bogus'");
    process.stdout.write = function () {
      throw rejecting;
    } as typeof process.stdout.write;
    install();
    expect(() => process.stdout.write("x\n", "bogus" as BufferEncoding)).toThrow(rejecting);
    expect(captured).toEqual([]);
  });
});
