/**
 * examples/with-marked/render.js: a real npm package recorded because an `--include` glob
 * names it. marked ships minified, so the names its classes carry in the trace are read from
 * marked's own code (`var w=class l{...}` exported `as Lexer` → methods are `l.lex`, ...).
 */
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectBalancedCalls, expectMetadata, expectSameRun, expectValidTrace } from "../utils/expect-trace.js";
import { EXAMPLES, REPO_ROOT, cleanupTempDirs, recordWithCli, recordWithImport, runPlain, type RunResult } from "../utils/run.js";
import { endsWithPath, type TraceQuery } from "../utils/trace.js";

const DIR = path.join(EXAMPLES, "with-marked");
const SCRIPT = path.join(DIR, "render.js");
const INCLUDE = "**/node_modules/marked/**";
/** marked's ES module, as Node resolves it from the example. */
const MARKED = fs.realpathSync(path.join(path.dirname(createRequire(SCRIPT).resolve("marked/package.json")), "lib/marked.esm.js"));

/**
 * The name the recorder gives the methods of the class marked exports as `exported`: the
 * class's own name when the class expression has one, else the variable it is assigned to.
 */
function markedClassName(exported: string): string {
  const src = fs.readFileSync(MARKED, "utf8");
  const exportList = /export\s*\{([^}]*)\}/.exec(src)![1]!;
  const local = exportList
    .split(",")
    .map((s) => s.trim().split(/\s+as\s+/))
    .find(([, as]) => as === exported)?.[0];
  if (!local) throw new Error(`marked does not export ${exported}`);
  const m = new RegExp(`(?:var|let|const)\\s+${local.replace("$", "\\$")}\\s*=\\s*class(?:\\s+([\\w$]+))?\\s*[{ ]`).exec(src);
  if (!m) throw new Error(`cannot find the class behind marked's ${exported} (${local})`);
  return m[1] ?? local;
}

let plain: RunResult;
const runs: Record<"cli" | "import", { run: RunResult; cwd: string; q?: TraceQuery }> = {} as never;

beforeAll(async () => {
  plain = await runPlain("render.js", [], { cwd: DIR });
  // marked's trace is large: record the two modes one after the other.
  runs.cli = { run: await recordWithCli("examples/with-marked/render.js", [], { cwd: REPO_ROOT, cliArgs: ["--include", INCLUDE] }), cwd: REPO_ROOT };
  runs.import = {
    run: await recordWithImport("render.js", [], { cwd: DIR, include: [INCLUDE], loader: "codetracer-js-recorder/register" }),
    cwd: DIR,
  };
});

afterAll(cleanupTempDirs);

describe.each(["cli", "import"] as const)("with-marked recorded with %s", (mode) => {
  const q = (): TraceQuery => (runs[mode].q ??= expectValidTrace(runs[mode].run.traceDir));

  it("prints the same HTML as a plain node run", () => {
    expect(plain.code).toBe(0);
    expect(plain.stdout).toContain("<h1>");
    expectSameRun(runs[mode].run, plain);
  });

  it("validates, records marked's file and balances its calls", () => {
    const trace = q();
    expect(trace.folder.paths).toEqual(expect.arrayContaining([SCRIPT, MARKED]));
    expectMetadata(runs[mode].run.traceDir, { program: SCRIPT, args: [], workdir: runs[mode].cwd });
    expectBalancedCalls(trace);
    // Steps and calls really happen inside marked, not only in render.js.
    expect(trace.steps.filter((s) => s.path === MARKED).length).toBeGreaterThan(100);
  });

  it("records marked's lexer, parser and renderer under the names marked's code gives them", () => {
    const trace = q();
    const lexer = markedClassName("Lexer");
    const parser = markedClassName("Parser");
    const renderer = markedClassName("Renderer");
    const tokenizer = markedClassName("Tokenizer");
    const names = trace.functionNames();
    for (const name of [`${lexer}.lex`, `${lexer}.blockTokens`, `${parser}.parse`, `${renderer}.heading`, `${tokenizer}.heading`]) {
      expect(names, name).toContain(name);
      const fn = trace.functions.find((f) => f.name === name)!;
      expect(fn.path).toBe(MARKED);
    }

    // render(markdown) → the lexer gets the same markdown text.
    const [render] = trace.callsOf("render", "render.js");
    const markdown = render!.args.markdown as string;
    expect(markdown).toMatch(/^# /);
    const lexCalls = trace.callsOf(`${lexer}.lex`, MARKED);
    expect(lexCalls.some((c) => Object.values(c.args)[0] === markdown)).toBe(true);
    // render's return value is what was printed.
    expect(trace.decode(render!.returnRecord!)).toBe(plain.stdout.trim());
  });

  it("records a renderer call's token argument and its HTML result", () => {
    const trace = q();
    const renderer = markedClassName("Renderer");
    const markdown = trace.callsOf("render", "render.js")[0]!.args.markdown as string;
    const headings = trace.callsOf(`${renderer}.heading`, MARKED);
    const expectedHeadings = [...markdown.matchAll(/^(#+) (.*)$/gm)];
    expect(headings.length).toBe(expectedHeadings.length);
    headings.forEach((call, i) => {
      const [, hashes, text] = expectedHeadings[i]!;
      // marked writes `heading({tokens:e,depth:t})`: the arguments are the destructured
      // parameters, the inline tokens and the depth.
      const args = Object.values(call.args);
      expect(args).toContain(hashes!.length);
      const tokens = args.find(Array.isArray) as Array<{ text: string }>;
      expect(tokens.map((t) => t.text).join("")).toBe(text);
      const html = trace.decode(call.returnRecord!) as string;
      expect(html).toBe(`<h${hashes!.length}>${text}</h${hashes!.length}>\n`);
      expect(plain.stdout).toContain(html);
    });
  });
});

describe("with-marked without --include", () => {
  it("records render.js only: node_modules is not recorded by default", async () => {
    const run = await recordWithCli("examples/with-marked/render.js", [], { cwd: REPO_ROOT });
    expectSameRun(run, plain);
    const trace = expectValidTrace(run.traceDir);
    expect(trace.folder.paths).toEqual([SCRIPT]);
    expect(trace.functions.filter((f) => !endsWithPath(f.path, "render.js"))).toEqual([]);
    expect(trace.callsOf("render").length).toBe(1);
  });
});
