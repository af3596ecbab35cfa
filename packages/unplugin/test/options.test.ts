/**
 * The plugin's options: defaults, the environment, and a coded error naming the option for
 * every bad value.
 */
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { enabledByEnv, resolveOptions } from "../src/options.js";
import { errorOf } from "./helpers.js";

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures");

describe("resolveOptions", () => {
  it("is off unless asked: by the option, CODETRACER_TRACE or CODETRACER_ENABLED", () => {
    expect(resolveOptions(undefined, {}, FIXTURES).enabled).toBe(false);
    expect(resolveOptions({}, {}, FIXTURES).chain).toBeNull();
    expect(resolveOptions({ enabled: true }, {}, FIXTURES).enabled).toBe(true);
    expect(resolveOptions({ enabled: false }, { CODETRACER_TRACE: "t" }, FIXTURES).enabled).toBe(false);
    const fromEnv = resolveOptions({}, { CODETRACER_TRACE: "/tmp/t" }, FIXTURES);
    expect(fromEnv.enabled).toBe(true);
    expect(fromEnv.traceDir).toBe("/tmp/t");
    expect(resolveOptions({}, { CODETRACER_ENABLED: "1" }, FIXTURES).traceDir).toBe("trace-out");
    expect(enabledByEnv({ CODETRACER_ENABLED: "off" })).toBe(false);
  });

  it("takes the format from the option, then CODETRACER_FORMAT, else binary", () => {
    expect(resolveOptions({}, {}, FIXTURES).format).toBe("binary");
    expect(resolveOptions({}, { CODETRACER_FORMAT: "json" }, FIXTURES).format).toBe("json");
    expect(resolveOptions({ format: "binary" }, { CODETRACER_FORMAT: "json" }, FIXTURES).format).toBe("binary");
  });

  it("loads the filter chain when enabled: builtin, then the option's files (a :: list), with their texts baked", () => {
    const filter = path.join(FIXTURES, "../../../trace-filter/test/fixtures/python/web_demo.toml");
    const resolved = resolveOptions({ enabled: true, traceFilter: `${filter}::${filter}`, exclude: "vendor/**" }, {}, FIXTURES);
    expect(resolved.traceFilters).toEqual([filter, filter]);
    expect(resolved.chain!.filters.map((f) => f.path)).toEqual(["<inline:builtin-default>", filter, filter, "<inline:include-exclude>"]);
    expect(resolved.bakedFilters.map((f) => f.path)).toEqual([filter, filter]);
    expect(resolved.bakedFilters[0]!.text).toContain("[meta]");
  });

  it.each([
    [{ bogus: 1 }, "bogus", "unknown option"],
    [{ enabled: "yes" }, "enabled", "expected true or false"],
    [{ include: 3 }, "include", "expected a non-empty string"],
    [{ exclude: [""] }, "exclude", "expected a non-empty string"],
    [{ traceDir: "" }, "traceDir", "expected a non-empty path"],
    [{ target: "deno" }, "target", 'expected "node" or "browser"'],
  ])("rejects %j naming the option", (options, name, detail) => {
    const error = errorOf(() => resolveOptions(options, {}, FIXTURES));
    expect(error.code).toBe("ERR_INVALID_POLICY_VALUE");
    expect(error.message).toContain(`unplugin-codetracer: option "${name}"`);
    expect(error.message).toContain(detail);
    expect(error.context.option).toBe(name);
  });

  it("rejects a bad format with the format's own code, naming the option", () => {
    const error = errorOf(() => resolveOptions({ format: "xml" }, {}, FIXTURES));
    expect(error.code).toBe("ERR_UNSUPPORTED_FORMAT");
    expect(error.message).toMatch(/^\[ERR_UNSUPPORTED_FORMAT\] unplugin-codetracer: option "format": unknown trace format 'xml'/);
  });

  it("rejects a missing filter file (ERR_IO) and an invalid one (ERR_INVALID_POLICY_VALUE), naming traceFilter and the file", () => {
    const missing = path.join(FIXTURES, "missing.toml");
    const io = errorOf(() => resolveOptions({ enabled: true, traceFilter: missing }, {}, FIXTURES));
    expect(io.code).toBe("ERR_IO");
    expect(io.kind).toBe("Environment");
    expect(io.message).toContain('option "traceFilter"');
    expect(io.message).toContain(missing);
    const bad = path.join(FIXTURES, "bad-filter.toml");
    const invalid = errorOf(() => resolveOptions({ enabled: true, traceFilter: bad }, {}, FIXTURES));
    expect(invalid.code).toBe("ERR_INVALID_POLICY_VALUE");
    expect(invalid.message).toContain('option "traceFilter"');
    expect(invalid.message).toContain(bad);
    // A disabled plugin reads no filter at all.
    expect(resolveOptions({ traceFilter: missing }, {}, FIXTURES).enabled).toBe(false);
  });

  it("rejects a bad CODETRACER_ENABLED", () => {
    expect(errorOf(() => resolveOptions({}, { CODETRACER_ENABLED: "maybe" }, FIXTURES)).code).toBe("ERR_INVALID_POLICY_VALUE");
  });

  it("rejects options that are not an object", () => {
    expect(errorOf(() => resolveOptions("on", {}, FIXTURES)).message).toContain("options must be an object");
  });
});
