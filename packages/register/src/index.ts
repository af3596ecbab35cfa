/**
 * `node --import @codetracer/register app.ts` records the program into a CodeTracer trace
 * folder. Importing this module (on the main thread, once) starts a session, installs the
 * exit hooks that finish it, registers the ES module hooks and the CommonJS `require` hook, and
 * turns on source maps so stack traces show original lines. On worker threads it does nothing
 * (recording workers comes later).
 *
 * Configuration comes from `CODETRACER_*` variables: see {@link readLoaderConfig}.
 * @packageDocumentation
 */
import { register } from "node:module";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { isMainThread } from "node:worker_threads";
import { createRequire } from "node:module";
import { RecorderError, installExitHooks, startSession, type TraceFormat } from "@codetracer/runtime";
import { readLoaderConfig } from "./config.js";
import { installRequireHook } from "./cjs.js";
import { createFileFilter } from "./filter.js";

export { readLoaderConfig } from "./config.js";
export type { LoaderConfig } from "./config.js";
export { createFileFilter } from "./filter.js";
export { moduleFormat } from "./format.js";

function ownRoots(): string[] {
  const require = createRequire(import.meta.url);
  const packageRoot = (entry: string) => path.dirname(path.dirname(entry));
  const roots = [packageRoot(fileURLToPath(import.meta.url))];
  for (const pkg of ["@codetracer/runtime", "@codetracer/instrument", "@codetracer/trace-format"]) {
    try {
      roots.push(packageRoot(require.resolve(pkg)));
    } catch {
      // not installed separately
    }
  }
  return roots;
}

function main(): void {
  const config = readLoaderConfig(process.env, ownRoots());
  const script = process.argv[1];
  const session = startSession({
    traceDir: config.traceDir,
    format: config.format as TraceFormat,
    program: script ? path.resolve(script) : "<eval>",
    args: process.argv.slice(2),
    workdir: config.cwd,
    ...(config.activationPath ? { activationPath: config.activationPath } : {}),
  });
  installExitHooks(session);
  process.setSourceMapsEnabled(true);
  installRequireHook(createFileFilter(config), (file, error) =>
    session.recorder.moduleThrew(file.replace(/\\/g, "/"), error),
  );
  register("./hooks.js", import.meta.url, { data: config });
}

if (isMainThread) {
  try {
    main();
  } catch (error) {
    if (error instanceof RecorderError) {
      process.stderr.write(`codetracer: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}
