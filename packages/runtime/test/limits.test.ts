import { describe, expect, it } from "vitest";
import { checkLimits, LIMIT_VARIABLES, limitsFromEnv, MAX_LIMIT } from "../src/node/limits.js";
import { RecorderError } from "../src/errors.js";

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (error) {
    return (error as RecorderError).code;
  }
  return undefined;
}

describe("limitsFromEnv", () => {
  it("reads every CODETRACER_MAX_* variable that is set, and only those", () => {
    expect(limitsFromEnv({})).toEqual({});
    expect(
      limitsFromEnv({
        CODETRACER_MAX_DEPTH: "0",
        CODETRACER_MAX_ITEMS: "7",
        CODETRACER_MAX_STRING_LENGTH: " 12 ",
        CODETRACER_MAX_VALUE_BYTES: "256",
        CODETRACER_MAX_OTHER: "x",
      }),
    ).toEqual({
      maxDepth: 0,
      maxItems: 7,
      maxStringLength: 12,
      maxBytes: 256,
    });
    expect(limitsFromEnv({ CODETRACER_MAX_ITEMS: "" })).toEqual({});
    expect(limitsFromEnv({ CODETRACER_MAX_ITEMS: String(MAX_LIMIT) })).toEqual({ maxItems: MAX_LIMIT });
  });

  it("rejects values that are not decimal integers in range, naming the variable", () => {
    const bad: Array<[string, string]> = [
      ["CODETRACER_MAX_DEPTH", "-1"],
      ["CODETRACER_MAX_ITEMS", "0"],
      ["CODETRACER_MAX_ITEMS", "1e3"],
      ["CODETRACER_MAX_STRING_LENGTH", "2.5"],
      ["CODETRACER_MAX_VALUE_BYTES", "255"],
      ["CODETRACER_MAX_VALUE_BYTES", String(MAX_LIMIT + 1)],
      ["CODETRACER_MAX_DEPTH", "three"],
    ];
    for (const [variable, value] of bad) {
      expect(
        codeOf(() => limitsFromEnv({ [variable]: value })),
        `${variable}=${value}`,
      ).toBe("ERR_INVALID_POLICY_VALUE");
      expect(() => limitsFromEnv({ [variable]: value })).toThrow(variable);
    }
  });

  it("has one variable per bound", () => {
    expect(Object.keys(LIMIT_VARIABLES).sort()).toEqual(["maxBytes", "maxDepth", "maxItems", "maxStringLength"]);
  });
});

describe("checkLimits", () => {
  it("passes valid bounds through", () => {
    expect(checkLimits({ maxDepth: 1, maxItems: 2, maxStringLength: 3, maxBytes: 1000 })).toEqual({
      maxDepth: 1,
      maxItems: 2,
      maxStringLength: 3,
      maxBytes: 1000,
    });
    expect(checkLimits({ maxItems: undefined })).toEqual({});
  });

  it("rejects unknown keys and out-of-range or non-integer values", () => {
    expect(codeOf(() => checkLimits({ maxThings: 3 } as never))).toBe("ERR_INVALID_POLICY_VALUE");
    expect(codeOf(() => checkLimits({ maxItems: 0 }))).toBe("ERR_INVALID_POLICY_VALUE");
    expect(codeOf(() => checkLimits({ maxDepth: 1.5 }))).toBe("ERR_INVALID_POLICY_VALUE");
    expect(codeOf(() => checkLimits({ maxBytes: "4096" as never }))).toBe("ERR_INVALID_POLICY_VALUE");
  });
});
