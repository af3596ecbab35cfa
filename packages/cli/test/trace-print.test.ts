/**
 * `codetracer-trace print` (docs/commands.md "print", issue 18) on real recordings made with
 * the built CLI: fixtures/print/program.js (a recursive function and a class) in both formats,
 * its tree, steps and filters checked against what the program does; a recording killed with
 * SIGKILL (unfinished); a program with worker threads (its folders listed at the end); and a
 * loop of more than a million events, whose first lines are printed after reading a small part
 * of the event file (bytes counted by the reader, not timed), with `| head -20` ending quietly.
 * The fixtures are copied out of the package first: the recorder does not record its own
 * package's files. Build the CLI first (`npm run build` in packages/cli).
 */
import { spawn, spawnSync, type SpawnSyncReturns } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { openTraceFolder } from "../src/trace/folder.js";
import { printTrace } from "../src/trace/print.js";
import { cleanEnv } from "./helpers.js";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(HERE, "../../..");
const CLI_MAIN = path.resolve(HERE, "../dist/main.js");
const TRACE_MAIN = path.resolve(HERE, "../dist/trace/main.js");
const REGISTER = pathToFileURL(path.resolve(HERE, "../dist/register.js")).href;
const REPO_FIXTURES = path.join(REPO_ROOT, "test/fixtures");

vi.setConfig({ testTimeout: 90_000, hookTimeout: 180_000 });

const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "ct-trace-print-")));
const src = path.join(root, "src");
fs.mkdirSync(src);
for (const f of fs.readdirSync(path.join(HERE, "fixtures/print"))) fs.copyFileSync(path.join(HERE, "fixtures/print", f), path.join(src, f));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** Records `script` (run in `src`, so paths print relative to it) into `root/name`. */
function record(name: string, script: string, args: string[] = [], scriptArgs: string[] = []): string {
  const dir = path.join(root, name);
  const r = spawnSync(process.execPath, [CLI_MAIN, "--trace-dir", dir, ...args, script, ...scriptArgs], {
    cwd: src,
    env: cleanEnv(),
    encoding: "utf8",
    timeout: 120_000,
  });
  expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
  return dir;
}

/** Runs `codetracer-trace ...argv` (the built bin). */
function trace(argv: string[]): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [TRACE_MAIN, ...argv], { cwd: root, env: cleanEnv(), encoding: "utf8", timeout: 60_000 });
}

function print(argv: string[]): string[] {
  const r = trace(["print", ...argv]);
  expect(r.status, r.stderr).toBe(0);
  expect(r.stderr).toBe("");
  return r.stdout.split("\n").slice(0, -1);
}

/** The lines from the first one matching `first`, `count` of them, with their common indentation removed. */
function block(lines: string[], first: RegExp, count: number): string[] {
  const at = lines.findIndex((l) => first.test(l));
  expect(at, `no line matches ${first}:\n${lines.join("\n")}`).toBeGreaterThanOrEqual(0);
  const part = lines.slice(at, at + count);
  const indent = Math.min(...part.map((l) => /^ */.exec(l)![0].length));
  return part.map((l) => l.slice(indent));
}

/** What program.js does, as print shows it: the constructor, two adds, fact(4) recursing to fact(1). */
const PROGRAM_TREE = [
  'Counter.constructor(label="hits") → undefined',
  "Counter.add(amount=2) → 2",
  "Counter.add(amount=3) → 5",
  "fact(n=4)",
  "  fact(n=3)",
  "    fact(n=2)",
  "      fact(n=1) → 1",
  "    → 2",
  "  → 6",
  "→ 24",
];

for (const format of ["json", "binary"] as const) {
  describe(`print of program.js recorded in ${format}`, () => {
    let dir: string;
    beforeAll(() => {
      dir = record(`program-${format}`, "program.js", ["--format", format]);
    });

    it("the calls as a tree with their arguments and returns", () => {
      const lines = print([dir]);
      expect(block(lines, /Counter\.constructor/, PROGRAM_TREE.length)).toEqual(PROGRAM_TREE);
      // the module's body and the top level enclose them
      expect(lines[0]).toMatch(/^<top-level>\(\)/);
      expect(lines.filter((l) => l.startsWith("--"))).toEqual([]); // a finished folder, no notes
    });

    it("--steps: every step with file:line and the locals at it, in step order, and the program's output", () => {
      const lines = print([dir, "--steps"]);
      const steps = lines.filter((l) => /^\s*#\d+ /.test(l)).map((l) => Number(/#(\d+)/.exec(l)![1]));
      expect(steps.length).toBeGreaterThan(25);
      expect(steps).toEqual(steps.map((_, i) => i)); // every step, numbered from 0
      // inside fact(n=1): its first line with n=1; after the inner call returned, line 6 with rest
      const inner = lines.findIndex((l) => l.trim() === "fact(n=1)");
      expect(lines[inner + 1]).toMatch(/^\s+#\d+ program\.js:4  n=1$/);
      expect(lines).toContainEqual(expect.stringMatching(/^\s+#\d+ program\.js:6  n=2, rest=1$/));
      expect(lines).toContainEqual(expect.stringMatching(/^\s+#\d+ program\.js:6  n=4, rest=6$/));
      expect(lines).toContainEqual(expect.stringMatching(/^\s+#\d+ program\.js:16  amount=3$/));
      expect(lines).toContainEqual(expect.stringMatching(/^\s+#\d+ program\.js:\d+  counter=Counter \{label: "hits", count: 5\}, result=24$/));
      expect(lines).toContainEqual(expect.stringMatching(/^\s+\[stdout\] fact\(4\)=24 count=5 label=hits$/));
      // a step line is indented one level under its call
      expect(/^ */.exec(lines[inner + 1]!)![0].length).toBe(/^ */.exec(lines[inner]!)![0].length + 2);
    });

    it("--function: only the calls of that function and what is under them", () => {
      expect(print([dir, "--function", "fact"])).toEqual(PROGRAM_TREE.slice(3));
      // a method by its own name or Class.name
      expect(print([dir, "--function", "add"])).toEqual(["Counter.add(amount=2) → 2", "Counter.add(amount=3) → 5"]);
      expect(print([dir, "--function", "Counter.add"])).toEqual(["Counter.add(amount=2) → 2", "Counter.add(amount=3) → 5"]);
      expect(print([dir, "--function", "nothing"])).toEqual(["-- no call of nothing was recorded"]);
    });

    it("--max-depth: deeper calls are left out", () => {
      expect(print([dir, "--function", "fact", "--max-depth", "2"])).toEqual(["fact(n=4)", "  fact(n=3) → 6", "→ 24"]);
      expect(print([dir, "--function", "fact", "--max-depth", "1"])).toEqual(["fact(n=4) → 24"]);
      const top = print([dir, "--max-depth", "2"]);
      expect(top.some((l) => l.includes("fact"))).toBe(false); // fact is called from the module body, 3 deep
      expect(top[0]).toMatch(/^<top-level>\(\)/);
    });

    it("--from-step / --to-step: only those steps, under the calls open at the first one", () => {
      const all = print([dir, "--steps"]);
      const first = Number(/#(\d+)/.exec(all.find((l) => /#\d+ program\.js:4  n=2$/.test(l))!)![1]);
      const lines = print([dir, "--steps", "--from-step", String(first), "--to-step", String(first + 1)]);
      const open = lines.slice(
        0,
        lines.findIndex((l) => l.includes("#")),
      );
      expect(open.map((l) => l.trim()).slice(-3)).toEqual(["fact(n=4) …", "fact(n=3) …", "fact(n=2) …"]);
      const steps = lines.filter((l) => /^\s*#\d+ /.test(l));
      expect(steps.map((l) => l.trim())).toEqual([`#${first} program.js:4  n=2`, `#${first + 1} program.js:5  n=2`]);
      expect(lines.at(-1)).toBe(`-- stopped after step ${first + 1} (--to-step)`);
      expect(print([dir, "--from-step", "0"])).toEqual(print([dir])); // the calls before the first step belong to step 0
      // without --steps: the calls made in the range
      const calls = print([dir, "--from-step", String(first), "--to-step", String(first + 5)]);
      expect(calls.map((l) => l.trim())).toContain("fact(n=1) → 1");
      expect(calls.some((l) => l.includes("Counter"))).toBe(false);
    });

    it("--file: only functions of files ending so", () => {
      expect(block(print([dir, "--file", "program.js"]), /Counter\.constructor/, PROGRAM_TREE.length)).toEqual(PROGRAM_TREE);
      expect(print([dir, "--file", "other.js"])).toEqual([]);
    });
  });
}

describe("print of other folders", () => {
  it("an unfinished recording (killed with SIGKILL): what was written, then says it is unfinished", async () => {
    const dir = path.join(root, "killed");
    const script = path.join(REPO_FIXTURES, "crash/wait-forever.js");
    const child = spawn(process.execPath, ["--import", REGISTER, script], {
      cwd: REPO_ROOT,
      env: cleanEnv({ CODETRACER_TRACE: dir, CODETRACER_FORMAT: "json" }),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "ready" in time: ${out}`)), 30_000);
      child.stdout!.setEncoding("utf8").on("data", (s: string) => {
        out += s;
        if (out.includes("ready")) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    // The JSON writer flushes its events in chunks: wait until work(5)'s return is in the file.
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && !fs.readFileSync(path.join(dir, "trace.json"), "utf8").includes('"i":55')) await new Promise((r) => setTimeout(r, 50));
    child.kill("SIGKILL");
    await new Promise((resolve) => child.on("close", resolve));
    expect(fs.existsSync(path.join(dir, "trace_metadata.json"))).toBe(false);
    const lines = print([dir]);
    expect(block(lines, /^\s*work\(count=5\)$/, 7)).toEqual([
      "work(count=5)",
      "  square(n=1) → 1",
      "  square(n=2) → 4",
      "  square(n=3) → 9",
      "  square(n=4) → 16",
      "  square(n=5) → 25",
      "→ 55",
    ]);
    expect(lines.at(-2)).toMatch(/^-- unfinished recording: no trace_metadata\.json; printed what was written, \d+ events/);
    expect(lines.at(-1)).toContain(`codetracer-js-recorder --repair ${dir}`);
  });

  it("a program with worker threads: its folders are listed at the end", () => {
    const dir = path.join(root, "workers");
    const r = spawnSync(process.execPath, [CLI_MAIN, "--trace-dir", dir, path.join(REPO_FIXTURES, "workers/nested-main.mjs")], {
      cwd: REPO_ROOT,
      env: cleanEnv(),
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const lines = print([dir]);
    expect(lines.at(-1)).toMatch(/^-- not printed here, each has its own trace folder: worker workers\/\d+(, worker workers\/\d+)*$/);
    const sub = /workers\/\d+/.exec(lines.at(-1)!)![0];
    expect(print([path.join(dir, sub)]).length).toBeGreaterThan(0);
  });

  it("not a trace folder, a bad option, no folder: exit 2 with what is wrong", () => {
    let r = trace(["print", src]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/not a trace folder: it has neither trace\.bin nor trace\.json/);
    r = trace(["print", src, "--depth", "2"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("unknown option '--depth'");
    r = trace(["print", src, "--max-depth", "x"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("--max-depth needs a whole number");
    r = trace(["print"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("which trace folder?");
  });

  it("a trace.bin of an older or newer format: exit 1, named", () => {
    const dir = path.join(root, "garbage");
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, "trace.bin"), Buffer.from([0xc0, 0xde, 0x72, 0xac, 0xe2, 0x00, 0x00, 0x00, 1, 2, 3]));
    let r = trace(["print", dir]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/cannot read the trace: .*BinaryV0/);
    fs.writeFileSync(path.join(dir, "trace.bin"), Buffer.from([0xc0, 0xde, 0x72, 0xac, 0xe2, 0x02, 0x00, 0x00, 1, 2, 3]));
    r = trace(["print", dir]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("trace.bin is of a newer format (Binary v2) than this codetracer-trace reads (v1)");
  });

  it("a finished recording whose trace.bin was cut short: its whole frames printed, then said so, exit 1", () => {
    const whole = record("cut", "loop.js", [], ["30000"]); // some 270k events: several frames
    const bin = path.join(whole, "trace.bin");
    const size = fs.statSync(bin).size;
    fs.truncateSync(bin, Math.floor(size / 2));
    const r = trace(["print", whole]);
    expect(r.status, r.stderr).toBe(1);
    const lines = r.stdout.split("\n").slice(0, -1);
    expect(lines.slice(2, 4)).toEqual(["    next(i=0) → 1", "    next(i=1) → 2"]);
    expect(lines.at(-2)).toMatch(
      /^-- trace\.bin is cut short: it does not end as a finished recording's does; printed the \d+ whole events before the cut \(\d+ bytes after the last whole frame left out\)$/,
    );
    // only the seek table cut: every event printed, still said
    const again = record("cut-table", "program.js");
    const againBin = path.join(again, "trace.bin");
    fs.truncateSync(againBin, fs.statSync(againBin).size - 2);
    const t = trace(["print", again]);
    expect(t.status).toBe(1);
    expect(block(t.stdout.split("\n"), /Counter\.constructor/, PROGRAM_TREE.length)).toEqual(PROGRAM_TREE);
    expect(t.stdout).toContain("-- trace.bin is cut short");
  });

  it("a folder whose path has spaces and non-ASCII letters", () => {
    const dir = record("a trace folder é✓", "program.js");
    expect(block(print([dir, "--function", "fact"]), /fact\(n=4\)/, 7)).toEqual(PROGRAM_TREE.slice(3));
  });
});

describe("print streams a trace of more than a million events", () => {
  const dirs: Record<string, string> = {};
  beforeAll(() => {
    for (const format of ["binary", "json"]) dirs[format] = record(`loop-${format}`, "loop.js", ["--format", format], ["120000"]);
  }, 300_000);

  for (const format of ["binary", "json"] as const) {
    it(`${format}: the first 20 lines after reading a small part of the event file`, async () => {
      const info = openTraceFolder(dirs[format]!);
      let lines: string[] = [];
      const result = await printTrace(info, { steps: false }, async (text) => {
        lines.push(...text.split("\n").slice(0, -1));
        return lines.length < 20; // a reader that goes away after 20 lines, as `head -20`
      });
      lines = lines.slice(0, 20);
      expect(lines.slice(2, 5)).toEqual(["    next(i=0) → 1", "    next(i=1) → 2", "    next(i=2) → 3"]);
      expect(result.stopped).toBe(true);
      expect(result.events).toBeLessThan(1_000_000);
      expect(result.bytesRead * 4).toBeLessThan(result.eventsBytes);
      // the whole trace has more than a million events: a full print reads them all
      const full = await printTrace(info, { steps: false, function: "nothing" }, async () => true);
      expect(full.events).toBeGreaterThan(1_000_000);
      expect(full.bytesRead).toBeGreaterThanOrEqual(full.eventsBytes);
    });

    it(`${format}: \`print DIR | head -20\` prints 20 lines and ends quietly with exit 0`, () => {
      const r = spawnSync("bash", ["-c", `"${process.execPath}" "${TRACE_MAIN}" print "${dirs[format]}" | head -20; echo "print exit \${PIPESTATUS[0]}" >&2`], {
        env: cleanEnv(),
        encoding: "utf8",
        timeout: 60_000,
      });
      expect(r.stdout.split("\n").slice(0, -1)).toHaveLength(20);
      expect(r.stdout).toContain("next(i=17) → 18");
      expect(r.stderr).toBe("print exit 0\n");
    });
  }
});
