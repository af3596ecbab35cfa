/**
 * A trace that can no longer be written (here: a file size limit, `ulimit -f`, which makes
 * writes fail with EFBIG as a full disk fails them with ENOSPC) ends the recording with ERR_IO
 * and leaves the program running unaffected: same output, same exit code. The folder keeps its
 * pending metadata, and the CLI, seeing the program end with it unfinished, recovers the events
 * that reached the disk as `--repair` does.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { PENDING_METADATA_FILE, TRACE_JSON_FILE, TRACE_METADATA_FILE } from "@codetracer/trace-format";
import { expectValidTrace } from "../utils/expect-trace.js";
import { CLI_MAIN, FIXTURES, childEnv, cleanupTempDirs, freshTraceDir, runPlain } from "../utils/run.js";

afterAll(cleanupTempDirs);

const SCRIPT = path.join(FIXTURES, "disk-full", "many-calls.js");
const LIMIT_KIB = 64;

describe("the trace cannot be written (file size limit)", () => {
  it("the program's output and exit code are unchanged; ERR_IO is logged once; the CLI repairs the folder from what reached the disk", async () => {
    const traceDir = freshTraceDir();
    const r = spawnSync("bash", ["-c", `ulimit -f ${LIMIT_KIB}; exec "$0" "$@"`, process.execPath, CLI_MAIN, "--trace-dir", traceDir, SCRIPT], {
      env: childEnv(),
      encoding: "utf8",
    });
    const plain = await runPlain(SCRIPT);
    expect(plain.code).toBe(3);
    expect(r.status, r.stderr).toBe(3);
    expect(r.signal).toBeNull();
    expect(r.stdout).toBe(plain.stdout);

    const records = r.stderr
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as { level: string; error_code?: string; message: string });
    const errors = records.filter((x) => x.level === "ERROR");
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ error_code: "ERR_IO" });
    expect(errors[0]!.message).toMatch(/EFBIG/);
    // Besides the recorder's log lines, one line on stderr: the CLI saw the program end with its
    // folder unfinished and repaired it from what reached the disk (docs/recording.md "Signals
    // and abnormal ends"). The program printed nothing there.
    expect(r.stderr.split("\n").filter((l) => l && !l.startsWith("{"))).toEqual([
      expect.stringMatching(
        /^codetracer-js-recorder: the recorded program exited with code 3 without finishing its trace; .*: repaired, \d+ events recovered; last step .*many-calls\.js:\d+$/,
      ),
    ]);

    const traceFile = path.join(traceDir, TRACE_JSON_FILE);
    expect(fs.statSync(traceFile).size).toBeLessThanOrEqual(LIMIT_KIB * 1024);
    expect(fs.existsSync(path.join(traceDir, PENDING_METADATA_FILE))).toBe(false);
    const meta = JSON.parse(fs.readFileSync(path.join(traceDir, TRACE_METADATA_FILE), "utf8")) as { partial?: boolean; process_exit_status?: unknown };
    expect(meta.partial).toBe(true);
    expect(meta.process_exit_status).toEqual({ code: 3, label: null });

    // Finished already: --repair leaves it as it is.
    const repair = spawnSync(process.execPath, [CLI_MAIN, "--repair", traceDir], { env: childEnv(), encoding: "utf8" });
    expect(repair.status, repair.stderr).toBe(0);
    expect(repair.stdout + repair.stderr).toMatch(/finished already/);
    const q = expectValidTrace(traceDir);
    expect(q.callsOf("work").length).toBeGreaterThan(10);
    expect(q.callsOf("work").length).toBeLessThan(20000);
  });
});
