/**
 * Discovery of the project filter (`.codetracer/trace-filter.toml`) is bounded and trusts only
 * the user's files: it stops at the project root (the nearest folder with a `package.json` or
 * `.git`, searched too), and passes over, with a report naming the file, a filter owned by
 * another user or writable by group or others (a planted `/tmp/.codetracer/trace-filter.toml`
 * must not un-redact a program's secrets). Real folders under a temporary folder; the
 * "another user" cases `chown` a file to uid 65534 and so need root (skipped otherwise).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { discoverProjectFilter, resolveFilterPaths, untrustedFilterReason, type IgnoredFilter } from "../src/node/load.js";
import { resolveFilterChain } from "../src/node/scope-setup.js";
import { tempDir, toml, write } from "./helpers.js";

const IS_ROOT = typeof process.getuid === "function" && process.getuid() === 0;
const HAS_UIDS = typeof process.getuid === "function";
const OTHER_UID = 65534;

/** A filter that allows every value: what an attacker plants to un-redact secrets. */
const UNREDACT = toml(
  `
[[scope.rules]]
selector = "file:glob:**"
[[scope.rules.value_patterns]]
selector = "local:glob:*"
action = "allow"
`,
  { name: "planted" },
);

/** Discovery from `start`, collecting what it passes over. */
function discover(start: string): { found: string | undefined; ignored: IgnoredFilter[] } {
  const ignored: IgnoredFilter[] = [];
  const found = discoverProjectFilter(start, { onIgnored: (i) => ignored.push(i) });
  return { found, ignored };
}

/** A project `<parent>/proj` (with `package.json`) whose script lives in `proj/src`. */
function projectUnder(parent: string, marker: "package.json" | ".git" = "package.json"): { proj: string; src: string } {
  const proj = path.join(parent, "proj");
  const src = path.join(proj, "src");
  fs.mkdirSync(src, { recursive: true });
  if (marker === ".git") fs.mkdirSync(path.join(proj, ".git"));
  else fs.writeFileSync(path.join(proj, "package.json"), "{}");
  return { proj, src };
}

describe("discovery stops at the project root", () => {
  it("does not use a filter above the nearest package.json", () => {
    const root = tempDir();
    write(path.join(root, ".codetracer", "trace-filter.toml"), UNREDACT);
    const { src } = projectUnder(root);
    expect(discover(src)).toEqual({ found: undefined, ignored: [] });
    expect(resolveFilterPaths({ entryScript: path.join(src, "app.js"), cwd: root, env: {} })).toEqual([]);
  });

  it("does not use a filter above the nearest .git (a folder or a worktree's file)", () => {
    const root = tempDir();
    write(path.join(root, ".codetracer", "trace-filter.toml"), UNREDACT);
    const { src } = projectUnder(root, ".git");
    expect(discover(src).found).toBeUndefined();
    const other = path.join(root, "wt");
    write(path.join(other, ".git"), "gitdir: /elsewhere\n");
    fs.mkdirSync(path.join(other, "lib"));
    expect(discover(path.join(other, "lib")).found).toBeUndefined();
  });

  it("uses the project root's own filter and one between the script and the root", () => {
    const root = tempDir();
    write(path.join(root, ".codetracer", "trace-filter.toml"), UNREDACT);
    const { proj, src } = projectUnder(root);
    const atRoot = write(path.join(proj, ".codetracer", "trace-filter.toml"), toml());
    expect(discover(src)).toEqual({ found: atRoot, ignored: [] });
    const nested = write(path.join(src, ".codetracer", "trace-filter.toml"), toml());
    expect(discover(path.join(src)).found).toBe(nested);
  });

  it("stops at the innermost package of a monorepo", () => {
    const root = tempDir();
    fs.writeFileSync(path.join(root, "package.json"), "{}");
    write(path.join(root, ".codetracer", "trace-filter.toml"), toml());
    const { src } = projectUnder(path.join(root, "packages"));
    expect(discover(src).found).toBeUndefined();
    expect(discover(path.join(root, "packages")).found).toBe(path.join(root, ".codetracer", "trace-filter.toml"));
  });
});

describe.skipIf(!HAS_UIDS)("discovery ignores a filter another user could have written", () => {
  it("passes over a filter writable by others, and one writable by the group, naming the file", () => {
    const root = tempDir();
    const { proj, src } = projectUnder(root);
    const file = write(path.join(proj, ".codetracer", "trace-filter.toml"), UNREDACT);
    fs.chmodSync(file, 0o666);
    expect(discover(src)).toEqual({ found: undefined, ignored: [{ file, reason: "writable by its group and others (mode 666)" }] });
    fs.chmodSync(file, 0o620);
    expect(discover(src).ignored).toEqual([{ file, reason: "writable by its group (mode 620)" }]);
    fs.chmodSync(file, 0o644);
    expect(discover(src)).toEqual({ found: file, ignored: [] });
  });

  it("passes over an untrusted filter and finds a trusted one further up (inside the project)", () => {
    const root = tempDir();
    const { proj, src } = projectUnder(root);
    const trusted = write(path.join(proj, ".codetracer", "trace-filter.toml"), toml());
    const planted = write(path.join(src, ".codetracer", "trace-filter.toml"), UNREDACT);
    fs.chmodSync(planted, 0o646);
    expect(discover(src)).toEqual({ found: trusted, ignored: [{ file: planted, reason: "writable by others (mode 646)" }] });
  });

  it.skipIf(!IS_ROOT)("passes over a filter owned by another user (as /tmp/.codetracer planted by one would be)", () => {
    // Not root: this process cannot give a file away (chown), so the case cannot be built.
    const root = tempDir(); // no package.json above: the walk reaches the planted filter
    const planted = write(path.join(root, ".codetracer", "trace-filter.toml"), UNREDACT);
    fs.chownSync(planted, OTHER_UID, OTHER_UID);
    const script = path.join(root, "scratch", "app.js");
    write(script, "");
    const { found, ignored } = discover(path.dirname(script));
    expect(ignored).toEqual([{ file: planted, reason: `owned by uid ${OTHER_UID}, not by this user (uid 0) or root` }]);
    expect(found).not.toBe(planted);
    expect(untrustedFilterReason(planted)).toMatch(/^owned by uid 65534/);
    // The chain then has no planted filter: the builtin's redaction holds.
    const chain = resolveFilterChain({ entryScript: script, cwd: root, env: {}, onIgnored: () => {} });
    expect(chain.filters.map((f) => f.path)).not.toContain(planted);
    expect(chain.filters.map((f) => f.path)).toEqual(["<inline:builtin-default>", ...(found ? [found] : [])]);
    // Given back to this user, it is used.
    fs.chownSync(planted, 0, 0);
    expect(discover(path.dirname(script))).toEqual({ found: planted, ignored: [] });
  });

  it("by default reports an ignored filter as a process warning naming it", async () => {
    const root = tempDir();
    const { proj, src } = projectUnder(root);
    const file = write(path.join(proj, ".codetracer", "trace-filter.toml"), UNREDACT);
    fs.chmodSync(file, 0o666);
    const warnings: Error[] = [];
    const listener = (w: Error) => warnings.push(w);
    process.on("warning", listener);
    try {
      expect(discoverProjectFilter(src)).toBeUndefined();
      await new Promise((r) => setImmediate(r)); // warnings are emitted on the next tick
    } finally {
      process.off("warning", listener);
    }
    expect(warnings.map((w) => [(w as NodeJS.ErrnoException).code, w.message])).toEqual([
      ["CODETRACER_UNTRUSTED_FILTER", `ignoring the trace filter ${file}: writable by its group and others (mode 666)`],
    ]);
  });

  it("judges a symbolic link by the file it points to", () => {
    const root = tempDir();
    const { proj, src } = projectUnder(root);
    const target = write(path.join(root, "elsewhere.toml"), UNREDACT);
    fs.chmodSync(target, 0o666);
    const link = path.join(proj, ".codetracer", "trace-filter.toml");
    fs.mkdirSync(path.dirname(link));
    fs.symlinkSync(target, link);
    expect(discover(src).ignored).toEqual([{ file: link, reason: "writable by its group and others (mode 666)" }]);
    fs.chmodSync(target, 0o600);
    expect(discover(src).found).toBe(link);
  });
});
