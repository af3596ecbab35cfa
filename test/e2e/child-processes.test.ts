/**
 * Child processes: a recorded program's children that run node with the recorder's preload
 * (`child_process.fork`, `cluster.fork`, `spawn`/`exec` of node under `NODE_OPTIONS` or with
 * `process.execArgv`) each record into `<trace dir>/children/<pid>`, listed by the root trace's
 * metadata, instead of replacing the parent's trace; a grandchild's folder is there too. Every
 * folder is read by CodeTracer's reader. Fixtures: `test/fixtures/child-processes/`.
 * See docs/recording.md "Child processes".
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { TraceMetadata } from "@codetracer/trace-format";
import { expectReaderLoads, expectValidTrace, readMetadata } from "../utils/expect-trace.js";
import { FIXTURES, REPO_ROOT, cleanupTempDirs, describeRun, freshTraceDir, lineOf, recordWithCli, runNode, runPlain, type RunResult } from "../utils/run.js";
import type { TraceQuery } from "../utils/trace.js";

const DIR = path.join(FIXTURES, "child-processes");
const fixture = (name: string) => path.join(DIR, name);
const PRELOAD = path.join(REPO_ROOT, "packages/register/preload.cjs");

afterAll(cleanupTempDirs);

/** A child process's trace folder, validated. */
interface ChildTrace {
  dir: string;
  meta: TraceMetadata;
  q: TraceQuery;
}

/** The root trace and the child traces its metadata lists, each validated and read by the reader. */
function traces(rec: RunResult): { root: TraceQuery; meta: TraceMetadata; children: ChildTrace[] } {
  const root = expectValidTrace(rec.traceDir);
  expectReaderLoads(rec.traceDir);
  const meta = readMetadata(rec.traceDir)!;
  expect(meta.process, "the root is no child").toBeUndefined();
  expect(fs.existsSync(path.join(rec.traceDir, ".codetracer.lock")), "the lock is released").toBe(false);
  const listed = meta.children ?? [];
  // Every child folder on disk is listed, and nothing else.
  const onDisk = fs.existsSync(path.join(rec.traceDir, "children")) ? fs.readdirSync(path.join(rec.traceDir, "children")).map((n) => `children/${n}`) : [];
  expect([...listed].sort()).toEqual(onDisk.sort());
  const children = listed.map((rel) => {
    expect(rel).toMatch(/^children\/\d+$/);
    const dir = path.join(rec.traceDir, rel);
    const q = expectValidTrace(dir);
    expectReaderLoads(dir);
    const childMeta = readMetadata(dir)!;
    expect(childMeta.process?.pid).toBe(Number(path.basename(dir)));
    expect(fs.readdirSync(dir).filter((f) => f.startsWith(".codetracer.lock") || f.includes("pending"))).toEqual([]);
    return { dir, meta: childMeta, q };
  });
  return { root, meta, children };
}

/** The parent's own steps are in the root trace: its script, and a step at `marker`. */
function expectParentSteps(root: TraceQuery, script: string, marker: string): void {
  expect(root.paths[0]).toBe(fixture(script));
  expect(root.stepsAt(script, lineOf(fixture(script), marker)).length).toBeGreaterThan(0);
  expect(root.paths).not.toContain(fixture("child.cjs"));
}

/** A child trace of child.cjs run with `args`, started by the process `parentPid` whose folder is `parentTrace` from it. */
function expectChildOf(child: ChildTrace, args: string[], parentPid: number, parentTrace: string): void {
  expect(child.meta.program).toBe(fixture("child.cjs"));
  expect(child.meta.args).toEqual(args);
  expect(child.meta.process).toEqual({ pid: Number(path.basename(child.dir)), parent_pid: parentPid, parent_trace: parentTrace });
  expect(child.meta.process_exit_status).toEqual({ code: 0, label: null });
  expect(child.q.returnsOf("childWork").length).toBeGreaterThan(0);
  expect(child.q.stepsAt("child.cjs", lineOf(fixture("child.cjs"), "ct-marker: child-work")).length).toBeGreaterThan(0);
}

async function recordBoth(script: string, args: string[], record: () => Promise<RunResult>): Promise<RunResult> {
  const [plain, rec] = await Promise.all([runPlain(fixture(script), args, { cwd: DIR }), record()]);
  expect(rec.code, describeRun(rec)).toBe(plain.code);
  expect(rec.signal).toBeNull();
  expect(rec.stdout).toBe(plain.stdout);
  expect(rec.stderr).toBe(plain.stderr);
  return rec;
}

const cli = (script: string, args: string[] = []) => recordBoth(script, args, () => recordWithCli(fixture(script), args, { cwd: DIR }));

/** `node script args` recorded through `NODE_OPTIONS=--require <the loader>`, which every node child inherits. */
const nodeOptions = (script: string, args: string[] = []) =>
  recordBoth(script, args, () => {
    const traceDir = freshTraceDir();
    return runNode([fixture(script), ...args], { cwd: DIR, env: { NODE_OPTIONS: `--require ${PRELOAD}`, CODETRACER_TRACE: traceDir } }, traceDir);
  });

/** The pid of the root recording: the `parent_pid` of its direct children. */
function rootPidOf(children: ChildTrace[]): number {
  const direct = children.filter((c) => c.meta.process?.parent_trace === "../..");
  expect(direct.length).toBeGreaterThan(0);
  return direct[0]!.meta.process!.parent_pid;
}

describe("child_process.fork", () => {
  it("the child records into children/<pid>; the parent's trace keeps its steps", async () => {
    const rec = await cli("fork-main.cjs");
    expect(rec.stdout).toBe("parent got forked:12\nchild exited 0, parent total 10\n");
    const { root, children } = traces(rec);
    expectParentSteps(root, "fork-main.cjs", "ct-marker: parent-loop");
    expect(root.returnsOf("parentWork")).toEqual([10]);
    expect(children).toHaveLength(1);
    expectChildOf(children[0]!, ["forked"], children[0]!.meta.process!.parent_pid, "../..");
  });

  it("a grandchild records into children/<its pid> next to its parent, which it names", async () => {
    const rec = await cli("fork-main.cjs", ["nested"]);
    expect(rec.stdout).toBe("parent got forked:12 after grand:10\nchild exited 0, parent total 10\n");
    const { root, children } = traces(rec);
    expectParentSteps(root, "fork-main.cjs", "ct-marker: parent-loop");
    expect(children).toHaveLength(2);
    const child = children.find((c) => c.meta.args[0] === "forked")!;
    const grandchild = children.find((c) => c.meta.args[0] === "grand")!;
    expectChildOf(child, ["forked", "nested"], rootPidOf(children), "../..");
    expectChildOf(grandchild, ["grand"], child.meta.process!.pid, `../${child.meta.process!.pid}`);
  });

  it("a child whose environment lost CODETRACER_PARENT is still recognised by its parent's lock", async () => {
    const rec = await cli("fork-own-env.cjs");
    expect(rec.stdout).toBe("parent got own-env:14\n");
    const { root, children } = traces(rec);
    expect(root.paths[0]).toBe(fixture("fork-own-env.cjs"));
    expect(children).toHaveLength(1);
    expectChildOf(children[0]!, ["own-env"], children[0]!.meta.process!.parent_pid, "../..");
  });

  it("a child killed with SIGKILL has its folder finished by the root when the root ends", async () => {
    const rec = await cli("kill-main.cjs");
    expect(rec.stdout).toBe("child says ready 3\nchild ended by SIGKILL\n");
    const { root, children } = traces(rec);
    expect(root.paths[0]).toBe(fixture("kill-main.cjs"));
    expect(children).toHaveLength(1);
    const child = children[0]!;
    expect(child.meta.program).toBe(fixture("child-wait.cjs"));
    expect(child.meta.process_exit_status).toEqual({ code: null, label: "<killed>" });
    expect(child.meta.partial).toBe(true);
    expect(child.q.returnsOf("prepare")).toEqual([3]);
  });
});

describe("cluster", () => {
  it("each of two workers records into children/<pid>", async () => {
    const rec = await cli("cluster-main.cjs");
    expect(rec.stdout).toBe("primary sum 30\n");
    const { root, children } = traces(rec);
    expect(root.paths[0]).toBe(fixture("cluster-main.cjs"));
    expect(root.stepsAt("cluster-main.cjs", lineOf(fixture("cluster-main.cjs"), "ct-marker: primary-sum")).length).toBe(2);
    expect(root.functionNames()).not.toContain("share");
    expect(children).toHaveLength(2);
    const primary = rootPidOf(children);
    for (const child of children) {
      expect(child.meta.program).toBe(fixture("cluster-main.cjs"));
      expect(child.meta.process).toEqual({ pid: Number(path.basename(child.dir)), parent_pid: primary, parent_trace: "../.." });
      expect(child.meta.process_exit_status).toEqual({ code: 0, label: null });
    }
    expect(children.flatMap((c) => c.q.returnsOf("share")).sort()).toEqual([10, 20]);
  });
});

describe("spawn and exec of node", () => {
  it.each(["spawn", "exec"])("under NODE_OPTIONS, %s of node records the child into children/<pid>", async (how) => {
    const rec = await nodeOptions("spawn-main.cjs", [how]);
    expect(rec.stdout).toBe(`child says ${how}:${how.length * 2}\nparent total 6\n`);
    const { root, children } = traces(rec);
    expectParentSteps(root, "spawn-main.cjs", "ct-marker: parent-loop");
    expect(children).toHaveLength(1);
    // exec runs node through a shell: the parent named is the recorded process, not the shell.
    expectChildOf(children[0]!, [how], children[0]!.meta.process!.parent_pid, "../..");
  });

  it("under the CLI, spawn of node with process.execArgv records the child into children/<pid>", async () => {
    const rec = await cli("spawn-main.cjs", ["spawn-execargv"]);
    const { root, children } = traces(rec);
    expectParentSteps(root, "spawn-main.cjs", "ct-marker: parent-loop");
    expect(children).toHaveLength(1);
    expectChildOf(children[0]!, ["spawn-execargv"], children[0]!.meta.process!.parent_pid, "../..");
  });

  it.each(["spawn", "exec"])("under the CLI, %s of node without the preload is not recorded and leaves the parent's trace alone", async (how) => {
    const rec = await cli("spawn-main.cjs", [how]);
    const { root, meta, children } = traces(rec);
    expectParentSteps(root, "spawn-main.cjs", "ct-marker: parent-loop");
    expect(meta.children).toBeUndefined();
    expect(children).toEqual([]);
  });
});
