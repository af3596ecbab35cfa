/**
 * The trace writers keep working when the recorded program has patched the built-ins (issue 17
 * item 6; test262 does all of these): a child process (so that the patches stay out of vitest)
 * loads the built package (dist/), then replaces `Array.prototype.push`/`join`/`slice`,
 * `String.prototype.charCodeAt`, `JSON.stringify`, `Math.floor`, `Map.prototype.set`, the
 * typed-array and DataView methods and the typed arrays' `length`, `buffer`, `byteOffset`
 * accessors and species, `TextEncoder`, the `Uint8Array`/`DataView`/`String`/`Number`
 * globals, `fs.writeSync` and friends, `path.join`; puts getter-only accessors on
 * `Object.prototype[0]`/`[1]`, a setter that swallows stores on `Array.prototype[0]`, setters
 * for `type_id`, `kind`, `path_id`, `f` on `Object.prototype`; deletes
 * `Array.prototype[Symbol.iterator]` — and then writes a trace.bin (also through the zstd
 * offload) and a trace.json with `trace_metadata.json` and `trace_paths.json` through the public
 * API (see test/hostile-builtins-child.mjs), and repairs a trace.bin and a trace.json whose
 * recording was killed (torn last frame or event; `repairUnfinishedTrace`, which a recording
 * process runs for the folder of a dead worker or child process). The folders must be valid,
 * loaded by CodeTracer's reader when it is present, and none of the program's code may have run.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { validateTraceFolder } from "../src/node/validate-folder.js";
import { tempDir } from "./helpers.js";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const DIST_INDEX = path.resolve(HERE, "../dist/index.js");
const CHILD = path.join(HERE, "hostile-builtins-child.mjs");

/** CodeTracer's reader: `$CODETRACER_RTCLI`, else the build beside the repository (as repair-stream.test.ts). */
const RTCLI = [process.env.CODETRACER_RTCLI, path.resolve(HERE, "../../../../shared/tools/codetracer-reader/rtcli")].find(
  (f): f is string => f !== undefined && fs.existsSync(f),
);

describe("the writers under a program that patched the built-ins", () => {
  it.skipIf(!fs.existsSync(DIST_INDEX))(
    "write valid trace folders (trace.bin, trace.bin through the offload, trace.json), repair unfinished ones, and run none of the program's code",
    () => {
      const out = tempDir("hostile-builtins-");
      const child = spawnSync(process.execPath, [CHILD, DIST_INDEX, out], { encoding: "utf8", timeout: 60_000 });
      expect(child.stderr).toBe("");
      expect(child.status).toBe(0);
      const report = JSON.parse(child.stdout.trim().split("\n").pop()!) as {
        events: number;
        ran: number;
        failures: string;
        repaired: Record<string, { events: number; paths: number; lastStep: unknown; droppedBytes: number }>;
      };
      expect(report.failures).toBe("");
      expect(report.ran).toBe(0);
      // the unfinished folders: every flushed event kept, the torn frame or event dropped
      for (const name of ["unfinished-bin", "unfinished-json"]) {
        expect(report.repaired[path.join(out, name)], name).toEqual({
          events: report.events,
          paths: 2,
          lastStep: { path: "/tmp/program/\u00e9t\u00e9 \u{1f600}.js", line: 2 },
          droppedBytes: name === "unfinished-bin" ? 32 : 26,
        });
      }
      for (const name of ["bin", "json", "offload", "unfinished-bin", "unfinished-json"]) {
        const dir = path.join(out, name);
        const result = validateTraceFolder(dir);
        expect(result.errors, name).toEqual([]);
        expect(result.ok, name).toBe(true);
        expect(result.stats.events, name).toBe(report.events);
        expect(JSON.parse(fs.readFileSync(path.join(dir, "trace_paths.json"), "utf8"))).toEqual([
          "/tmp/program/main.js",
          "/tmp/program/\u00e9t\u00e9 \u{1f600}.js",
        ]);
        if (RTCLI) {
          const read = spawnSync(RTCLI, ["read", dir], { encoding: "utf8" });
          expect(read.stdout.split("\n")[0], `${name}: ${read.stdout}${read.stderr}`).toBe(`events: ${report.events}`);
          expect(read.stdout, name).toContain("metadata OK");
          expect(read.stdout, name).toContain("paths OK: 2 entries");
        }
      }
    },
    90_000,
  );
});
