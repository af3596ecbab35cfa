import { describe, expect, it } from "vitest";
import { CliUsageError, parseArgs } from "../src/args.js";

const quiet = () => {};
const parse = (argv: string[], env: NodeJS.ProcessEnv = {}) => parseArgs(argv, env, quiet);
const usageCode = (argv: string[]) => {
  try {
    parse(argv);
  } catch (error) {
    return error instanceof CliUsageError ? error.exitCode : -1;
  }
  return undefined;
};

describe("parseArgs", () => {
  it("takes options before SCRIPT and passes everything after it unchanged", () => {
    const a = parse(["--trace-dir", "out", "--include", "a/**", "--include", "b/**", "app.ts", "--trace-dir", "x", "--", "-v"]);
    expect(a.traceDir).toBe("out");
    expect(a.include).toEqual(["a/**", "b/**"]);
    expect(a.script).toBe("app.ts");
    expect(a.scriptArgs).toEqual(["--trace-dir", "x", "--", "-v"]);
  });

  it("has the documented defaults", () => {
    const a = parse(["app.js"]);
    expect(a).toMatchObject({ traceDir: "./trace-out", format: "binary", traceFilter: [], include: [], exclude: [] });
    expect(a.activationPath).toBeUndefined();
    expect(parse(["app.js"], { CODETRACER_FORMAT: "json" }).format).toBe("json");
    expect(parse(["app.js"], { CODETRACER_JS_RECORDER_OUT_DIR: "env-out" }).traceDir).toBe("env-out");
  });

  it("accepts --format, --activation-path, --trace-filter and --exclude", () => {
    const a = parse(["--format", "binary", "--activation-path", "src/a.ts", "--trace-filter", "f.toml", "--exclude", "gen/**", "app.js"]);
    expect(a).toMatchObject({ format: "binary", activationPath: "src/a.ts", traceFilter: ["f.toml"], exclude: ["gen/**"] });
  });

  it("exits 2 for wrong usage", () => {
    expect(usageCode([])).toBe(2);
    expect(usageCode(["--bogus", "app.js"])).toBe(2);
    expect(usageCode(["--format", "xml", "app.js"])).toBe(2);
    expect(usageCode(["--trace-dir"])).toBe(2);
  });
});
