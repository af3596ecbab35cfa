/**
 * Assertions shared by the e2e tests.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { createRequire } from "node:module";
import { expect } from "vitest";
import { TRACE_METADATA_FILE, type TraceMetadata } from "@codetracer/trace-format";
import { REPO_ROOT, describeRun, type RunResult } from "./run.js";
import { TraceQuery, formatIssues } from "./trace.js";

/** The recorder version every trace must carry (the runtime package's version). */
export const RECORDER_VERSION: string = (createRequire(import.meta.url)(path.join(REPO_ROOT, "packages/runtime/package.json")) as { version: string }).version;

/** Asserts the folder validates with `entryStepRule: "error"` and returns a query over it. */
export function expectValidTrace(traceDir: string): TraceQuery {
  const eventFiles = ["trace.json", "trace.bin"].filter((f) => fs.existsSync(path.join(traceDir, f)));
  expect(eventFiles, `${traceDir} holds one event file, trace.json or trace.bin`).toHaveLength(1);
  const report = TraceQuery.validate(traceDir);
  expect(report.errors, formatIssues(report)).toEqual([]);
  expect(report.ok).toBe(true);
  const q = new TraceQuery(traceDir);
  expect(q.unmatchedReturns, "returns without a call").toBe(0);
  return q;
}

/** Reads `trace_metadata.json` (or null when missing). */
export function readMetadata(traceDir: string): TraceMetadata | null {
  const file = path.join(traceDir, TRACE_METADATA_FILE);
  if (!fs.existsSync(file)) return null;
  return JSON.parse(fs.readFileSync(file, "utf8")) as TraceMetadata;
}

/** A version 4 UUID, as `run_id` and `trace_id` are written. */
export const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** `trace_metadata.json` as this recorder writes it (docs/trace-format.md, "Metadata"). */
export interface RecordedMetadata {
  program: string;
  args: string[];
  workdir: string;
  format: string;
  run_id: string;
  trace_id: string;
  recorder: { name: string; version: string; target_script: string };
  process_exit_status: { code: number | null; label: string | null };
  stats: { events: number; dropped_events: number; detaches: number; internal_errors: number };
  workspace_diff: { requested: boolean; path: string | null; base?: string; repository?: string; untracked?: number; error?: string };
  trace_filter: { filters: unknown[] };
  partial?: boolean;
}

/** Reads `trace_metadata.json`, which must exist, with this recorder's keys typed. */
export function metadataOf(traceDir: string): RecordedMetadata {
  const meta = readMetadata(traceDir);
  expect(meta, `${traceDir}/${TRACE_METADATA_FILE}`).not.toBeNull();
  return meta as unknown as RecordedMetadata;
}

/** Asserts the metadata names the program, its arguments, the working directory and the recorder. */
export function expectMetadata(traceDir: string, expected: { program: string; args: string[]; workdir: string }): TraceMetadata {
  const meta = readMetadata(traceDir);
  expect(meta, `${traceDir}/${TRACE_METADATA_FILE}`).not.toBeNull();
  expect(meta!.program).toBe(expected.program);
  expect(meta!.args).toEqual(expected.args);
  expect(path.resolve(meta!.workdir)).toBe(path.resolve(expected.workdir));
  expect(meta!.recorder?.name).toBe("codetracer-js-recorder");
  expect(meta!.recorder?.version).toBe(RECORDER_VERSION);
  return meta!;
}

/** Asserts a recorded run behaved like the plain run: same exit code and stdout. */
export function expectSameRun(recorded: RunResult, plain: RunResult): void {
  expect(recorded.code, describeRun(recorded)).toBe(plain.code);
  expect(recorded.signal).toBeNull();
  expect(recorded.stdout).toBe(plain.stdout);
}

/** Asserts every call returned and the numbers of Call and Return events are equal. */
export function expectBalancedCalls(q: TraceQuery): void {
  const { calls, returns } = q.counts();
  expect(calls).toBeGreaterThan(0);
  expect(returns).toBe(calls);
  expect(q.openCalls.map((c) => c.name)).toEqual([]);
}

/**
 * CodeTracer's trace reader (`rtcli`): `$CODETRACER_RTCLI`, else
 * `../shared/tools/codetracer-reader/rtcli` next to the repository; `undefined` where neither
 * exists (the reader checks are then skipped).
 */
export const RTCLI: string | undefined = [process.env.CODETRACER_RTCLI, path.resolve(REPO_ROOT, "../shared/tools/codetracer-reader/rtcli")].find(
  (file): file is string => typeof file === "string" && fs.existsSync(file),
);

/**
 * Asserts CodeTracer's reader loads the folder (`rtcli read DIR` prints `events: N`, N > 0, and
 * no `READ ERROR`); does nothing where the reader is not installed.
 */
export function expectReaderLoads(traceDir: string): void {
  if (!RTCLI) return;
  const r = spawnSync(RTCLI, ["read", traceDir], { encoding: "utf8" });
  expect(r.stdout, `rtcli read ${traceDir}\n${r.stdout}\n${r.stderr}`).toMatch(/^events: [1-9]\d*$/m);
  expect(r.stdout).not.toContain("READ ERROR");
}
