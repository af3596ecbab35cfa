/**
 * An empty trace directory is refused with `ERR_TRACE_DIR_CONFLICT` (it would resolve to the
 * working directory and the recording would write its files there): `startSession` and the
 * session API's `start`. The CLI's `--trace-dir ""` is in packages/cli/test/script.test.ts.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { RecorderError } from "../src/errors.js";
import { start } from "../src/node/api.js";
import { startSession } from "../src/node/session.js";

const cwd = process.cwd();
let dir = "";
afterEach(() => {
  process.chdir(cwd);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** The error `fn` throws (fails the test when it throws none). */
function thrown(fn: () => unknown): RecorderError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(RecorderError);
    return error as RecorderError;
  }
  throw new Error("expected a throw");
}

describe("an empty trace directory", () => {
  it("startSession and start throw ERR_TRACE_DIR_CONFLICT and write nothing into the working directory", () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ct-empty-dir-"));
    process.chdir(dir);
    expect(thrown(() => startSession({ traceDir: "", program: "/abs/app.js", args: [] })).code).toBe("ERR_TRACE_DIR_CONFLICT");
    expect(thrown(() => start("")).code).toBe("ERR_TRACE_DIR_CONFLICT");
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
