// A recorded program may change any built-in before the recorder asks the filter chain for a
// decision (test262 deletes Array.prototype.push, Function.prototype.apply and
// Array.prototype[Symbol.iterator], and puts throwing accessors on Array.prototype[0..4] and
// Object.prototype[1]). The chain must neither crash nor run the program's code, and must give
// the answers it gives on an untouched realm: the decision code uses built-ins captured at load
// (test/no-program-builtins.test.ts), and re2js matches in a fresh vm realm
// (src/node/realm.ts). Run in a child process (test/fixtures/patched/child.mjs) on the built
// package (dist/, `npx tsc -b`), so the patches never reach vitest.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

const PACKAGE = path.join(import.meta.dirname, "..");
const CHILD = path.join(import.meta.dirname, "fixtures/patched/child.mjs");
const BUILTIN = path.join(PACKAGE, "builtin/builtin_default.toml");

interface ChildReport {
  expected: string;
  got: string | undefined;
  ran: number;
  error: string | null;
}

function runChild(entryUrl: string): ChildReport {
  const out = execFileSync(process.execPath, [CHILD, entryUrl, BUILTIN], { encoding: "utf8", timeout: 60_000 });
  return JSON.parse(out) as ChildReport;
}

describe("decisions after the program patched the built-ins", () => {
  it("are the decisions of an untouched realm, and run none of the program's code", () => {
    const report = runChild(pathToFileURL(path.join(PACKAGE, "dist/index.js")).href);
    expect(report.error).toBeNull();
    expect(report.ran).toBe(0);
    expect(report.got).toBe(report.expected);
    // The answers are the real ones (secrets redacted, the user's patterns applied).
    expect(report.expected).toContain("/proj/src/app.ts main: exec=trace default=allow failedClosed=false");
    expect(report.expected).toMatch(
      /\/proj\/src\/app\.ts main: .* attr:password=redact attr:author=allow attr:myHiddenField=redact attr:x_abc=drop attr:x_1=allow /,
    );
    expect(report.expected).toMatch(
      /\/proj\/src\/app\.ts main: .* local:tmp1=drop local:tmpx=allow local:token=redact local:i=allow local:keepA=allow local:keepC=allow /,
    );
    expect(report.expected).toContain("/proj/src/app.ts internalHelper: exec=skip");
    expect(report.expected).toContain("/proj/src/app.ts QuietThing: exec=trace default=redact");
    expect(report.expected).toContain("/proj/node_modules/lodash/index.js skipsWholeFile=true");
    expect(report.expected).toContain("/proj/node_modules/left-pad/index.js <module>: exec=skip default=drop");
    expect(report.expected).toMatch(/src\/chain\.ts main: exec=trace default=redact failedClosed=false/);
    expect(report.expected).toContain("metadata: 2 filters, user, skipped=1 redacted attr=1 dropped local=1");
  }, 120_000);

  it("fail closed (every value redacted), without crashing, where re2js cannot be loaded into a fresh realm", async () => {
    // A bundle outside any node_modules tree: re2js's CommonJS build cannot be resolved from it.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "trace-filter-realm-"));
    try {
      const file = path.join(dir, "bundle.mjs");
      await build({ entryPoints: [path.join(PACKAGE, "src/index.ts")], bundle: true, platform: "node", format: "esm", outfile: file, logLevel: "silent" });
      const report = runChild(pathToFileURL(file).href);
      expect(report.error).toBeNull();
      expect(report.ran).toBe(0);
      const lines = report.got!.split("\n").filter((line) => line.includes(": exec="));
      expect(lines).toHaveLength(24);
      for (const line of lines) {
        expect(line).toContain("exec=trace default=redact failedClosed=true");
        expect(line).not.toMatch(/=(allow|drop)( |$)/);
      }
      // Untouched, the same bundle decides as the package does (re2js runs in the main realm).
      expect(report.expected).toBe(runChild(pathToFileURL(path.join(PACKAGE, "dist/index.js")).href).expected);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
