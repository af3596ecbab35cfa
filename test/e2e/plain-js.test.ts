/**
 * examples/plain-js/inventory.js (CommonJS): recorded through the CLI and through
 * `node --import`, compared with a plain node run, and queried for calls, returns, locals and
 * the exception that crosses two frames.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EventLogKind } from "@codetracer/trace-format";
import { expectBalancedCalls, expectMetadata, expectSameRun, expectValidTrace } from "../utils/expect-trace.js";
import { EXAMPLES, REPO_ROOT, cleanupTempDirs, lineOf, recordWithCli, recordWithImport, runPlain, type RunResult } from "../utils/run.js";
import type { TraceQuery } from "../utils/trace.js";

const DIR = path.join(EXAMPLES, "plain-js");
const SCRIPT = path.join(DIR, "inventory.js");
const FILE = "examples/plain-js/inventory.js";
const SOURCE = fs.readFileSync(SCRIPT, "utf8");

let plain: RunResult;
const runs: Record<"cli" | "import", { run: RunResult; cwd: string; q?: TraceQuery }> = {} as never;

beforeAll(async () => {
  const [p, cli, imp] = await Promise.all([
    runPlain("inventory.js", [], { cwd: DIR }),
    // As the README says: from the repository root.
    recordWithCli("examples/plain-js/inventory.js", [], { cwd: REPO_ROOT }),
    recordWithImport("inventory.js", [], { cwd: DIR }),
  ]);
  plain = p;
  runs.cli = { run: cli, cwd: REPO_ROOT };
  runs.import = { run: imp, cwd: DIR };
});

afterAll(cleanupTempDirs);

/** Orders the report printed as accepted: id → printed total. */
function printedTotals(stdout: string): Map<number, number> {
  return new Map([...stdout.matchAll(/#(\d+) ok ([\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])]));
}

function rejections(stdout: string): string[] {
  return [...stdout.matchAll(/#\d+ rejected \((.*)\)/g)].map((m) => m[1]!);
}

describe.each(["cli", "import"] as const)("plain-js recorded with %s", (mode) => {
  const q = (): TraceQuery => (runs[mode].q ??= expectValidTrace(runs[mode].run.traceDir));

  it("exits and prints exactly as a plain node run", () => {
    expect(plain.code).toBe(0);
    expect(plain.stdout).toContain("Order report");
    expectSameRun(runs[mode].run, plain);
  });

  it("writes a folder that validates, with metadata and paths", () => {
    const trace = q();
    expectMetadata(runs[mode].run.traceDir, { program: SCRIPT, args: [], workdir: runs[mode].cwd });
    expect(trace.folder.paths).toEqual([SCRIPT]);
    // A successful run: no error event, and the root call returns exit code 0.
    expect(trace.logEvents.filter((e) => e.kind === EventLogKind.Error)).toEqual([]);
    expect(trace.decode(trace.topLevel().returnRecord!)).toBe(0);
  });

  it("names functions, methods, closures and callbacks", () => {
    const names = q().functionNames();
    for (const name of [
      "<top-level>",
      "<module>",
      "main",
      "Inventory.constructor",
      "Inventory.addItem",
      "Inventory.reserve",
      "Inventory.totalValue",
      "OutOfStockError.constructor",
      "makeDiscount",
      "makeDiscount.applyDiscount",
      "priceOrder",
      "processOrders",
    ]) {
      expect(names, name).toContain(name);
    }
  });

  it("records addItem's arguments as written in the source and its return values", () => {
    const written = [...SOURCE.matchAll(/inventory\.addItem\("(\w+)", "(\w+)", (\d+), (\d+)\)/g)].map((m) => ({
      sku: m[1]!,
      name: m[2]!,
      price: Number(m[3]),
      qty: Number(m[4]),
    }));
    expect(written.length).toBeGreaterThan(0);
    const calls = q().callsOf("Inventory.addItem", FILE);
    expect(calls.map((c) => c.args)).toEqual(written);
    // addItem returns the number of distinct items so far.
    expect(q().returnsOf("Inventory.addItem")).toEqual(written.map((_, i) => i + 1));
    // The entry line of the method is where `addItem(` is written.
    expect(calls[0]!.line).toBe(lineOf(SCRIPT, "  addItem(sku"));
  });

  it("balances calls and returns when an exception crosses two frames", () => {
    const trace = q();
    expectBalancedCalls(trace);
    const rejected = rejections(plain.stdout);
    expect(rejected.length).toBeGreaterThan(0);

    // The throw statement ran once per rejected order, in Inventory.reserve's frame.
    const throwLine = lineOf(SCRIPT, "ct-marker: throw-out-of-stock");
    const throwSteps = trace.stepsAt(FILE, throwLine);
    expect(throwSteps.map((s) => s.frame)).toEqual(rejected.map(() => "Inventory.reserve"));

    // reserve (the thrower) and priceOrder (its caller) both "return" the error...
    const threw = trace.callsOf("Inventory.reserve").filter((c) => c.returnRecord?.kind !== "Int");
    expect(threw.map((c) => trace.decode(c.returnRecord!))).toEqual(rejected.map((msg) => ({ $raw: `OutOfStockError: ${msg}` })));
    for (const call of threw) {
      expect(call.returnIndex).toBeGreaterThan(call.index);
      expect(call.parent?.name).toBe("priceOrder");
      expect(trace.decode(call.parent!.returnRecord!)).toEqual(trace.decode(call.returnRecord!));
      // ...and processOrders, which catches it, goes on in its catch block.
      const grand = call.parent!.parent!;
      expect(grand.name).toBe("processOrders");
      const next = trace.steps.find((s) => s.index > call.parent!.returnIndex)!;
      expect(next.line).toBe(lineOf(SCRIPT, 'status: "rejected"'));
      expect(next.frame).toBe("processOrders");
      // The error object was built by OutOfStockError's constructor with the reserve's values.
      const ctor = call.children.find((c) => c.name === "OutOfStockError.constructor")!;
      expect(ctor.args).toMatchObject({ sku: call.args.sku, wanted: call.args.qty });
    }
    // processOrders itself returned normally: one result per order.
    const results = trace.returnsOf("processOrders")[0] as Array<Record<string, unknown>>;
    expect(results.filter((r) => r.status === "rejected").map((r) => r.reason)).toEqual(rejected);
  });

  it("records locals at a known line and the closure's arguments and results", () => {
    const trace = q();
    const line = lineOf(SCRIPT, "ct-marker: discounted-total");
    // `subtotal` before `discount(subtotal)` runs = what priceOrder returned for accepted orders.
    const priced = trace.returnsOf("priceOrder").filter((v) => typeof v === "number");
    expect(priced.length).toBeGreaterThan(0);
    expect(trace.localAt(FILE, line, "subtotal")).toEqual(priced);
    // ... and the sum of the reserve() results inside that priceOrder call.
    for (const call of trace.callsOf("priceOrder").filter((c) => c.returnRecord?.kind !== "Raw")) {
      const sum = call.children.filter((c) => c.name === "Inventory.reserve").reduce((acc, c) => acc + (trace.decode(c.returnRecord!) as number), 0);
      expect(trace.decode(call.returnRecord!)).toBe(sum);
    }

    // The closure got the subtotals and produced the totals that the report printed.
    const percent = trace.callsOf("makeDiscount")[0]!.args.percent as number;
    const applied = trace.callsOf("makeDiscount.applyDiscount");
    expect(applied.map((c) => c.args.amount)).toEqual(priced);
    const results = applied.map((c) => trace.decode(c.returnRecord!) as number);
    expect(results).toEqual(priced.map((a) => Math.round((a as number) * (100 - percent)) / 100));
    expect([...printedTotals(plain.stdout).values()]).toEqual(results);
    // Floats are recorded as Float values, integers as Int.
    expect(applied[0]!.returnRecord?.kind).toBe(Number.isInteger(results[0]) ? "Int" : "Float");
  });

  it("records array callbacks and the reduce in totalValue", () => {
    const trace = q();
    const printed = Number(/stock value: (\d+)/.exec(plain.stdout)![1]);
    expect(trace.returnsOf("Inventory.totalValue")).toEqual([printed]);
    const reducer = trace.calls.filter((c) => c.parent?.name === "Inventory.totalValue");
    expect(reducer.length).toBe(/stock left: (.*)/.exec(plain.stdout)![1]!.split(", ").length);
    // Each reducer call gets the previous result as `sum`.
    reducer.forEach((c, i) => {
      expect(c.args.sum).toBe(i === 0 ? 0 : trace.decode(reducer[i - 1]!.returnRecord!));
    });
  });
});
