/**
 * examples/ts-app (ESM TypeScript over two modules): recorded through the CLI and through
 * `node --import`. Node 20 cannot run .ts, so the "plain" baseline is the same sources
 * transpiled by TypeScript's `transpileModule` (types erased, enums compiled) and run by plain
 * node; the printed text is also checked against values computed from the program's own logic.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EventLogKind } from "@codetracer/trace-format";
import { Category, Priority, formatCents } from "../../examples/ts-app/src/store.ts";
import { expectBalancedCalls, expectMetadata, expectSameRun, expectValidTrace } from "../utils/expect-trace.js";
import { EXAMPLES, REPO_ROOT, cleanupTempDirs, lineOf, makeTempDir, recordWithCli, recordWithImport, runPlain, type RunResult } from "../utils/run.js";
import type { TraceQuery } from "../utils/trace.js";

const DIR = path.join(EXAMPLES, "ts-app");
const MAIN = path.join(DIR, "src/main.ts");
const STORE = path.join(DIR, "src/store.ts");

let plain: RunResult;
const runs: Record<"cli" | "import", { run: RunResult; cwd: string; q?: TraceQuery }> = {} as never;

/** Writes the example's sources, transpiled to JS, into a temporary ESM package. */
function transpileExample(): string {
  const out = makeTempDir("ct-ts-app-js-");
  fs.writeFileSync(path.join(out, "package.json"), JSON.stringify({ type: "module" }));
  for (const file of [MAIN, STORE]) {
    const { outputText, diagnostics } = ts.transpileModule(fs.readFileSync(file, "utf8"), {
      fileName: file,
      reportDiagnostics: true,
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, verbatimModuleSyntax: false },
    });
    expect(diagnostics ?? []).toEqual([]);
    fs.writeFileSync(path.join(out, path.basename(file).replace(/\.ts$/, ".js")), outputText);
  }
  return out;
}

beforeAll(async () => {
  const js = transpileExample();
  const [p, cli, imp] = await Promise.all([
    runPlain(path.join(js, "main.js"), [], { cwd: DIR }),
    recordWithCli("examples/ts-app/src/main.ts", [], { cwd: REPO_ROOT }),
    recordWithImport("src/main.ts", [], { cwd: DIR }),
  ]);
  plain = p;
  runs.cli = { run: cli, cwd: REPO_ROOT };
  runs.import = { run: imp, cwd: DIR };
});

afterAll(cleanupTempDirs);

describe("ts-app output", () => {
  it("the CLI and the loader print the same as the transpiled program under plain node", () => {
    expect(plain.code, plain.stderr).toBe(0);
    expectSameRun(runs.cli.run, plain);
    expectSameRun(runs.import.run, plain);
  });

  it("prints what the program's logic computes", () => {
    const src = fs.readFileSync(MAIN, "utf8");
    const storeName = /new Store\("([^"]+)"\)/.exec(src)![1]!;
    const products = [...src.matchAll(/\{ id: "(p\d)", title: "([^"]+)", category: Category\.(\w+), priceCents: (\d+) \}/g)].map((m) => ({
      id: m[1]!,
      title: m[2]!,
      category: Category[m[3] as keyof typeof Category],
      priceCents: Number(m[4]),
    }));
    const reviews = [...src.matchAll(/\{ id: "r\d", productId: "(p\d)", stars: (\d) \}/g)].map((m) => ({ productId: m[1]!, stars: Number(m[2]) }));
    expect(products.length).toBe(3);
    expect(reviews.length).toBe(3);
    const expected = [`${storeName}: ${products.length} products, ${reviews.length} reviews`];
    for (const p of products) {
      const stars = reviews.filter((r) => r.productId === p.id).map((r) => r.stars);
      const avg = stars.length === 0 ? 0 : stars.reduce((a, b) => a + b, 0) / stars.length;
      const priority = Priority[p.priceCents >= 1000 ? Priority.High : Priority.Normal];
      expected.push(`- ${p.title} (${p.category}) ${formatCents(p.priceCents)} stars=${avg} priority=${priority}`);
    }
    const books = products.filter((p) => p.category === Category.Book).reduce((s, p) => s + p.priceCents, 0);
    expected.push(`books total: ${formatCents(books)}`);
    expected.push(`rejected: products: duplicate id ${products[0]!.id}`);
    expect(runs.cli.run.stdout).toBe(expected.join("\n") + "\n");
  });
});

describe.each(["cli", "import"] as const)("ts-app recorded with %s", (mode) => {
  const q = (): TraceQuery => (runs[mode].q ??= expectValidTrace(runs[mode].run.traceDir));

  it("validates; trace_paths.json holds the original .ts files; metadata names the program", () => {
    const trace = q();
    expect(trace.folder.paths).toEqual(expect.arrayContaining([MAIN, STORE]));
    expect(trace.folder.paths!.filter((p) => !p.endsWith(".ts"))).toEqual([]);
    expectMetadata(runs[mode].run.traceDir, { program: MAIN, args: [], workdir: runs[mode].cwd });
    expectBalancedCalls(trace);
    expect(trace.logEvents.filter((e) => e.kind === EventLogKind.Error)).toEqual([]);
    expect(trace.decode(trace.topLevel().returnRecord!)).toBe(0);
  });

  it("names classes, generics, getters, constructors and async functions", () => {
    const names = q().functionNames();
    for (const name of [
      "main",
      "loadProducts",
      "loadReviews",
      "priorityFor",
      "delay",
      "formatCents",
      "Store.constructor",
      "Store.averageStars",
      "Store.totalCents",
      "Repository.constructor",
      "Repository.add",
      "Repository.find",
      "Repository.get size",
    ]) {
      expect(names, name).toContain(name);
    }
    // Functions are attributed to the module that defines them, at the line of their definition.
    const add = q().functions.find((f) => f.name === "Repository.add")!;
    expect(add.path).toBe(STORE);
    expect(add.line).toBe(lineOf(STORE, "  add(row: T): T {"));
    const main = q().functions.find((f) => f.name === "main")!;
    expect(main.path).toBe(MAIN);
    expect(main.line).toBe(lineOf(MAIN, "async function main()"));
  });

  it("records constructor (parameter property) and generic method arguments and returns", () => {
    const trace = q();
    const storeName = runs[mode].run.stdout.split(":")[0];
    expect(trace.callsOf("Store.constructor").map((c) => c.args)).toEqual([{ name: storeName }]);
    // One Repository per type argument, labelled by the constructor's parameter property.
    expect(
      trace
        .callsOf("Repository.constructor")
        .map((c) => c.args.label)
        .sort(),
    ).toEqual(["products", "reviews"]);

    const [, nProducts, nReviews] = /(\d+) products, (\d+) reviews/.exec(runs[mode].run.stdout)!.map(Number);
    const adds = trace.callsOf("Repository.add");
    expect(adds.length).toBe(nProducts! + nReviews! + 1);
    // Every successful add returns its argument.
    for (const c of adds.slice(0, -1)) expect(trace.decode(c.returnRecord!)).toEqual(c.args.row);
    // The last add is the duplicate: it throws, and the trace returns the error.
    const dup = adds.at(-1)!;
    const rejected = /rejected: (.*)/.exec(runs[mode].run.stdout)![1]!;
    expect(trace.decode(dup.returnRecord!)).toEqual({ $raw: `Error: ${rejected}` });
    expect((dup.args.row as { id: string }).id).toBe((adds[0]!.args.row as { id: string }).id);
    // The getter.
    expect(trace.returnsOf("Repository.get size")).toEqual([nProducts, nReviews]);
  });

  it("records async functions across awaits and Promise.all", () => {
    const trace = q();
    const delays = [...fs.readFileSync(MAIN, "utf8").matchAll(/await delay\((\d+)\)/g)].map((m) => Number(m[1]));
    expect(trace.callsOf("delay").map((c) => c.args.ms)).toEqual(delays);
    // loadProducts eventually returns the rows that were then added to the products repository.
    const productRows = trace
      .callsOf("Repository.add")
      .map((c) => c.args.row as { id: string })
      .filter((r) => r.id.startsWith("p"));
    const loaded = trace.returnsOf("loadProducts").filter(Array.isArray);
    expect(loaded).toEqual([productRows.slice(0, -1)]);
    const reviewRows = trace
      .callsOf("Repository.add")
      .map((c) => c.args.row as { id: string })
      .filter((r) => r.id.startsWith("r"));
    expect(trace.returnsOf("loadReviews").filter(Array.isArray)).toEqual([reviewRows]);
    // Both loaders started before either finished (Promise.all).
    const starts = ["loadProducts", "loadReviews"].map((n) => trace.callsOf(n)[0]!.index);
    const ends = ["loadProducts", "loadReviews"].map((n) => trace.callsOf(n).at(-1)!.returnIndex);
    expect(Math.max(...starts)).toBeLessThan(Math.min(...ends));
  });

  it("records locals at a known line and the enum-valued returns", () => {
    const trace = q();
    const stdout = runs[mode].run.stdout;
    const printedStars = [...stdout.matchAll(/stars=([\d.]+)/g)].map((m) => Number(m[1]));
    expect(trace.returnsOf("Store.averageStars")).toEqual(printedStars);
    // `stars` before `const avg = ...` runs: the ratings whose mean is returned.
    const line = lineOf(STORE, "ct-marker: average");
    const starsAt = trace.localAt("src/store.ts", line, "stars") as number[][];
    expect(starsAt.map((s) => s.reduce((a, b) => a + b, 0) / s.length)).toEqual(printedStars.filter((s) => s !== 0));
    // priorityFor returns the enum's numbers; the program prints their names.
    const printedPriorities = [...stdout.matchAll(/priority=(\w+)/g)].map((m) => m[1]);
    expect(trace.returnsOf("priorityFor").map((p) => Priority[p as Priority])).toEqual(printedPriorities);
  });

  it("steps on the original .ts line of a known statement", () => {
    const trace = q();
    const line = lineOf(MAIN, "ct-marker: books-total");
    const steps = trace.stepsAt("src/main.ts", line);
    expect(steps.length).toBe(1);
    expect(steps[0]!.frame).toBe("main");
    const call = trace.firstCallAfter(steps[0]!.index)!;
    expect(call.name).toBe("Store.totalCents");
    expect(call.args).toEqual({ category: Category.Book });
    const books = trace
      .callsOf("Repository.add")
      .slice(0, -1)
      .map((c) => c.args.row as { category?: string; priceCents?: number })
      .filter((r) => r.category === Category.Book)
      .reduce((s, r) => s + r.priceCents!, 0);
    expect(trace.decode(call.returnRecord!)).toBe(books);
    expect(runs[mode].run.stdout).toContain(`books total: ${formatCents(books)}`);
  });
});

describe("ts-app with --exclude", () => {
  it("an excluded .ts module is still compiled and run, but not recorded", async () => {
    const run = await recordWithCli("examples/ts-app/src/main.ts", [], { cwd: REPO_ROOT, cliArgs: ["--exclude", "**/store.ts"] });
    expectSameRun(run, plain);
    const trace = expectValidTrace(run.traceDir);
    expect(trace.folder.paths).toEqual([MAIN]);
    expect([...trace.functionNames()].filter((n) => n.startsWith("Repository") || n.startsWith("Store"))).toEqual([]);
    // Calls into store.ts are not recorded; main's own functions are.
    expect(trace.returnsOf("priorityFor").length).toBe(3);
    expectBalancedCalls(trace);
  });
});

describe("ts-app: class field initializers", () => {
  // JS runs a base class's field initializers (`readonly reviews = new Repository(...)` in
  // store.ts's `Store`) before the constructor body: the recorder opens the constructor's frame
  // at the first initializer and writes its Call, with the arguments, when the body starts.
  it("the initializer's calls are made from inside the class's constructor", () => {
    const trace = expectValidTrace(runs.cli.run.traceDir);
    const reviews = trace.callsOf("Repository.constructor").find((c) => c.args.label === "reviews")!;
    expect(reviews.parent?.name).toBe("Store.constructor");
    // The initializer's call comes after the constructor's Call, which carries the arguments.
    const store = trace.callsOf("Store.constructor")[0]!;
    expect(store.args).toEqual({ name: runs.cli.run.stdout.split(":")[0] });
    expect(reviews.index).toBeGreaterThan(store.index);
  });

  it("the initializer's line is stepped", () => {
    const trace = expectValidTrace(runs.cli.run.traceDir);
    const line = lineOf(STORE, 'readonly reviews = new Repository<Review>("reviews")');
    expect(trace.stepsAt("src/store.ts", line).length).toBe(1);
  });
});
