/**
 * `codetracer-js-recorder/jest`: the Jest transformer that records test files. In `jest.config`:
 *
 * ```js
 * transform: { "\\.[jt]sx?$": "codetracer-js-recorder/jest" },
 * testEnvironment: "codetracer-js-recorder/jest-environment",
 * ```
 *
 * It compiles TypeScript, JSX and decorators as the Node loader does (and ES module syntax to
 * CommonJS, unless Jest runs the file as an ES module). When recording is on
 * (`CODETRACER_TRACE` set, `CODETRACER_ENABLED`, or the option `enabled: true`) it also inserts
 * the recording calls into the project's files, at their original lines; the test environment
 * (`./jest-environment.ts`) records each test file into its own trace folder. Off, a test run is
 * Jest's as usual. See `docs/ci.md` ("Jest").
 * @packageDocumentation
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { isSupportedFile, needsCompile } from "@codetracer/instrument/files";
import { INSTRUMENTED_MARKER } from "@codetracer/runtime/abi";
import { createFileFilter } from "@codetracer/register/filter";
import { distPackageRoot, recorderPackageRoots } from "@codetracer/register/own-roots";
import { decoratorsFor } from "@codetracer/register/tsconfig";
import { resolveJestOptions, type ResolvedJestOptions } from "./jest-options.js";

export type { JestRecordingOptions } from "./jest-options.js";

/** The part of Jest's `TransformOptions` read here (Jest ≥ 27). */
export interface JestTransformOptions {
  /** The transformer's options (the second element of its `transform` entry). */
  transformerConfig?: unknown;
  /** The project's config: `rootDir` is where relative options are taken from. */
  config: { rootDir: string };
  /** Jest's serialized project config (part of the cache key, as babel-jest does). */
  configString?: string;
  /** Jest runs the file as an ES module (`extensionsToTreatAsEsm`, `--experimental-vm-modules`). */
  supportsStaticESM?: boolean;
}

/** What the transformer returns for a file: the code Jest runs and its source map (to the original file). */
export interface JestTransformResult {
  code: string;
  map?: object | null;
}

/** The transformer object Jest loads (`process`, `getCacheKey`). */
export interface CodetracerJestTransformer {
  /** Jest collects coverage of the output itself (babel-plugin-istanbul after this transform). */
  canInstrument: false;
  /**
   * Jest's cache key of a file: changes with the source, its path, the project config, the
   * module kind, the transformer's options, whether recording is on with which filters, the
   * file's decorator settings (`tsconfig.json`), and the versions of this package and of
   * `@codetracer/instrument`.
   * @throws as {@link resolveJestOptions} (a bad option or variable)
   */
  getCacheKey(sourceText: string, sourcePath: string, options: JestTransformOptions): string;
  /**
   * Compiles (and, when recording, instruments) one file.
   * @throws InstrumentError `ERR_INSTRUMENT_SYNTAX` when the file cannot be parsed (the message
   *   names the file, line and column, with a code frame); as {@link resolveJestOptions} for a
   *   bad option or variable
   */
  process(sourceText: string, sourcePath: string, options: JestTransformOptions): JestTransformResult;
}

const require = createRequire(import.meta.url);
/** The versions whose change must invalidate Jest's cache (this package's, the instrumenter's, this file's text). */
const VERSIONS = [
  (require("../package.json") as { version: string }).version,
  (require("@codetracer/instrument/package.json") as { version: string }).version,
  // This transformer's own text: a rebuild of the same version (a workspace, a patch) is a new key.
  createHash("sha256")
    .update(fs.readFileSync(fileURLToPath(import.meta.url)))
    .digest("hex")
    .slice(0, 16),
].join("+");

/** The folders of the recorder's packages (this one, the runtime's, the instrumenter's, …): their files are never instrumented. */
const OWN_ROOTS = [
  ...recorderPackageRoots(),
  distPackageRoot(fileURLToPath(import.meta.url)),
  distPackageRoot(require.resolve("unplugin-codetracer/runtime")),
].map((root) => root.split(path.sep).join("/").replace(/\/?$/, "/"));

/** Whether `file` is one of the recorder's own files (under {@link OWN_ROOTS}). */
function isOwnFile(file: string): boolean {
  const posix = file.split(path.sep).join("/");
  return OWN_ROOTS.some((root) => posix.startsWith(root));
}

/**
 * The module every instrumented file loads first (`../jest-check.cjs`): it throws a clear error
 * when the test environment that provides the runtime is missing. By its absolute path, which is
 * part of the cache key: the test file need not resolve this package itself.
 */
const CHECK_FILE = fileURLToPath(new URL("../jest-check.cjs", import.meta.url));

/** ES module syntax in a file Jest runs as CommonJS (then Babel converts it, as babel-jest would). */
const ESM_SYNTAX = /(?:^|[\s;})])(?:import\s*[\w*{"'`$]|export\s)/m;

interface Project {
  options: ResolvedJestOptions;
  shouldRecord: (file: string) => boolean;
  fingerprint: string;
}

/**
 * `@codetracer/instrument` (with Babel, ~0.3 s to load), loaded when this worker first compiles
 * a file: a worker whose files all come from Jest's cache never loads it.
 */
let instrumenter: typeof import("@codetracer/instrument") | undefined;
function loadInstrumenter(): typeof import("@codetracer/instrument") {
  return (instrumenter ??= require("@codetracer/instrument") as typeof import("@codetracer/instrument"));
}

/** Makes the transformer: one set of resolved options per project root and transformer options. */
function makeTransformer(): CodetracerJestTransformer {
  const projects = new Map<string, Project>();
  const projectOf = (options: JestTransformOptions): Project => {
    const raw = options.transformerConfig;
    const key = `${options.config.rootDir}\0${JSON.stringify(raw ?? {})}`;
    let project = projects.get(key);
    if (!project) {
      const resolved = resolveJestOptions(raw, options.config.rootDir);
      const chain = resolved.resolved.chain;
      project = {
        options: resolved,
        shouldRecord: chain ? createFileFilter({ ownRoots: OWN_ROOTS }, chain) : () => false,
        fingerprint: resolved.resolved.scope ? resolved.resolved.scope.fingerprint : "off",
      };
      projects.set(key, project);
    }
    return project;
  };
  const transformer: CodetracerJestTransformer = {
    canInstrument: false,
    getCacheKey(sourceText, sourcePath, options) {
      const project = projectOf(options);
      return createHash("sha256")
        .update(
          JSON.stringify([
            VERSIONS,
            CHECK_FILE,
            sourcePath,
            options.configString ?? "",
            options.supportsStaticESM === true,
            project.options.resolved.enabled,
            project.fingerprint,
            decoratorsFor(sourcePath),
          ]),
        )
        .update("\0")
        .update(sourceText)
        .digest("hex");
    },
    process(sourceText, sourcePath, options) {
      // The recorder's own files, as they are (Jest compiles its test environment with the
      // project's transform, and in a workspace ours is not under node_modules).
      if (isOwnFile(sourcePath)) return { code: sourceText };
      const project = projectOf(options);
      const format = options.supportsStaticESM ? "module" : "commonjs";
      const record =
        project.options.resolved.enabled && isSupportedFile(sourcePath) && project.shouldRecord(sourcePath) && !sourceText.includes(INSTRUMENTED_MARKER);
      if (!record && (!isSupportedFile(sourcePath) || (!needsCompile(sourcePath) && !(format === "commonjs" && ESM_SYNTAX.test(sourceText))))) {
        return { code: sourceText };
      }
      const scope = project.options.resolved.scope;
      // A file that cannot be parsed throws InstrumentError (ERR_INSTRUMENT_SYNTAX: the file, line,
      // column and a code frame), which Jest reports as the test file's failure.
      const result = loadInstrumenter().instrument(sourceText, {
        filename: sourcePath,
        format,
        instrument: record,
        inlineSourceMap: false,
        ...(record ? { runtimeImport: CHECK_FILE } : {}),
        ...decoratorsFor(sourcePath),
        ...(record && scope ? { scopes: scope.scopesFor(sourcePath) } : {}),
      });
      return { code: result.code, map: result.map };
    },
  };
  return transformer;
}

/** The transformer (Jest loads the default export, with `require` or `import`). */
const transformer: CodetracerJestTransformer = makeTransformer();
export default transformer;
