/**
 * The recorder's policy (`configurePolicy`, `policySnapshot`, `resetPolicy`, `onPolicyChange`,
 * `policyFromEnv`, `configurePolicyFromEnv`), the log filter syntax (`parseLogSpec`, `levelFor`)
 * and the JSON log / error trailer (`log`, `errorTrailer`, `reportRecorderError`), with stderr
 * captured by stubbing `process.stderr.write`.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { EnvironmentError, InternalError, RecorderError, UsageError } from "../src/errors.js";
import {
  DEFAULT_POLICY,
  configurePolicy,
  configurePolicyFromEnv,
  onPolicyChange,
  policyFromEnv,
  policySnapshot,
  resetPolicy,
  type RecorderPolicy,
} from "../src/node/policy.js";
import { DEFAULT_LOG_SPEC, levelFor, parseLogSpec, type LogSpec } from "../src/node/log-spec.js";
import { errorTrailer, getRunId, getTraceId, log, logEnabled, reportRecorderError, setTraceId } from "../src/node/log.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const tempDirs: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ct-policy-"));
  tempDirs.push(dir);
  return dir;
}

afterEach(() => {
  resetPolicy();
  setTraceId(null);
  vi.restoreAllMocks();
  for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** Calls `fn` and returns the error it throws (fails when it does not throw). */
function thrown(fn: () => unknown): RecorderError {
  try {
    fn();
  } catch (error) {
    return error as RecorderError;
  }
  throw new Error("expected a throw");
}

function expectInvalidPolicy(fn: () => unknown): UsageError {
  const error = thrown(fn);
  expect(error).toBeInstanceOf(UsageError);
  expect(error.code).toBe("ERR_INVALID_POLICY_VALUE");
  expect(error.kind).toBe("Usage");
  expect(error.message).toMatch(/^\[ERR_INVALID_POLICY_VALUE\] /);
  return error;
}

describe("configurePolicy / policySnapshot / resetPolicy", () => {
  it("starts from the defaults", () => {
    expect(DEFAULT_POLICY).toEqual({
      onRecorderError: "abort",
      requireTrace: false,
      keepPartialTrace: false,
      logLevel: undefined,
      logFile: undefined,
      jsonErrors: false,
      ioCapture: true,
    });
    expect(Object.isFrozen(DEFAULT_POLICY)).toBe(true);
    expect(policySnapshot()).toEqual(DEFAULT_POLICY);
  });

  it("changes only the given settings and returns the new policy", () => {
    const next = configurePolicy({ requireTrace: true, onRecorderError: "disable" });
    expect(next).toEqual({ ...DEFAULT_POLICY, requireTrace: true, onRecorderError: "disable" });
    const again = configurePolicy({ logLevel: "codetracer=info", logFile: "/tmp/x.log", jsonErrors: true, keepPartialTrace: true, ioCapture: false });
    expect(again).toEqual({
      onRecorderError: "disable",
      requireTrace: true,
      keepPartialTrace: true,
      logLevel: "codetracer=info",
      logFile: "/tmp/x.log",
      jsonErrors: true,
      ioCapture: false,
    });
    expect(policySnapshot()).toEqual(again);
  });

  it("snapshots are frozen copies that later changes do not touch", () => {
    const before = policySnapshot();
    expect(Object.isFrozen(before)).toBe(true);
    expect(() => {
      (before as RecorderPolicy).requireTrace = true;
    }).toThrow(TypeError);
    configurePolicy({ requireTrace: true });
    expect(before.requireTrace).toBe(false);
    expect(policySnapshot().requireTrace).toBe(true);
    expect(policySnapshot()).not.toBe(policySnapshot());
  });

  it("undefined leaves a boolean or onRecorderError as it is, and resets logLevel / logFile", () => {
    configurePolicy({ requireTrace: true, onRecorderError: "disable", logLevel: "debug", logFile: "/tmp/a.log" });
    const next = configurePolicy({ requireTrace: undefined, onRecorderError: undefined, logLevel: undefined, logFile: undefined });
    expect(next.requireTrace).toBe(true);
    expect(next.onRecorderError).toBe("disable");
    expect(next.logLevel).toBeUndefined();
    expect(next.logFile).toBeUndefined();
  });

  it("empty logLevel / logFile strings mean the default", () => {
    configurePolicy({ logLevel: "debug", logFile: "/tmp/a.log" });
    const next = configurePolicy({ logLevel: "", logFile: "" });
    expect(next.logLevel).toBeUndefined();
    expect(next.logFile).toBeUndefined();
  });

  it.each([
    [{ onRecorderError: "explode" }, "onRecorderError"],
    [{ onRecorderError: "ABORT" }, "onRecorderError"],
    [{ requireTrace: "yes" }, "requireTrace"],
    [{ keepPartialTrace: 1 }, "keepPartialTrace"],
    [{ jsonErrors: null }, "jsonErrors"],
    [{ ioCapture: "off" }, "ioCapture"],
    [{ logLevel: "loud!" }, "logLevel"],
    [{ logLevel: "info,=debug" }, "logLevel"],
    [{ logLevel: "codetracer=loud" }, "logLevel"],
    [{ logLevel: 3 }, "logLevel"],
    [{ logFile: 42 }, "logFile"],
  ])("rejects %j with ERR_INVALID_POLICY_VALUE naming the setting", (update, setting) => {
    const error = expectInvalidPolicy(() => configurePolicy(update as unknown as Partial<RecorderPolicy>));
    expect(error.context.setting).toBe(setting);
    expect(error.message).toContain(setting);
    expect(policySnapshot()).toEqual(DEFAULT_POLICY);
  });

  it("rejects an unknown setting", () => {
    const error = expectInvalidPolicy(() => configurePolicy({ requireTrce: true } as unknown as Partial<RecorderPolicy>));
    expect(error.context).toEqual({ setting: "requireTrce" });
  });

  it("changes nothing when one value of the update is invalid", () => {
    configurePolicy({ keepPartialTrace: true });
    expectInvalidPolicy(() => configurePolicy({ requireTrace: true, jsonErrors: true, onRecorderError: "nope" as "abort" }));
    expect(policySnapshot()).toEqual({ ...DEFAULT_POLICY, keepPartialTrace: true });
  });

  it("resetPolicy puts every setting back", () => {
    configurePolicy({
      onRecorderError: "disable",
      requireTrace: true,
      keepPartialTrace: true,
      logLevel: "trace",
      logFile: "/tmp/l",
      jsonErrors: true,
      ioCapture: false,
    });
    resetPolicy();
    expect(policySnapshot()).toEqual(DEFAULT_POLICY);
  });

  it("onPolicyChange tells the listener now and after each change, until removed", () => {
    const seen: Array<Readonly<RecorderPolicy>> = [];
    const remove = onPolicyChange((p) => seen.push({ ...p }));
    expect(seen).toEqual([DEFAULT_POLICY]);
    configurePolicy({ requireTrace: true });
    expect(seen.at(-1)!.requireTrace).toBe(true);
    expect(seen.length).toBe(2);
    // An invalid update changes nothing and tells no one.
    expect(() => configurePolicy({ ioCapture: "no" as unknown as boolean })).toThrow(UsageError);
    expect(seen.length).toBe(2);
    remove();
    configurePolicy({ requireTrace: false });
    expect(seen.length).toBe(2);
  });
});

describe("policyFromEnv / configurePolicyFromEnv", () => {
  const BOOLEANS = [
    ["CODETRACER_REQUIRE_TRACE", "requireTrace"],
    ["CODETRACER_KEEP_PARTIAL_TRACE", "keepPartialTrace"],
    ["CODETRACER_JSON_ERRORS", "jsonErrors"],
  ] as const;
  const TRUE = ["1", "true", "t", "yes", "y", "on", "TRUE", "Yes", " on "];
  const FALSE = ["0", "false", "f", "no", "n", "off", "FALSE", "No", " OFF "];

  it("an empty environment sets nothing", () => {
    expect(policyFromEnv({})).toEqual({});
    expect(Object.keys(policyFromEnv({}))).toEqual([]);
  });

  describe.each(BOOLEANS)("%s", (variable, setting) => {
    it.each(TRUE)("%j is true", (raw) => {
      expect(policyFromEnv({ [variable]: raw })).toEqual({ [setting]: true });
    });
    it.each(FALSE)("%j is false", (raw) => {
      expect(policyFromEnv({ [variable]: raw })).toEqual({ [setting]: false });
    });
    it("empty or blank is left out", () => {
      expect(Object.keys(policyFromEnv({ [variable]: "" }))).toEqual([]);
      expect(Object.keys(policyFromEnv({ [variable]: "  " }))).toEqual([]);
    });
    it.each(["maybe", "2", "enabled", "yess", "truth"])("%j is ERR_INVALID_POLICY_VALUE naming the variable", (raw) => {
      const error = expectInvalidPolicy(() => policyFromEnv({ [variable]: raw }));
      expect(error.context).toEqual({ variable, value: raw });
      expect(error.message).toContain(variable);
    });
  });

  it("CODETRACER_ON_RECORDER_ERROR: abort or disable, any case", () => {
    expect(policyFromEnv({ CODETRACER_ON_RECORDER_ERROR: "abort" })).toEqual({ onRecorderError: "abort" });
    expect(policyFromEnv({ CODETRACER_ON_RECORDER_ERROR: " DISABLE " })).toEqual({ onRecorderError: "disable" });
    expect(Object.keys(policyFromEnv({ CODETRACER_ON_RECORDER_ERROR: "" }))).toEqual([]);
    const error = expectInvalidPolicy(() => policyFromEnv({ CODETRACER_ON_RECORDER_ERROR: "crash" }));
    expect(error.context).toEqual({ variable: "CODETRACER_ON_RECORDER_ERROR", value: "crash" });
  });

  it("CODETRACER_LOG (or CODETRACER_LOG_LEVEL) sets logLevel; CODETRACER_LOG wins", () => {
    expect(policyFromEnv({ CODETRACER_LOG: "codetracer.io=debug,info" })).toEqual({ logLevel: "codetracer.io=debug,info" });
    expect(policyFromEnv({ CODETRACER_LOG_LEVEL: "error" })).toEqual({ logLevel: "error" });
    expect(policyFromEnv({ CODETRACER_LOG: "trace", CODETRACER_LOG_LEVEL: "error" })).toEqual({ logLevel: "trace" });
    const error = expectInvalidPolicy(() => policyFromEnv({ CODETRACER_LOG_LEVEL: "verbose!" }));
    expect(error.context).toEqual({ variable: "CODETRACER_LOG_LEVEL", value: "verbose!" });
    const error2 = expectInvalidPolicy(() => policyFromEnv({ CODETRACER_LOG: "codetracer=loud" }));
    expect(error2.context.variable).toBe("CODETRACER_LOG");
  });

  it("CODETRACER_LOG_FILE sets logFile; empty means stderr (logFile undefined, but set)", () => {
    expect(policyFromEnv({ CODETRACER_LOG_FILE: "/tmp/rec.log" })).toEqual({ logFile: "/tmp/rec.log" });
    const empty = policyFromEnv({ CODETRACER_LOG_FILE: "" });
    expect(Object.keys(empty)).toEqual(["logFile"]);
    expect(empty.logFile).toBeUndefined();
    configurePolicy({ logFile: "/tmp/rec.log" });
    expect(configurePolicyFromEnv({ CODETRACER_LOG_FILE: "" }).logFile).toBeUndefined();
  });

  describe("CODETRACER_CAPTURE_IO", () => {
    it.each(["off", "0", "false", "none", "disable", "disabled", "no", "OFF", " None "])("%j is off", (raw) => {
      expect(policyFromEnv({ CODETRACER_CAPTURE_IO: raw })).toEqual({ ioCapture: false });
    });
    it.each(["on", "1", "true", "enable", "enabled", "yes", "ON"])("%j is on", (raw) => {
      expect(policyFromEnv({ CODETRACER_CAPTURE_IO: raw })).toEqual({ ioCapture: true });
    });
    it.each(["proxies", "proxy", "fd", "mirror", "fallback", "proxies,fd", "proxies+fd", "Proxies + FD", "proxy,mirror,fallback"])(
      "the list %j is on",
      (raw) => {
        expect(policyFromEnv({ CODETRACER_CAPTURE_IO: raw })).toEqual({ ioCapture: true });
      },
    );
    it("empty is the default (on)", () => {
      expect(policyFromEnv({ CODETRACER_CAPTURE_IO: "" })).toEqual({ ioCapture: true });
      configurePolicy({ ioCapture: false });
      expect(configurePolicyFromEnv({ CODETRACER_CAPTURE_IO: "" }).ioCapture).toBe(true);
    });
    it.each(["sometimes", "proxies,bogus", "proxies,", "+", "fd off"])("%j is ERR_INVALID_POLICY_VALUE", (raw) => {
      const error = expectInvalidPolicy(() => policyFromEnv({ CODETRACER_CAPTURE_IO: raw }));
      expect(error.context).toEqual({ variable: "CODETRACER_CAPTURE_IO", value: raw });
    });
  });

  it("reads process.env by default", () => {
    vi.stubEnv("CODETRACER_REQUIRE_TRACE", "on");
    vi.stubEnv("CODETRACER_CAPTURE_IO", "off");
    try {
      expect(policyFromEnv()).toMatchObject({ requireTrace: true, ioCapture: false });
      expect(configurePolicyFromEnv()).toMatchObject({ requireTrace: true, ioCapture: false });
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it("configurePolicyFromEnv applies the variables over the current policy and returns it", () => {
    configurePolicy({ keepPartialTrace: true });
    const next = configurePolicyFromEnv({
      CODETRACER_ON_RECORDER_ERROR: "disable",
      CODETRACER_REQUIRE_TRACE: "y",
      CODETRACER_JSON_ERRORS: "t",
      CODETRACER_LOG: "warn,codetracer.session=debug",
      CODETRACER_LOG_FILE: "/tmp/ct.log",
      CODETRACER_CAPTURE_IO: "fd",
      UNRELATED: "x",
    });
    expect(next).toEqual({
      onRecorderError: "disable",
      requireTrace: true,
      keepPartialTrace: true,
      logLevel: "warn,codetracer.session=debug",
      logFile: "/tmp/ct.log",
      jsonErrors: true,
      ioCapture: true,
    });
    expect(policySnapshot()).toEqual(next);
  });

  it("configurePolicyFromEnv changes nothing when a variable is invalid", () => {
    expectInvalidPolicy(() => configurePolicyFromEnv({ CODETRACER_REQUIRE_TRACE: "1", CODETRACER_JSON_ERRORS: "perhaps" }));
    expect(policySnapshot()).toEqual(DEFAULT_POLICY);
  });
});

describe("parseLogSpec / levelFor", () => {
  const fail = (message: string) => new Error(`bad: ${message}`);
  const parse = (spec: string): LogSpec => parseLogSpec(spec, fail);

  it("an empty filter is the default: warn for every target", () => {
    expect(parse("")).toEqual({ defaultLevel: "warn", targets: [] });
    expect(parse(" , ,")).toEqual({ defaultLevel: "warn", targets: [] });
    expect(DEFAULT_LOG_SPEC).toEqual({ defaultLevel: "warn", targets: [] });
    expect(levelFor(DEFAULT_LOG_SPEC, "codetracer.session")).toBe("warn");
  });

  it("a bare level is the default level (any case; warning = warn; the last one wins)", () => {
    expect(parse("info").defaultLevel).toBe("info");
    expect(parse("DEBUG").defaultLevel).toBe("debug");
    expect(parse("Warning").defaultLevel).toBe("warn");
    expect(parse("off").defaultLevel).toBe("off");
    expect(parse("error, trace").defaultLevel).toBe("trace");
  });

  it("target=level entries apply to the target and those below it; the longest target wins", () => {
    const spec = parse("error, codetracer=info, codetracer.session=debug, codetracer.session.stop=off");
    expect(spec.defaultLevel).toBe("error");
    expect(levelFor(spec, "codetracer")).toBe("info");
    expect(levelFor(spec, "codetracer.io")).toBe("info");
    expect(levelFor(spec, "codetracer.session")).toBe("debug");
    expect(levelFor(spec, "codetracer.session.start")).toBe("debug");
    expect(levelFor(spec, "codetracer.session.stop")).toBe("off");
    expect(levelFor(spec, "codetracer.session.stop.x")).toBe("off");
    // Only whole segments match.
    expect(levelFor(spec, "codetracerx")).toBe("error");
    expect(levelFor(spec, "codetracer.sessions")).toBe("info");
    expect(levelFor(spec, "other")).toBe("error");
  });

  it("the order of entries does not matter for targets (longest first)", () => {
    const spec = parse("codetracer.session=error,codetracer=trace");
    expect(levelFor(spec, "codetracer.session.x")).toBe("error");
    expect(levelFor(spec, "codetracer.io")).toBe("trace");
    expect(spec.targets.map((t) => t.target)).toEqual(["codetracer.session", "codetracer"]);
  });

  it("'::' is written for '.', and a bare target name means every level for it", () => {
    const spec = parse("codetracer::io=debug,codetracer::signal");
    expect(spec.targets).toContainEqual({ target: "codetracer.io", level: "debug" });
    expect(spec.targets).toContainEqual({ target: "codetracer.signal", level: "trace" });
    expect(levelFor(spec, "codetracer.io.capture")).toBe("debug");
    expect(levelFor(spec, "codetracer.signal")).toBe("trace");
    expect(levelFor(spec, "codetracer.session")).toBe("warn");
  });

  it("a bare word that is neither a level nor a codetracer target is a mistyped level", () => {
    for (const word of ["verbose", "warnings", "codetracerx"]) {
      expect(() => parseLogSpec(word, (m) => new Error(m))).toThrow(/not a log level/);
    }
    expect(parse("codetracer").targets).toEqual([{ target: "codetracer", level: "trace" }]);
  });

  it.each(["=info", "codetracer=", "codetracer=loud", "not a level!", "a=b=c", "9lives"])("%j calls fail and throws what it returns", (spec) => {
    const seen: string[] = [];
    const sentinel = new Error("sentinel");
    expect(() =>
      parseLogSpec(spec, (message) => {
        seen.push(message);
        return sentinel;
      }),
    ).toThrow(sentinel);
    expect(seen.length).toBe(1);
    expect(seen[0]).toContain(spec.split(",")[0]!.trim());
  });
});

describe("log", () => {
  let lines: string[];
  beforeEach(() => {
    lines = [];
    vi.spyOn(process.stderr, "write").mockImplementation(((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    }) as typeof process.stderr.write);
  });
  const records = () =>
    lines.map((l) => {
      expect(l.endsWith("\n"), JSON.stringify(l)).toBe(true);
      expect(l.indexOf("\n")).toBe(l.length - 1);
      return JSON.parse(l) as Record<string, unknown>;
    });

  it("writes one JSON line with ts_micros, level, target, run_id and message", () => {
    const before = Date.now() * 1000;
    log("warn", "codetracer.session", "something odd");
    const after = Date.now() * 1000;
    const [record, ...rest] = records();
    expect(rest).toEqual([]);
    expect(Object.keys(record!)).toEqual(["ts_micros", "level", "target", "run_id", "message"]);
    expect(record).toMatchObject({ level: "WARN", target: "codetracer.session", run_id: getRunId(), message: "something odd" });
    expect(Number.isInteger(record!.ts_micros)).toBe(true);
    // Microseconds since the epoch (the clocks may differ a little).
    expect(record!.ts_micros as number).toBeGreaterThanOrEqual(before - 1_000_000);
    expect(record!.ts_micros as number).toBeLessThanOrEqual(after + 1_000_000);
    expect(getRunId()).toMatch(UUID);
  });

  it("adds trace_id while a session records, error_code and fields when given", () => {
    setTraceId("11111111-2222-4333-8444-555555555555");
    expect(getTraceId()).toBe("11111111-2222-4333-8444-555555555555");
    log("error", "codetracer.recorder", "broke", { errorCode: "ERR_IO", fields: { file: "/x", n: 2 } });
    setTraceId(null);
    log("error", "codetracer.recorder", "after");
    const [inSession, outside] = records();
    expect(inSession).toEqual({
      ts_micros: inSession!.ts_micros,
      level: "ERROR",
      target: "codetracer.recorder",
      run_id: getRunId(),
      trace_id: "11111111-2222-4333-8444-555555555555",
      error_code: "ERR_IO",
      message: "broke",
      fields: { file: "/x", n: 2 },
    });
    expect(outside).not.toHaveProperty("trace_id");
    expect(outside).not.toHaveProperty("error_code");
    expect(outside).not.toHaveProperty("fields");
  });

  it("by default writes warn and error, not info, debug or trace", () => {
    for (const level of ["error", "warn", "info", "debug", "trace"] as const) log(level, "codetracer.session", level);
    expect(records().map((r) => r.level)).toEqual(["ERROR", "WARN"]);
    expect(logEnabled("warn", "x")).toBe(true);
    expect(logEnabled("info", "x")).toBe(false);
  });

  it("follows the policy's logLevel per target", () => {
    configurePolicy({ logLevel: "error,codetracer.io=debug" });
    log("debug", "codetracer.io.capture", "io debug");
    log("trace", "codetracer.io", "io trace");
    log("warn", "codetracer.session", "session warn");
    log("error", "codetracer.session", "session error");
    expect(records().map((r) => r.message)).toEqual(["io debug", "session error"]);
    expect(logEnabled("debug", "codetracer.io")).toBe(true);
    expect(logEnabled("warn", "codetracer.session")).toBe(false);
  });

  it("writes nothing at all under 'off'", () => {
    configurePolicy({ logLevel: "off" });
    log("error", "codetracer.session", "x");
    expect(lines).toEqual([]);
    resetPolicy();
    log("error", "codetracer.session", "y");
    expect(records().map((r) => r.message)).toEqual(["y"]);
  });

  it("appends to the policy's logFile instead of stderr", () => {
    const file = path.join(tempDir(), "ct.log");
    fs.writeFileSync(file, "existing\n");
    configurePolicy({ logFile: file });
    log("warn", "codetracer.session", "one", { errorCode: "ERR_TRACE_MISSING" });
    log("error", "codetracer.session", "two");
    expect(lines).toEqual([]);
    const [first, ...rest] = fs.readFileSync(file, "utf8").split("\n");
    expect(first).toBe("existing");
    const written = rest.filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(written.map((r) => [r.level, r.message, r.error_code])).toEqual([
      ["WARN", "one", "ERR_TRACE_MISSING"],
      ["ERROR", "two", undefined],
    ]);
    expect(written[0]!.run_id).toBe(getRunId());
  });

  it("falls back to stderr, with one ERR_IO warning, when the log file cannot be written", () => {
    const file = path.join(tempDir(), "missing-dir", "ct.log");
    configurePolicy({ logFile: file });
    log("warn", "codetracer.session", "first");
    log("warn", "codetracer.session", "second");
    const written = records();
    expect(written.map((r) => [r.target, r.level, r.error_code, r.message])).toEqual([
      ["codetracer.log", "WARN", "ERR_IO", expect.stringContaining(file)],
      ["codetracer.session", "WARN", undefined, "first"],
      ["codetracer.session", "WARN", undefined, "second"],
    ]);
    expect(written[0]!.message).toContain("ENOENT");
    expect(fs.existsSync(file)).toBe(false);
  });

  it("never throws: unserialisable fields are written as text, a failing stderr is ignored", () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => log("warn", "codetracer.session", "cyclic", { fields: cyclic })).not.toThrow();
    expect(() => log("warn", "codetracer.session", "big", { fields: { n: 1n } })).not.toThrow();
    const [a, b] = records();
    expect(a).toMatchObject({ message: "cyclic", fields: "[object Object]" });
    expect(b).toMatchObject({ message: "big" });
    expect(typeof b!.fields).toBe("string");
    vi.mocked(process.stderr.write).mockImplementation(() => {
      throw new Error("EPIPE");
    });
    expect(() => log("error", "codetracer.session", "closed")).not.toThrow();
  });
});

describe("errorTrailer / reportRecorderError", () => {
  let lines: string[];
  beforeEach(() => {
    lines = [];
    vi.spyOn(process.stderr, "write").mockImplementation(((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    }) as typeof process.stderr.write);
  });

  it("the trailer is one JSON object: run_id, trace_id (null outside a session), error_code, error_kind, message, context", () => {
    const error = new UsageError("ERR_ALREADY_TRACING", "already", { traceDir: "/t" });
    const outside = errorTrailer(error);
    expect(outside).not.toContain("\n");
    expect(JSON.parse(outside)).toEqual({
      run_id: getRunId(),
      trace_id: null,
      error_code: "ERR_ALREADY_TRACING",
      error_kind: "Usage",
      message: "[ERR_ALREADY_TRACING] already",
      context: { traceDir: "/t" },
    });
    expect(Object.keys(JSON.parse(outside) as object)).toEqual(["run_id", "trace_id", "error_code", "error_kind", "message", "context"]);
    setTraceId("abc");
    expect(JSON.parse(errorTrailer(new EnvironmentError("ERR_IO", "disk"))).trace_id).toBe("abc");
    expect(JSON.parse(errorTrailer(new EnvironmentError("ERR_IO", "disk"))).context).toEqual({});
  });

  it("reportRecorderError writes an ERROR record with the code, kind and context; no trailer without jsonErrors", () => {
    const error = new InternalError("ERR_UNKNOWN", "boom", { where: "step" });
    reportRecorderError(error, "codetracer.recorder");
    expect(lines.length).toBe(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      level: "ERROR",
      target: "codetracer.recorder",
      run_id: getRunId(),
      error_code: "ERR_UNKNOWN",
      message: "[ERR_UNKNOWN] boom",
      fields: { kind: "Internal", context: { where: "step" } },
    });
  });

  it("with jsonErrors, reportRecorderError also writes the trailer line (target codetracer.session by default)", () => {
    configurePolicy({ jsonErrors: true });
    setTraceId("t-1");
    const error = new UsageError("ERR_TRACE_MISSING", "nothing recorded", { traceDir: "/d" });
    reportRecorderError(error);
    expect(lines.length).toBe(2);
    const [record, trailer] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(record).toMatchObject({ level: "ERROR", target: "codetracer.session", trace_id: "t-1", error_code: "ERR_TRACE_MISSING" });
    expect(lines[1]).toBe(`${errorTrailer(error)}\n`);
    expect(trailer).toMatchObject({ trace_id: "t-1", error_code: "ERR_TRACE_MISSING", error_kind: "Usage" });
  });

  it("the trailer is written even when the log filter hides the record", () => {
    configurePolicy({ jsonErrors: true, logLevel: "off" });
    reportRecorderError(new UsageError("ERR_INVALID_POLICY_VALUE", "bad"));
    expect(lines.map((l) => JSON.parse(l) as Record<string, unknown>)).toEqual([
      expect.objectContaining({ error_code: "ERR_INVALID_POLICY_VALUE", error_kind: "Usage", trace_id: null }),
    ]);
  });
});
