/**
 * Trace filters, part 4: the `trace_filter` section of `trace_metadata.json`: the chain in
 * order with each file's name, path, version and SHA-256 (of its bytes), and the counters,
 * computed by hand from `test/fixtures/trace-filter/metadata/app.mjs`.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readMetadata } from "../utils/expect-trace.js";
import { REGISTER_URL, REPO_ROOT, cleanupTempDirs, describeRun, recordWithImport } from "../utils/run.js";
import { TraceQuery, formatIssues } from "../utils/trace.js";
import {
  DROPPED,
  REDACTED,
  copyProject,
  filterText,
  kinds,
  record,
  stepNames,
  type Recording,
  type TraceFilterMetadata,
} from "../fixtures/trace-filter/harness.js";

afterAll(cleanupTempDirs);

const BUILTIN = path.join(REPO_ROOT, "packages/trace-filter/builtin/builtin_default.toml");
const sha256 = (file: string) => createHash("sha256").update(fs.readFileSync(file)).digest("hex");

/**
 * The counters of app.mjs under its chain (project filter, env.toml, cli-a.toml::cli-b.toml,
 * --exclude 'vendor/**'):
 * - hash(password, salt), called 3 times: 3 redacted arguments; `password` at its one step: 3
 *   redacted locals;
 * - getToken, called twice: 2 redacted returns (the builtin matches the function's name);
 * - audit(entry), called twice with { id, secret, trace }: entry is written at the Call and at
 *   its one step, so `secret` is redacted 4 times and `trace` (project filter) dropped 4 times;
 * - tmpDrop(note) (value_default = drop from env.toml; skipped by cli-a, traced again by
 *   cli-b): 1 dropped argument, `note` at its one step: 1 dropped local, 1 dropped return;
 * - API_KEY at the module steps after its declaration (`const require`, `const { vendorCjs }`,
 *   `run()`, `console.log`): 4 redacted globals;
 * - skipped scopes: internalOnly (app.mjs) and internalEsm (lib.mjs) by the project's obj:
 *   rule, and the excluded vendor/lib.cjs (require) and vendor/esm-lib.mjs (import): 4.
 */
const EXPECTED_STATS: TraceFilterMetadata["stats"] = {
  scopes_skipped: 4,
  value_redactions: kinds({ argument: 3, local: 3, global: 4, return: 2, attribute: 4 }),
  value_drops: kinds({ argument: 1, local: 1, return: 1, attribute: 4 }),
};

const FILTER_FILES = ["filters/env.toml", "filters/cli-a.toml", "filters/cli-b.toml"];

describe.each(["cli", "import"] as const)("trace_filter metadata (%s)", (mode) => {
  let rec: Recording;
  beforeAll(async () => {
    const dir = copyProject("metadata");
    if (mode === "cli") {
      rec = await record(dir, "app.mjs", {
        env: { CODETRACER_TRACE_FILTER: "filters/env.toml" },
        cliArgs: ["--trace-filter", "filters/cli-a.toml::filters/cli-b.toml", "--exclude", "vendor/**"],
      });
    } else {
      // node --import: the whole list in CODETRACER_TRACE_FILTER, '::'-separated.
      const run = await recordWithImport(`${dir}/app.mjs`, [], {
        cwd: dir,
        loader: REGISTER_URL,
        exclude: ["vendor/**"],
        env: { CODETRACER_TRACE_FILTER: FILTER_FILES.join("::") },
      });
      expect(run.code, describeRun(run)).toBe(0);
      const report = TraceQuery.validate(run.traceDir);
      expect(report.errors, formatIssues(report)).toEqual([]);
      const meta = readMetadata(run.traceDir) as unknown as { trace_filter: TraceFilterMetadata };
      rec = { run, dir, q: new TraceQuery(run.traceDir), filter: meta.trace_filter };
    }
  });

  it("the program ran", () => {
    expect(rec.run.stdout).toBe("done 3\n");
  });

  it("lists the filters in chain order with name, path, version and the SHA-256 of their bytes", () => {
    const { filters } = rec.filter;
    const files = [".codetracer/trace-filter.toml", ...FILTER_FILES].map((f) => path.join(rec.dir, f));
    expect(filters.slice(0, 5)).toEqual([
      { name: "builtin-default", path: "<inline:builtin-default>", sha256: sha256(BUILTIN), version: 1 },
      ...["metadata-project", "metadata-env", "metadata-cli-a", "metadata-cli-b"].map((name, i) => ({
        name,
        path: files[i],
        sha256: sha256(files[i]!),
        version: 1,
      })),
    ]);
    expect(filters.slice(5).map((f) => [f.name, f.path, f.version])).toEqual([["include-exclude", "<inline:include-exclude>", 1]]);
    expect(filters[5]!.sha256).toMatch(/^[0-9a-f]{64}$/);
    // Distinct files, distinct hashes.
    expect(new Set(filters.map((f) => f.sha256)).size).toBe(filters.length);
  });

  it("counts skipped scopes, redactions and drops", () => {
    expect(rec.filter.stats).toEqual(EXPECTED_STATS);
  });

  it("the trace shows what the counters count", () => {
    const q = rec.q;
    const names = q.functionNames();
    for (const skipped of ["internalOnly", "internalEsm", "vendorCjs", "vendorEsm"]) expect(names, skipped).not.toContain(skipped);
    expect(q.callsOf("hash").map((c) => c.args)).toEqual([0, 1, 2].map((salt) => ({ password: REDACTED, salt })));
    expect(q.returnsOf("getToken")).toEqual([REDACTED, REDACTED]);
    expect(q.callsOf("audit").map((c) => c.args)).toEqual([{ entry: { id: 1, secret: REDACTED } }, { entry: { id: 2, secret: REDACTED } }]);
    // tmpDrop: traced (cli-b after cli-a), every value dropped
    const [drop] = q.callsOf("tmpDrop");
    expect(drop?.argRecords).toEqual([]);
    expect(q.returnsOf("tmpDrop")).toEqual([DROPPED]);
    expect(stepNames(q, "tmpDrop").size).toBe(0);
    expect(q.returnsOf("esmHelper")).toEqual([9]);
  });
});

describe("scopes_skipped counts the skipped scopes of every loaded file", () => {
  let rec: Recording;
  beforeAll(async () => {
    const projectFilter = filterText(
      "modules",
      `
[[scope.rules]]
selector = "obj:literal:<module>"
exec = "skip"

[[scope.rules]]
selector = "obj:regex:^(add|mul|sub)$"
exec = "skip"
`,
    );
    rec = await record(copyProject("grammar", { projectFilter }), "load-only.js");
  });

  it("also for a loaded file none of whose traced functions runs", () => {
    expect(rec.run.stdout).toBe("8\n");
    expect([...rec.q.functionNames()].sort()).toEqual(["<top-level>", "report"]);
    // load-only.js: <module>; src/util.js: <module>, add, mul, sub
    expect(rec.filter.stats.scopes_skipped).toBe(5);
  });
});
