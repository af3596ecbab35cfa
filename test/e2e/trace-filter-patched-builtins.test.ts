/**
 * Trace filters, part 6: a program that patches the built-ins as test262 does (deletes
 * Array.prototype.push, Array.prototype[Symbol.iterator] and Function.prototype.apply, puts
 * throwing accessors on Array.prototype[0..4], replaces String.prototype.charCodeAt and
 * codePointAt with counting versions), then makes an object whose fields the builtin filter
 * decides on, recorded through `node --import @codetracer/register` (the esbuild bundle of the
 * loader, which holds trace-filter and re2js). The builtin's secret-name regex is matched by
 * re2js in a vm realm of its own (packages/trace-filter/src/node/realm.ts, found from the
 * bundle): the fields are decided as without the patches, and none of the program's accessors
 * or replaced methods runs. (Matched in the program's realm, 6 of them ran and make()'s return
 * value was lost.) The program puts the built-ins back before it ends: the trace is finished by
 * code outside trace-filter (Node's path.join calls push).
 */
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { REGISTER_URL, cleanupTempDirs, describeRun, recordWithImport } from "../utils/run.js";
import { TraceQuery, formatIssues } from "../utils/trace.js";
import { copyProject, filesContaining } from "../fixtures/trace-filter/harness.js";
import { expectReaderLoads } from "../utils/expect-trace.js";

afterAll(cleanupTempDirs);

describe("trace filters on a program that patched the built-ins", () => {
  it("decides the fields as on an untouched realm and runs none of the program's code", async () => {
    const dir = copyProject("patched-builtins");
    const run = await recordWithImport(path.join(dir, "main.js"), [], { cwd: dir, loader: REGISTER_URL });
    expect(run.code, describeRun(run)).toBe(0);
    const out = JSON.parse(run.stdout.trim().split("\n").pop()!) as Record<string, unknown>;
    expect(out).toEqual({ ran: 0, author: "VISIBLE-author", colour: "VISIBLE-colour", secrets: 28 });

    const report = TraceQuery.validate(run.traceDir);
    expect(report.ok, formatIssues(report)).toBe(true);
    const q = new TraceQuery(run.traceDir);
    const [made] = q.returnsOf("make");
    expect(made).toEqual({
      password: { $error: "<redacted>" },
      author: "VISIBLE-author",
      nested: { apiKey: { $error: "<redacted>" }, colour: "VISIBLE-colour" },
    });
    expect(filesContaining(run.traceDir, "SECRET-")).toEqual([]);
    expectReaderLoads(run.traceDir);
  }, 120_000);
});
