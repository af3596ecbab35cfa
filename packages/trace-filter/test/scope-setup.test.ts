/**
 * The recording scope factory (`createRecordingScope`, Node wrapper `loadRecordingScope`): for
 * the same inputs it gives the same chain decisions, fingerprint and `trace_filter` metadata as
 * the assembly each front door used to do itself (reproduced below as `oldAssembly` from the
 * loader's former `loadFilterChain`/`filterFingerprint`/`scopeFilterFor`, `traceFilterSection` and
 * `stackedFilterProvenance`), on the real filter files (the Python recorder's, and this
 * package's JavaScript builtin).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FilterChain } from "../src/chain.js";
import { TraceFilterError } from "../src/errors.js";
import { builtinDefaultFilter, builtinDefaultText, loadTraceFilter, BUILTIN_DEFAULT_PATH } from "../src/node/load.js";
import { builtinDefaultSource, loadRecordingScope } from "../src/node/scope-setup.js";
import { fileRulesFilter, type FileGlobRule } from "../src/parse.js";
import { createRecordingScope, INCLUDE_EXCLUDE_PATH } from "../src/scope-setup.js";
import type { FilterMetadata, FilterProvenance, FilterStatsJSON } from "../src/stats.js";
import type { TraceFilter, ValueKind } from "../src/types.js";
import { FIXTURES, tempDir, toml, write } from "./helpers.js";

const BUILTIN_FILE = fileURLToPath(new URL("../builtin/builtin_default.toml", import.meta.url));

// ---- The former assembly, verbatim in behaviour (register/src/trace-filter.ts, stats.ts) ----

function withRealPath(p: string): string[] {
  try {
    const real = fs.realpathSync.native(p);
    return real === p ? [p] : [p, real];
  } catch {
    return [p];
  }
}
const toPosix = (p: string) => p.split(path.sep).join("/");

function oldIncludeExclude(config: { include: string[]; exclude: string[]; cwd: string }, filters: readonly TraceFilter[]): TraceFilter | undefined {
  if (config.include.length === 0 && config.exclude.length === 0) return undefined;
  const bases = withRealPath(path.resolve(config.cwd));
  const roots = [...new Set(filters.flatMap((f) => (f.root === "" ? [] : withRealPath(f.root))).map(toPosix))];
  const patterns = (glob: string): string[] => {
    if (/^\*\*(?:\/|$)/.test(glob)) return [glob];
    const out: string[] = [];
    for (const base of bases) {
      const abs = toPosix(path.resolve(base, glob));
      out.push(abs.replace(/^\/+/, ""));
      for (const root of roots) if (abs.startsWith(`${root}/`)) out.push(abs.slice(root.length + 1));
    }
    return [...new Set(out)].filter((p) => p.length > 0);
  };
  const rules = (globs: string[], exec: "trace" | "skip"): FileGlobRule[] => globs.flatMap(patterns).map((glob) => ({ glob, exec }));
  return fileRulesFilter({ name: "include-exclude", path: "<inline:include-exclude>", description: "--include and --exclude" }, [
    ...rules(config.include, "trace"),
    ...rules(config.exclude, "skip"),
  ]);
}

interface OldConfig {
  traceFilters: string[];
  include: string[];
  exclude: string[];
  cwd: string;
}

function oldAssembly(config: OldConfig) {
  const filters = [builtinDefaultFilter(), ...config.traceFilters.map((p) => loadTraceFilter(p))];
  const ie = oldIncludeExclude(config, filters);
  if (ie) filters.push(ie);
  const chain = new FilterChain(filters);
  return {
    chain,
    fingerprint: JSON.stringify({ filters: chain.metadata().filters, include: config.include, exclude: config.exclude }),
    section: (counters: FilterStatsJSON, skipped = 0): FilterMetadata => ({
      filters: [...chain.metadata().filters],
      stats: {
        scopes_skipped: counters.scopes_skipped + skipped,
        value_redactions: { ...counters.value_redactions },
        value_drops: { ...counters.value_drops },
      },
    }),
    stacked: (loader: FilterMetadata | undefined, counters: FilterStatsJSON | undefined) => {
      const own = chain.metadata().filters;
      const list: FilterProvenance[] = loader ? [...loader.filters] : own.length > 0 ? [own[0]!] : [];
      list.push(...own.slice(1));
      return { filters: list, stats: loader?.stats ?? counters };
    },
  };
}

// ---- Inputs ----

const COUNTERS: FilterStatsJSON = {
  scopes_skipped: 3,
  value_redactions: { argument: 1, local: 2, global: 0, return: 0, attribute: 4 },
  value_drops: { argument: 0, local: 5, global: 1, return: 0, attribute: 0 },
};
const KINDS: ValueKind[] = ["arg", "local", "global", "ret", "attr"];
const NAMES = ["password", "userPassword", "api_key", "author", "count", "session_id", "x"];
const OBJS = ["<module>", "main", "UserService.login", "Auth.token", "helper"];

/** Every decision of `chain` for `files` × OBJS: exec, matched rules, and the value action per kind × name. */
function decisions(chain: FilterChain, files: string[]) {
  return files.map((file) => ({
    file,
    whole: chain.skipsWholeFile(file),
    scopes: OBJS.map((obj) => {
      const d = chain.classify({ file, obj });
      return {
        obj,
        exec: d.exec,
        rules: d.matchedRules.map((r) => `${r.source}#${r.index}`),
        values: KINDS.map((k) => NAMES.map((n) => d.valueAction(k, n)).join(",")),
      };
    }),
  }));
}

describe("createRecordingScope / loadRecordingScope", () => {
  let root: string;
  let link: string;
  let project: string;
  let extra: string;
  let files: string[];

  beforeAll(() => {
    root = tempDir();
    write(path.join(root, "app", "package.json"), "{}");
    // The project filter: the Python recorder's web demo filter (skips everything but one file), then a JS one.
    project = write(path.join(root, "app", ".codetracer", "trace-filter.toml"), fs.readFileSync(path.join(FIXTURES, "web_demo.toml"), "utf8"));
    extra = write(
      path.join(root, "filters", "js.toml"),
      toml(
        `[[scope.rules]]
selector = "file:glob:src/**"
exec = "trace"

[[scope.rules]]
selector = "pkg:glob:marked"
exec = "trace"

[[scope.rules.value_patterns]]
selector = "local:glob:count"
action = "redact"

[[scope.rules]]
selector = "obj:glob:Auth.*"
exec = "skip"
`,
        { name: "js", exec: "inherit", value: "inherit" },
      ),
    );
    // The working directory reached through a symbolic link: the globs are written for both paths.
    link = path.join(root, "link");
    fs.symlinkSync(path.join(root, "app"), link);
    files = [
      path.join(root, "app", "src", "main.ts"),
      path.join(root, "app", "src", "gen", "out.js"),
      path.join(root, "app", "flask", "app.py"),
      path.join(root, "app", "test", "a.test.ts"),
      path.join(root, "app", "node_modules", "marked", "lib", "marked.esm.js"),
      path.join(root, "app", "node_modules", "left-pad", "index.js"),
      path.join(root, "shared", "util.ts"),
      path.join(link, "src", "main.ts"),
      "/elsewhere/x.js",
    ];
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  const configs = (): [string, OldConfig][] => [
    ["builtin only", { traceFilters: [], include: [], exclude: [], cwd: root }],
    [
      "the Python fixtures",
      { traceFilters: [path.join(FIXTURES, "web_demo.toml"), path.join(FIXTURES, "examples_click_test.toml")], include: [], exclude: [], cwd: root },
    ],
    ["project + js filter", { traceFilters: [project, extra], include: [], exclude: [], cwd: path.join(root, "app") }],
    [
      "include/exclude through a symlinked cwd",
      {
        traceFilters: [project, extra],
        include: ["src/**", "node_modules/left-pad/**", "../shared/**", "**/flask/*.py"],
        exclude: ["src/gen/**", path.join(root, "app", "test", "**")],
        cwd: link,
      },
    ],
    ["globs with the builtin only", { traceFilters: [], include: ["node_modules/marked/**"], exclude: ["**/*.test.ts"], cwd: path.join(root, "app") }],
  ];

  it("makes the same chain, decisions, fingerprint and metadata as the former assembly", () => {
    for (const [label, config] of configs()) {
      const old = oldAssembly(config);
      const scope = loadRecordingScope({ files: config.traceFilters, include: config.include, exclude: config.exclude, cwd: config.cwd });
      expect(
        scope.chain.filters.map((f) => [f.path, f.root, f.sha256]),
        label,
      ).toEqual(old.chain.filters.map((f) => [f.path, f.root, f.sha256]));
      expect(decisions(scope.chain, files), label).toEqual(decisions(old.chain, files));
      expect(scope.fingerprint, label).toBe(old.fingerprint);
      expect(scope.metadata(COUNTERS), label).toEqual(old.section(COUNTERS));
      expect(scope.metadata(COUNTERS, 7), label).toEqual(old.section(COUNTERS, 7));
      const loader = oldAssembly(configs()[3]![1]).section(COUNTERS, 2);
      expect(scope.stackedMetadata(loader, COUNTERS), label).toEqual(old.stacked(loader, COUNTERS));
      expect(scope.stackedMetadata(undefined, COUNTERS), label).toEqual(old.stacked(undefined, COUNTERS));
      expect(scope.stackedMetadata(undefined, undefined), label).toEqual(old.stacked(undefined, undefined));
      // The per-file scope decisions are the chain's.
      for (const file of files) {
        expect(scope.scopesFor(file)("UserService.login").exec).toBe(old.chain.classify({ file, obj: "UserService.login" }).exec);
      }
    }
  });

  it("records real decisions: the web demo skips all but its app, the include/exclude filter comes last and an exclude wins", () => {
    const [, config] = configs()[3]!;
    const scope = loadRecordingScope({ files: config.traceFilters, include: config.include, exclude: config.exclude, cwd: config.cwd });
    expect(scope.chain.filters.map((f) => f.path)).toEqual([BUILTIN_DEFAULT_PATH, project, extra, INCLUDE_EXCLUDE_PATH]);
    const exec = (file: string, obj = "main") => scope.chain.classify({ file, obj }).exec;
    expect(exec(path.join(root, "app", "src", "main.ts"))).toBe("trace");
    expect(exec(path.join(link, "src", "main.ts"))).toBe("trace"); // the glob written for the symlink's path too
    expect(exec(path.join(root, "app", "src", "gen", "out.js"))).toBe("skip"); // excluded
    expect(exec(path.join(root, "app", "test", "a.test.ts"))).toBe("skip"); // absolute exclude
    expect(exec(path.join(root, "app", "node_modules", "left-pad", "index.js"))).toBe("trace"); // included
    expect(exec(path.join(root, "shared", "util.ts"))).toBe("trace"); // ../shared/**
    expect(exec(path.join(root, "app", "src", "main.ts"), "Auth.token")).toBe("trace"); // the include is the last rule
    // The builtin's secret names stay redacted.
    expect(scope.chain.classify({ file: path.join(root, "app", "src", "main.ts"), obj: "main" }).valueAction("local", "userPassword")).toBe("redact");
  });

  it("keeps each filter's text as read, the builtin first, for a bundle to carry", () => {
    const scope = loadRecordingScope({ files: [project, extra], include: ["src/**"], cwd: path.join(root, "app") });
    expect(scope.sources).toEqual([
      { path: BUILTIN_DEFAULT_PATH, root: "", text: fs.readFileSync(BUILTIN_FILE, "utf8") },
      { path: project, root: path.join(root, "app"), text: fs.readFileSync(project, "utf8") },
      { path: extra, root: path.join(root, "filters"), text: fs.readFileSync(extra, "utf8") },
    ]);
    expect(scope.sources[0]!.text).toBe(builtinDefaultText());
  });

  it("rebuilds the same chain from the texts alone (the bundle runtime and the page), without reading a file", () => {
    const [, config] = configs()[2]!;
    const built = loadRecordingScope({ files: config.traceFilters, cwd: config.cwd });
    const texts = built.sources.slice(1).map((s) => ({ path: s.path, root: s.root, text: s.text }));
    const rebuilt = createRecordingScope({ builtin: builtinDefaultSource(), filters: texts });
    expect(rebuilt.fingerprint).toBe(built.fingerprint);
    expect(decisions(rebuilt.chain, files)).toEqual(decisions(built.chain, files));
    expect(rebuilt.metadata(COUNTERS)).toEqual(built.metadata(COUNTERS));
    // Parsing the builtin's text again gives the same filter as the shared parsed one.
    const reparsed = createRecordingScope({ builtin: { path: BUILTIN_DEFAULT_PATH, root: "", text: builtinDefaultText() }, filters: texts });
    expect(decisions(reparsed.chain, files)).toEqual(decisions(built.chain, files));
  });

  it("can leave the builtin out", () => {
    const click = path.join(FIXTURES, "examples_click_test.toml");
    const scope = loadRecordingScope({ files: [click, extra], builtin: false });
    expect(scope.chain.filters.map((f) => f.path)).toEqual([click, extra]);
    expect(scope.sources.map((s) => s.path)).toEqual([click, extra]);
    // Without the builtin nothing redacts a secret-looking name, and node_modules is recorded.
    const file = path.join(root, "app", "node_modules", "left-pad", "index.js");
    expect(scope.chain.classify({ file, obj: "main" }).valueAction("local", "password")).toBe("allow");
    expect(scope.chain.skipsWholeFile(file)).toBe(false);
    // A filter that inherits needs an earlier one: the same error as a chain built by hand.
    expect(() => loadRecordingScope({ files: [extra], builtin: false })).toThrow(/needs an earlier filter/);
  });

  it("reports the first bad filter in chain order: an invalid file before a missing one", () => {
    const bad = write(path.join(root, "bad.toml"), toml(`[[scope.rules]]\nselector = "nope:glob:x"\nexec = "skip"\n`));
    const missing = path.join(root, "missing.toml");
    const error = (() => {
      try {
        loadRecordingScope({ files: [bad, missing] });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(TraceFilterError);
    expect((error as TraceFilterError).code).toBe("ERR_INVALID_POLICY_VALUE");
    expect((error as TraceFilterError).message).toContain(bad);
    expect(() => loadRecordingScope({ files: [missing, bad] })).toThrow(expect.objectContaining({ code: "ERR_IO" }));
    // A glob the selector grammar rejects, naming the include/exclude filter.
    expect(() => loadRecordingScope({ files: [], include: ["src/[z-a]"], cwd: root })).toThrow(TraceFilterError);
  });
});
