import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import { TraceFilterError } from "../src/errors.js";
import { parseTraceFilter } from "../src/parse.js";
import type { TraceFilter } from "../src/types.js";

/**
 * The real filter files of the Python recorder, copied unchanged from the project's shared
 * fixtures (`shared/fixtures/trace-filters`; origin and commits in SOURCES.md), so the tests
 * run from any checkout.
 */
export const FIXTURES = fileURLToPath(new URL("./fixtures/python/", import.meta.url));

/** A fresh temporary folder (real path, so comparisons with realpath'd roots hold). */
export function tempDir(): string {
  return fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "trace-filter-")));
}

/** Writes `text` to `file`, creating folders. */
export function write(file: string, text: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}

/** A minimal valid filter with the given `[scope]` defaults and extra TOML after `[scope]`. */
export function toml(body = "", opts: { name?: string; exec?: string; value?: string } = {}): string {
  return `[meta]
name = "${opts.name ?? "t"}"
version = 1

[scope]
default_exec = "${opts.exec ?? "trace"}"
default_value_action = "${opts.value ?? "allow"}"
${body}`;
}

/** Parses `text` as if it were `/proj/.codetracer/trace-filter.toml` (root `/proj`) unless told. */
export function filter(text: string, file = "/proj/.codetracer/trace-filter.toml"): TraceFilter {
  return parseTraceFilter(text, { path: file });
}

/** Asserts that `fn` throws a TraceFilterError with `code` whose message equals/contains `message`. */
export function expectFilterError(
  fn: () => unknown,
  code: TraceFilterError["code"],
  message: string | RegExp,
  context?: Record<string, string>,
): TraceFilterError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(TraceFilterError);
  const e = caught as TraceFilterError;
  expect(e.code).toBe(code);
  if (typeof message === "string") expect(e.message).toBe(message);
  else expect(e.message).toMatch(message);
  if (context !== undefined) expect(e.context).toMatchObject(context);
  return e;
}
