/**
 * Recording test files under vitest: `import codetracer from "unplugin-codetracer/vitest"`,
 * then `plugins: [codetracer({ traceDir: "traces", keep: "failed" })]` in `vitest.config.ts`.
 * Each test file is recorded into its own trace folder named after the file
 * (`traces/test/math.test.ts/`), with the project's modules it calls. Off unless asked, like the
 * bundler plugin (`CODETRACER_TRACE` or `enabled: true`). See `docs/ci.md`.
 * @packageDocumentation
 */
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { createUnplugin } from "unplugin";
import { UsageError } from "@codetracer/runtime";
import { PENDING_METADATA_FILE, finishAbandonedTrace, limitsFromEnv, policyFromEnv } from "@codetracer/runtime/internal";
import { TRACE_METADATA_FILE } from "@codetracer/trace-format";
import { traceSummaryLine } from "@codetracer/trace-format/internal";
import { codetracerFactory } from "./core.js";
import { resolveOptions, type CodetracerOptions } from "./options.js";
import type { TestFileRecordingOptions } from "./runtime.js";

/** Which test files' trace folders stay after the run. */
export type KeepTraces = "all" | "failed";

/** Options of the vitest integration: those of the bundler plugin, and which traces to keep. */
export interface VitestRecordingOptions extends CodetracerOptions {
  /**
   * `all`: keep every test file's trace folder; `failed`: keep only the folders of test files
   * that failed (a test failed, after its retries; or a hook or the file itself did), the others
   * are deleted when the file ends. Default: `CODETRACER_KEEP`, else `all`.
   */
  keep?: KeepTraces;
}

/** The setup file that records each test file (`./vitest-setup.ts`). */
const SETUP_FILE = fileURLToPath(new URL("./vitest-setup.js", import.meta.url));

/**
 * The Node runtime's file (`unplugin-codetracer/runtime`), as vitest names it. Vitest imports it
 * natively in every environment (`server.deps.external`): also where modules are built for the
 * client (`jsdom`, `happy-dom`), which would otherwise compile it as browser code.
 */
const RUNTIME_FILE_PATTERN = new RegExp(
  `^${fileURLToPath(new URL("./runtime.js", import.meta.url))
    .split(path.sep)
    .join("/")
    .replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`,
);

/**
 * The part of a Vite plugin this integration uses, typed without importing Vite (whose version
 * is the project's): assignable to `plugins` of `vitest.config.ts`.
 */
export interface VitestPlugin {
  /** The plugin's name. */
  name: string;
  /**
   * Vite's `config` hook: adds the setup file to `test.setupFiles`, its options to `test.env`, and
   * the runtime to `test.server.deps.external`.
   */
  /**
   * Vitest's `configureVitest` hook (Vitest ≥ 3.1): adds a reporter that lists the run's kept
   * trace folders at its end.
   */
  configureVitest?: (context: { vitest: { config: { reporters: unknown[] }; logger: { log(message: string): void } } }) => void;
  config?: (config: {
    root?: string;
    test?: { setupFiles?: string | string[]; env?: Record<string, string>; server?: { deps?: { external?: Array<string | RegExp> } } };
  }) => void;
}

/**
 * `keep`, from the option, else `CODETRACER_KEEP`, else `all` (also read by the Jest integration
 * of `codetracer-js-recorder`).
 * @throws UsageError `ERR_INVALID_POLICY_VALUE` for a value other than `all` or `failed`
 */
export function resolveKeep(keep: unknown, env: NodeJS.ProcessEnv): KeepTraces {
  if (keep !== undefined) {
    if (keep !== "all" && keep !== "failed") {
      throw new UsageError("ERR_INVALID_POLICY_VALUE", `unplugin-codetracer: option "keep": expected "all" or "failed", got ${JSON.stringify(keep)}`, {
        option: "keep",
      });
    }
    return keep;
  }
  const raw = env.CODETRACER_KEEP?.trim().toLowerCase();
  if (!raw) return "all";
  if (raw !== "all" && raw !== "failed") {
    throw new UsageError("ERR_INVALID_POLICY_VALUE", `CODETRACER_KEEP must be all or failed, got ${JSON.stringify(env.CODETRACER_KEEP)}`, {
      variable: "CODETRACER_KEEP",
      value: String(env.CODETRACER_KEEP),
    });
  }
  return raw;
}

/**
 * The Vite plugins that record test files: the bundler plugin, for code running on Node
 * (vitest's `node` environment), whose built modules only install the runtime; and a plugin
 * that puts the setup file first in `test.setupFiles` and hands it the options through
 * `test.env.CODETRACER_VITEST`. The trace folder (`traceDir`, default `CODETRACER_TRACE`, else
 * `trace-out`) is relative to the project root.
 *
 * Test files whose recording could not be finished in their worker (the module failed to load
 * in a worker thread, which vitest then terminates; a worker killed after a timeout) are
 * finished when vitest's process exits, like `codetracer-js-recorder --repair` does
 * (`partial: true`, exit code 1, label `<terminated>`).
 *
 * @param options - see {@link VitestRecordingOptions}
 * @returns plugins for `plugins` of `vitest.config.ts` (when off, one that does nothing)
 * @throws UsageError `ERR_INVALID_POLICY_VALUE` for a bad `keep`, `CODETRACER_KEEP`, any option
 *   of the bundler plugin (naming the option), a `traceDir` that is the project root, or (when
 *   on) a bad `CODETRACER_*` policy or value-limit variable (naming the variable); the filter
 *   errors of the bundler plugin (`ERR_IO` for a missing filter file)
 */
export default function codetracer(options: VitestRecordingOptions = {}): VitestPlugin[] {
  const { keep: keepOption, ...pluginOptions } = options;
  const keep = resolveKeep(keepOption, process.env);
  const resolved = resolveOptions({ target: "node", ...pluginOptions });
  // The bundler plugin's (one when off; with the one for Vue/Svelte components when on).
  const instrument = [createUnplugin(codetracerFactory({ wholeRun: false }, resolved)).vite()].flat() as unknown as VitestPlugin[];
  if (!resolved.enabled) return instrument;
  // What each worker would reject at every test file's start: rejected once, here.
  policyFromEnv(process.env);
  limitsFromEnv(process.env);
  const runId = randomUUID();
  let listed: { traceDir: string; root: string } | undefined;
  return [
    ...instrument,
    {
      name: "unplugin-codetracer:vitest",
      config(config) {
        const root = path.resolve(config.root ?? process.cwd());
        const traceDir = path.resolve(root, resolved.traceDir);
        if (traceDir === root) {
          throw new UsageError(
            "ERR_INVALID_POLICY_VALUE",
            `unplugin-codetracer: option "traceDir": ${JSON.stringify(resolved.traceDir)} is the project root, where the test files' trace folders would be the test files themselves`,
            {
              option: "traceDir",
            },
          );
        }
        const recording: TestFileRecordingOptions = { traceDir, root, format: resolved.format, keep, filters: resolved.bakedFilters, runId };
        const test = (config.test ??= {});
        const setupFiles = test.setupFiles === undefined ? [] : Array.isArray(test.setupFiles) ? test.setupFiles : [test.setupFiles];
        // First, so the project's own setup files are recorded too (with `sequence.setupFiles: "list"`).
        test.setupFiles = [SETUP_FILE, ...setupFiles.filter((file) => file !== SETUP_FILE)];
        test.env = { ...test.env, CODETRACER_VITEST: JSON.stringify(recording) };
        const deps = ((test.server ??= {}).deps ??= {});
        deps.external = [...(deps.external ?? []).filter((p) => String(p) !== String(RUNTIME_FILE_PATTERN)), RUNTIME_FILE_PATTERN];
        finishAtExit(traceDir, runId);
        listed = { traceDir, root };
      },
      // At the end of the run, the trace folders it kept, one summary line each, through
      // vitest's logger (a reporter of ours beside the project's).
      configureVitest({ vitest }) {
        vitest.config.reporters.push({
          onTestRunEnd() {
            if (!listed) return;
            const lines = foldersOfRun(listed.traceDir, TRACE_METADATA_FILE, runId).map((dir) => traceSummaryLine(dir, { cwd: listed!.root }) ?? dir);
            if (lines.length > 0) vitest.logger.log(`\n${lines.join("\n")}\n`);
          },
        });
      },
    },
  ];
}

/**
 * The folders under `traceDir` (itself included, at most 32 levels down, `node_modules` and
 * `.git` passed over) whose `file` (`trace_metadata.json`, or the pending metadata of a folder
 * not finished) says it belongs to the vitest run `runId`, in path order. A file that cannot be
 * read or parsed is not the run's (left as it is: `--repair` can still finish such a folder).
 */
function foldersOfRun(traceDir: string, file: string, runId: string): string[] {
  const found: string[] = [];
  const walk = (dir: string, depth: number): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (entry.isFile() && entry.name === file) {
        try {
          const meta = JSON.parse(fs.readFileSync(path.join(dir, entry.name), "utf8")) as { run_id?: unknown };
          if (meta.run_id === runId) found.push(dir);
        } catch {
          // not a folder of this run
        }
      } else if (entry.isDirectory() && depth < 32 && entry.name !== "node_modules" && entry.name !== ".git") {
        walk(path.join(dir, entry.name), depth + 1);
      }
    }
  };
  walk(traceDir, 0);
  return found.sort();
}

/** The trace folders to look through at exit: `traceDir` → this run's id. */
const unfinished = new Map<string, string>();

/** Registers `traceDir` for {@link finishAbandoned} when vitest's process exits. */
function finishAtExit(traceDir: string, runId: string): void {
  if (unfinished.size === 0) process.once("exit", () => unfinished.forEach((id, dir) => finishAbandoned(dir, id)));
  unfinished.set(traceDir, runId);
}

/**
 * Finishes the folders under `traceDir` that a test file of run `runId` left unfinished (a
 * pending metadata file of this run, no `trace_metadata.json`): by then every worker is gone.
 * Best effort, never throws.
 */
function finishAbandoned(traceDir: string, runId: string): void {
  for (const dir of foldersOfRun(traceDir, PENDING_METADATA_FILE, runId)) finishAbandonedTrace(dir, 1);
}
