import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { expectValidTrace } from "../utils/expect-trace.js";
import { FIXTURES, cleanupTempDirs, lineOf, recordWithCli, runPlain } from "../utils/run.js";

const DIR = path.join(FIXTURES, "activation");
const MAIN = path.join(DIR, "main.cjs");
const LIB = path.join(DIR, "lib.cjs");

afterAll(cleanupTempDirs);

describe("--activation-path", () => {
  it("records nothing before execution first enters the file, then records what runs there", async () => {
    const plain = await runPlain(MAIN, []);
    const full = await recordWithCli(MAIN, [], { cwd: DIR });
    const run = await recordWithCli(MAIN, [], { cwd: DIR, cliArgs: ["--activation-path", "lib.cjs"] });
    expect(run.code).toBe(plain.code);
    expect(run.stdout).toBe(plain.stdout);

    const setupLine = lineOf(MAIN, "ct-marker: setup-body");
    const doubleLine = lineOf(LIB, "ct-marker: double-body");
    const all = expectValidTrace(full.traceDir);
    const activated = expectValidTrace(run.traceDir);
    // Without activation, both files are recorded; with it, main.js's setup is not.
    expect(all.stepsAt("main.cjs", setupLine).length).toBe(1);
    expect(activated.stepsAt("main.cjs", setupLine).length).toBe(0);
    expect(activated.callsOf("setup").length).toBe(0);
    // lib.js is recorded from its first line on, including calls made into it later.
    const doubles = activated.callsOf("double");
    expect(doubles.length).toBe(1);
    expect(doubles[0]!.args).toEqual({ x: 42 });
    expect(activated.stepsAt("lib.cjs", doubleLine).length).toBe(1);
    expect(activated.counts().calls).toBeLessThan(all.counts().calls);
  });
});
