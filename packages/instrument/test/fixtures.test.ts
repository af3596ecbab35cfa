/**
 * Pins the code `instrument()` generates, one folder per construct (Babel's fixture layout):
 *
 * ```
 * test/fixtures/<case>/input.{js,mjs,cjs,jsx,ts,mts,cts,tsx}   the file as written
 * test/fixtures/<case>/options.json                          instrument() options (see FixtureOptions)
 * test/fixtures/<case>/output.js                              the expected output
 * ```
 *
 * The file is instrumented under the fixed virtual name `/fixtures/<case>/input.<ext>`, so
 * neither the table's `path` nor the `_ctRtInit_<key>` name (an FNV-1a hash of that path, see
 * `fileKey` in src/plugin.ts) depends on where the repository is checked out. The inline source
 * map comment is checked to be there and then cut off (the map is not pinned here).
 *
 * A difference fails with a diff. After an intended change of the generated code, rewrite the
 * outputs and review them in `git diff`:
 *
 * ```sh
 * cd packages/instrument && UPDATE_FIXTURES=1 npx vitest run test/fixtures.test.ts
 * ```
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { instrument, type InstrumentOptions, NATIVE_USING } from "../src/instrument.js";
import type { ScopeDecision, ScopeFilter } from "../src/plugin.js";

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures");
const UPDATE = process.env.UPDATE_FIXTURES === "1";
const INPUT = /^input\.(?:[cm]?[jt]s|[jt]sx)$/;
const INLINE_MAP = /\n\/\/# sourceMappingURL=data:application\/json;charset=utf-8;base64,[A-Za-z0-9+/=]+\n$/;

/** What a scope's entry in options.json may say (a declarative {@link ScopeDecision}). */
interface FixtureScope {
  exec?: "trace" | "skip";
  /** `"kind:name"` (`arg:password`), `"kind:*"`, or `"ret"`, redacted. */
  redact?: string[];
  /** Same, dropped. */
  drop?: string[];
}

/** options.json: the {@link InstrumentOptions} but `filename`, plus harness settings. */
interface FixtureOptions extends Omit<InstrumentOptions, "filename" | "scopes" | "inlineSourceMap"> {
  /**
   * Trace-filter decisions by qualified scope name (`"*"`: every other scope); the harness
   * turns them into the {@link ScopeFilter} function `instrument()` takes.
   */
  scopes?: Record<string, FixtureScope>;
  /**
   * The output depends on whether the engine runs `using` natively (`instrument()` lowers it
   * only when not): the fixture is checked only on engines that match.
   */
  nativeUsing?: boolean;
}

function matches(list: string[] | undefined, kind: string, name: string): boolean {
  return !!list && list.some((r) => r === kind || r === `${kind}:*` || r === `${kind}:${name}`);
}

function scopeFilter(scopes: Record<string, FixtureScope>): ScopeFilter {
  return (qualifiedName) => {
    const s = scopes[qualifiedName] ?? scopes["*"] ?? {};
    const decision: ScopeDecision = {
      exec: s.exec ?? "trace",
      valueAction: (kind, name) => (matches(s.drop, kind, name) ? "drop" : matches(s.redact, kind, name) ? "redact" : "allow"),
    };
    return decision;
  };
}

/** Instruments one fixture's input as the harness pins it. */
function instrumentFixture(name: string): { code: string; instrumented: boolean; skipSuite?: string } {
  const dir = path.join(FIXTURES, name);
  const inputs = fs.readdirSync(dir).filter((f) => INPUT.test(f));
  if (inputs.length !== 1) throw new Error(`${dir}: expected exactly one input.<ext>, found ${inputs.join(", ") || "none"}`);
  const input = inputs[0]!;
  const options = JSON.parse(fs.readFileSync(path.join(dir, "options.json"), "utf8")) as FixtureOptions;
  const { scopes, nativeUsing, ...rest } = options;
  const result = instrument(fs.readFileSync(path.join(dir, input), "utf8"), {
    ...rest,
    filename: `/fixtures/${name}/${input}`,
    ...(scopes ? { scopes: scopeFilter(scopes) } : {}),
  });
  // The inline map is appended (the default `inlineSourceMap: true`) to instrumented code, and to
  // code Babel regenerated without instrumenting (already instrumented): cut, not pinned.
  if (result.instrumented) expect(result.code).toMatch(INLINE_MAP);
  const code = result.code.replace(INLINE_MAP, "\n");
  const skipSuite =
    nativeUsing !== undefined && nativeUsing !== NATIVE_USING ? `output is for an engine ${nativeUsing ? "with" : "without"} native \`using\`` : undefined;
  return { code, instrumented: result.instrumented, ...(skipSuite ? { skipSuite } : {}) };
}

const cases = fs
  .readdirSync(FIXTURES, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

describe("generated code (test/fixtures)", () => {
  it("has fixtures", () => {
    expect(cases.length).toBeGreaterThan(40);
  });

  for (const name of cases) {
    it(name, (ctx) => {
      const { code, skipSuite } = instrumentFixture(name);
      if (skipSuite) {
        ctx.skip(skipSuite);
        return;
      }
      const outFile = path.join(FIXTURES, name, "output.js");
      if (UPDATE) {
        fs.writeFileSync(outFile, code);
        return;
      }
      if (!fs.existsSync(outFile)) throw new Error(`${outFile} is missing: run UPDATE_FIXTURES=1 npx vitest run test/fixtures.test.ts`);
      const expected = fs.readFileSync(outFile, "utf8");
      expect(code, `test/fixtures/${name}/output.js differs (if intended: UPDATE_FIXTURES=1 npx vitest run test/fixtures.test.ts)`).toBe(expected);
    });
  }
});
