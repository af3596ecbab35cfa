/**
 * The SCRIPT argument is resolved as `node SCRIPT` resolves it (a directory, a name without
 * extension), plus the extensions the recorder runs; an empty `--trace-dir` is rejected with
 * `ERR_TRACE_DIR_CONFLICT` instead of recording into the working directory. Issue 17, items
 * 16 and 17. The last tests run the built CLI (`dist/main.js`): build runtime, register and cli first.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { resolveScript } from "../src/args.js";

const CLI_MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../dist/main.js");
const RTCLI = [
  process.env.CODETRACER_RTCLI,
  path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../../shared/tools/codetracer-reader/rtcli"),
].find((file): file is string => typeof file === "string" && fs.existsSync(file));

const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "ct-cli-script-")));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** Writes `files` (path relative to `root` → text) and returns `root`. */
function tree(files: Record<string, string>): string {
  for (const [name, text] of Object.entries(files)) {
    const file = path.join(root, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  }
  return root;
}

// Each script prints the file Node runs (CommonJS: __filename; ES module: import.meta.url).
const cjs = "function where() { return __filename; }\nconsole.log(where());\n";
const esm = 'import { fileURLToPath } from "node:url";\nfunction where() { return fileURLToPath(import.meta.url); }\nconsole.log(where());\n';
tree({
  "ok.js": cjs,
  "adir/index.js": cjs,
  "pdir/package.json": JSON.stringify({ main: "lib/start.js" }),
  "pdir/lib/start.js": cjs,
  "pdir-noext/package.json": JSON.stringify({ main: "lib/start" }),
  "pdir-noext/lib/start.js": cjs,
  "both.js": cjs,
  "both/index.js": cjs,
  "mod.mjs": esm,
  "tsapp.ts": "function where(): string { return __filename; }\nconsole.log(where());\n",
  "tsdir/index.ts": "function where(): string { return __filename; }\nconsole.log(where());\n",
  "tsmain/package.json": JSON.stringify({ main: "src/main" }),
  "tsmain/src/main.ts": "function where(): string { return __filename; }\nconsole.log(where());\n",
  "emptydir/.keep": "",
});

describe("resolveScript: as node resolves its main script", () => {
  // Every case node runs itself: the recorder runs the same file.
  for (const name of ["ok.js", "ok", "./ok", "adir", "adir/", "pdir", "pdir-noext", "both", "mod.mjs"]) {
    it(`${name}: the file node runs`, () => {
      const plain = spawnSync(process.execPath, [name], { cwd: root, encoding: "utf8" });
      expect(plain.status, plain.stderr).toBe(0);
      expect(resolveScript(name, root)).toBe(plain.stdout.trim());
    });
  }

  it("a name node does not find: the recorder's extensions (.mjs .cjs .ts …), and a directory's index or main with them", () => {
    for (const name of ["mod", "tsapp", "tsdir", "tsmain"]) {
      const plain = spawnSync(process.execPath, [name], { cwd: root, encoding: "utf8" });
      expect(plain.status, `node ${name} fails by itself`).not.toBe(0);
    }
    expect(resolveScript("mod", root)).toBe(path.join(root, "mod.mjs"));
    expect(resolveScript("tsapp", root)).toBe(path.join(root, "tsapp.ts"));
    expect(resolveScript("tsdir", root)).toBe(path.join(root, "tsdir/index.ts"));
    expect(resolveScript("tsmain", root)).toBe(path.join(root, "tsmain/src/main.ts"));
  });

  it("nothing to run: undefined", () => {
    expect(resolveScript("missing", root)).toBeUndefined();
    expect(resolveScript("missing.js", root)).toBeUndefined();
    expect(resolveScript("emptydir", root)).toBeUndefined();
    expect(resolveScript("", root)).toBeUndefined();
  });

  it("an existing file is kept as given (absolute, symbolic links not resolved)", () => {
    fs.symlinkSync(path.join(root, "ok.js"), path.join(root, "link.js"));
    expect(resolveScript("link.js", root)).toBe(path.join(root, "link.js"));
    expect(resolveScript(path.join(root, "ok.js"), "/")).toBe(path.join(root, "ok.js"));
  });
});

/** Runs the built CLI in `cwd`. */
function cli(argv: string[], cwd = root) {
  const env = { ...process.env, CODETRACER_FORMAT: "json" };
  for (const key of Object.keys(env)) if (key.startsWith("VITEST") || key === "NODE_OPTIONS") delete env[key];
  return spawnSync(process.execPath, [CLI_MAIN, ...argv], { cwd, env, encoding: "utf8", timeout: 60_000 });
}

describe.skipIf(!fs.existsSync(CLI_MAIN))("the built CLI", () => {
  for (const [name, file] of [
    ["adir", "adir/index.js"],
    ["ok", "ok.js"],
    ["tsapp", "tsapp.ts"],
  ] as const) {
    it(`codetracer-js-recorder ${name}: records ${file}, as node runs it`, () => {
      const traceDir = path.join(root, `trace-${name}`);
      const r = cli(["--trace-dir", traceDir, name]);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout.trim()).toBe(path.join(root, file));
      const meta = JSON.parse(fs.readFileSync(path.join(traceDir, "trace_metadata.json"), "utf8")) as { program: string };
      expect(meta.program).toBe(path.join(root, file));
      const trace = fs.readFileSync(path.join(traceDir, "trace.json"), "utf8");
      expect(trace).toContain('"where"');
      if (RTCLI) expect(spawnSync(RTCLI, ["read", traceDir], { encoding: "utf8" }).stdout).toMatch(/^events: [1-9]\d*$/m);
    }, 60_000);
  }

  it("a script that does not exist: exit 2, script not found", () => {
    const r = cli(["--trace-dir", path.join(root, "trace-missing"), "missing"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("script not found: missing");
  });

  it('--trace-dir "": exit 1 with ERR_TRACE_DIR_CONFLICT, nothing written into the working directory', () => {
    const cwd = fs.mkdtempSync(path.join(root, "cwd-"));
    fs.copyFileSync(path.join(root, "ok.js"), path.join(cwd, "ok.js"));
    const r = cli(["--trace-dir", "", "ok.js"], cwd);
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toContain("[ERR_TRACE_DIR_CONFLICT]");
    expect(r.stdout).toBe(""); // the program did not run
    expect(fs.readdirSync(cwd)).toEqual(["ok.js"]);
    const json = cli(["--json-errors", "--trace-dir", "", "ok.js"], cwd);
    expect(json.stderr).toMatch(/"error_code":"ERR_TRACE_DIR_CONFLICT"/);
  });
});
