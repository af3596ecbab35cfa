/**
 * `RUST_LOG` as the log filter's fallback (docs/errors.md, "Logs"): read when neither
 * `CODETRACER_LOG` nor `CODETRACER_LOG_LEVEL` is set, leniently (it is shared with other
 * programs), and applied to the recorder's own log records.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { configurePolicyFromEnv, policyFromEnv, resetPolicy } from "../src/node/policy.js";
import { formatLogSpec, levelFor, parseLogSpec } from "../src/node/log-spec.js";
import { log } from "../src/node/log.js";

afterEach(() => {
  resetPolicy();
  vi.restoreAllMocks();
});

const strict = (spec: string) => parseLogSpec(spec, (m) => new Error(m));

describe("RUST_LOG", () => {
  it("sets logLevel when no CODETRACER_LOG / CODETRACER_LOG_LEVEL is set", () => {
    expect(policyFromEnv({ RUST_LOG: "debug" })).toEqual({ logLevel: "debug" });
    const spec = strict(policyFromEnv({ RUST_LOG: "warn,codetracer.session=trace" }).logLevel!);
    expect(levelFor(spec, "codetracer.session.stop")).toBe("trace");
    expect(levelFor(spec, "codetracer.recorder")).toBe("warn");
  });

  it("CODETRACER_LOG (and CODETRACER_LOG_LEVEL) win when both are set", () => {
    expect(policyFromEnv({ RUST_LOG: "debug", CODETRACER_LOG: "error" })).toEqual({ logLevel: "error" });
    expect(policyFromEnv({ RUST_LOG: "debug", CODETRACER_LOG_LEVEL: "off" })).toEqual({ logLevel: "off" });
  });

  it("is read leniently: other programs' targets, bad levels and /regex suffixes are never an error", () => {
    for (const value of ["my_crate", "info,hyper::client=debug", "codetracer_python_recorder=debug", "x=loud,info", "debug/foo.*bar", "=debug"]) {
      expect(() => policyFromEnv({ RUST_LOG: value }), value).not.toThrow();
      // What the policy keeps parses strictly (configurePolicy validates it).
      expect(() => strict(policyFromEnv({ RUST_LOG: value }).logLevel!), value).not.toThrow();
    }
    const spec = strict(policyFromEnv({ RUST_LOG: "info,hyper::client=debug,x=loud" }).logLevel!);
    expect(spec.defaultLevel).toBe("info");
    expect(levelFor(spec, "codetracer.session")).toBe("info"); // hyper.client is not a recorder target
    expect(levelFor(spec, "hyper.client")).toBe("debug");
    expect(strict(policyFromEnv({ RUST_LOG: "debug/foo" }).logLevel!).defaultLevel).toBe("debug");
    // the same value is still an error in CODETRACER_LOG
    expect(() => policyFromEnv({ CODETRACER_LOG: "my_crate" })).toThrow(/ERR_INVALID_POLICY_VALUE/);
  });

  it("formatLogSpec round-trips", () => {
    const spec = strict("info,codetracer=debug,codetracer.session=off");
    expect(strict(formatLogSpec(spec))).toEqual(spec);
  });

  it("filters the recorder's log records: RUST_LOG=off silences a warning, RUST_LOG=codetracer=debug shows a debug record", () => {
    const lines: string[] = [];
    vi.spyOn(process.stderr, "write").mockImplementation((chunk: unknown) => {
      lines.push(String(chunk));
      return true;
    });
    configurePolicyFromEnv({ RUST_LOG: "off" });
    log("warn", "codetracer.session", "silenced");
    configurePolicyFromEnv({ RUST_LOG: "codetracer=debug" });
    log("debug", "codetracer.session", "shown");
    log("debug", "other.target", "not shown");
    const messages = lines.filter((l) => l.startsWith("{")).map((l) => (JSON.parse(l) as { message: string }).message);
    expect(messages).toEqual(["shown"]);
  });
});
