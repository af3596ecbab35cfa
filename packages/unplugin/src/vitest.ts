/**
 * Recording test files under vitest: `import codetracer from "unplugin-codetracer/vitest"`,
 * then `plugins: [codetracer({ traceDir: "traces", keep: "failed" })]` in `vitest.config.ts`.
 * Each test file is recorded into its own trace folder named after the file
 * (`traces/test/math.test.ts/`), with the project's modules it calls. Off unless asked, like the
 * bundler plugin (`CODETRACER_TRACE` or `enabled: true`). See `docs/ci.md`.
 * @packageDocumentation
 */
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { createUnplugin } from "unplugin";
import { UsageError } from "@codetracer/runtime";
import { codetracerFactory } from "./core.js";
import { resolveOptions, type CodetracerOptions } from "./options.js";
import type { TestFileRecordingOptions } from "./runtime.js";

/** Options of the vitest integration: those of the bundler plugin, and which traces to keep. */
export interface VitestRecordingOptions extends CodetracerOptions {
  /**
   * `all` (default): keep every test file's trace folder; `failed`: keep only the folders of
   * test files in which a test failed (the others are deleted when the file ends).
   */
  keep?: "all" | "failed";
}

/** The setup file that records each test file (`./vitest-setup.ts`). */
const SETUP_FILE = fileURLToPath(new URL("./vitest-setup.js", import.meta.url));

/** The subset of Vite's plugin shape this integration uses (Vite is the project's own dependency). */
interface VitePluginLike {
  name: string;
  config?: (config: { root?: string }) => Record<string, unknown>;
}

/**
 * The Vite plugins that record test files: the bundler plugin, for code running on Node
 * (vitest's `node` environment), whose built modules only install the runtime; and a plugin
 * that adds the setup file to `test.setupFiles` and hands it the options through
 * `test.env.CODETRACER_VITEST`. The trace folder (`traceDir`, default `CODETRACER_TRACE`, else
 * `trace-out`) is relative to the project root.
 *
 * @param options - see {@link VitestRecordingOptions}
 * @returns plugins for `plugins` of `vitest.config.ts` (none that do anything when off)
 * @throws UsageError `ERR_INVALID_POLICY_VALUE` for a bad `keep` or any error of the bundler
 *   plugin's options, naming the option
 */
export default function codetracer(options: VitestRecordingOptions = {}): VitePluginLike[] {
  const { keep = "all", ...pluginOptions } = options;
  if (keep !== "all" && keep !== "failed") {
    throw new UsageError("ERR_INVALID_POLICY_VALUE", `unplugin-codetracer: option "keep": expected "all" or "failed", got ${JSON.stringify(keep)}`, { option: "keep" });
  }
  const resolved = resolveOptions({ target: "node", ...pluginOptions });
  const instrument = createUnplugin(codetracerFactory({ wholeRun: false }, resolved)).vite() as unknown as VitePluginLike;
  if (!resolved.enabled) return [instrument];
  return [
    instrument,
    {
      name: "unplugin-codetracer:vitest",
      config(config) {
        const root = path.resolve(config.root ?? process.cwd());
        const recording: TestFileRecordingOptions = {
          traceDir: path.resolve(root, resolved.traceDir),
          root,
          format: resolved.format,
          keep,
          filters: resolved.bakedFilters,
        };
        return { test: { setupFiles: [SETUP_FILE], env: { CODETRACER_VITEST: JSON.stringify(recording) } } };
      },
    },
  ];
}
