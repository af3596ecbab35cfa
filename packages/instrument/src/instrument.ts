/**
 * `instrument(code, options)`: one call that parses a JS/TS/JSX file with Babel, instruments it
 * (unless told not to), strips TypeScript, compiles JSX, converts ES module syntax to CommonJS
 * when the file is loaded by `require`, and returns the code with its source map.
 */
import { transformSync, type PluginItem } from "@babel/core";
import { createRequire } from "node:module";
import transformTypeScript from "@babel/plugin-transform-typescript";
import transformReactJsx from "@babel/plugin-transform-react-jsx";
import transformModulesCommonjs from "@babel/plugin-transform-modules-commonjs";
import proposalDecorators from "@babel/plugin-proposal-decorators";
import transformClassProperties from "@babel/plugin-transform-class-properties";
import transformExplicitResourceManagement from "@babel/plugin-transform-explicit-resource-management";
import transformTypeScriptMetadata from "babel-plugin-transform-typescript-metadata";
import { parameterDecoratorsPlugin } from "./parameter-decorators.js";
import { codetracerBabelPlugin, type CodetracerPluginMetadata, type CodetracerPluginOptions, type ScopeFilter } from "./plugin.js";
import { InstrumentError } from "./errors.js";
import { isSupportedFile, JSX_EXT, needsCompile, TS_EXT } from "./files.js";

export { isSupportedFile, needsCompile };

/** Options of {@link instrument}. */
export interface InstrumentOptions {
  /** Absolute path of the file; its extension picks the parser plugins. */
  filename: string;
  /**
   * How the file will run: `"module"` (ESM) or `"commonjs"`. A `"commonjs"` file that uses
   * `import`/`export` syntax is converted to `require`/`exports`, as tsx does.
   */
  format: "module" | "commonjs";
  /**
   * Insert the recording calls. `false` only strips types and compiles JSX (files that are
   * excluded from recording but cannot run as they are).
   * @default true
   */
  instrument?: boolean;
  /**
   * Append the source map to the code as an inline `sourceMappingURL` comment (what Node's
   * source-map support reads).
   * @default true
   */
  inlineSourceMap?: boolean;
  /**
   * Which decorators the file's `@decorator` syntax means, as TypeScript decides it:
   * `"legacy"` when the nearest `tsconfig.json` sets `experimentalDecorators` (TypeScript's
   * legacy decorators), else `"2023-11"` (the standard decorators of TC39). Node runs neither,
   * so files that use decorators are compiled by Babel's decorators transform.
   * @default "2023-11"
   */
  decorators?: "2023-11" | "legacy";
  /**
   * With `decorators: "legacy"` in a TypeScript file: emit TypeScript's design-type metadata
   * (`Reflect.metadata("design:type" | "design:paramtypes", …)` on decorated members and
   * classes), as TypeScript does when `tsconfig.json` sets `emitDecoratorMetadata`; compiled by
   * `babel-plugin-transform-typescript-metadata`. The program must load a `Reflect.metadata`
   * polyfill (`reflect-metadata`), as it must under `tsc`.
   * @default false
   */
  decoratorMetadata?: boolean;
  /**
   * How the source map names the original file (its `sources` entry), which is how Node's
   * stack traces show it: give ES modules their `file:` URL, as Node shows them without a map.
   * @default `filename`
   */
  sourceFileName?: string;
  /**
   * Compile what Node cannot run: strip TypeScript, compile JSX and decorators, lower `using`
   * where needed, convert ES module syntax for `format: "commonjs"`. `false` keeps the file's
   * syntax as written and only inserts the recording calls, for a bundler whose own pipeline
   * compiles TypeScript, JSX and decorators afterwards with the project's settings (the source
   * map then maps the output to the input of this call; `format` only chooses the parse: with
   * `compile: false` a file without `import`/`export` is parsed as a script).
   * @default true
   */
  compile?: boolean;
  /**
   * A source map (v3) from the original file to `code`, when `code` is not the file as written
   * because another tool compiled it first (a Rollup plugin that compiles TypeScript in its
   * `load` hook). The lines in the trace are then taken through it, so they are the original
   * file's; the returned map still maps the output to `code`, as bundlers expect.
   */
  inputSourceMap?: object;
  /**
   * Record only the code that comes from these lines of the original file (1-based, inclusive
   * ranges); the rest runs as written. The bundler plugin gives a compiled single-file
   * component's `<script>` blocks, so the render code compiled from its template is not
   * recorded. With {@link inputSourceMap}, a statement is recorded when the map has a mapping on
   * its own line (at or before its start, else after it) into a range: code a compiler added
   * without a mapping is not. A function is recorded when it starts in a range or one of its
   * own statements is recorded (a compiler's wrapper, such as a Vue component's `setup()`).
   * Default: everything.
   */
  recordedLines?: readonly (readonly [number, number])[];
  /**
   * A module specifier imported (`import "id"`, or `require("id")` in a script) before
   * anything else in an instrumented file: the module that installs the runtime
   * (`globalThis.__codetracer__`) in a bundle. Not added to a file left uninstrumented.
   */
  runtimeImport?: string;
  /**
   * The trace filter's decisions for this file's scopes (by qualified name): skipped scopes are
   * left as written, redacted and dropped values never reach the runtime. See
   * {@link ScopeFilter}. Default: everything recorded.
   */
  scopes?: ScopeFilter;
}

/** Result of {@link instrument}. */
export interface InstrumentResult {
  /** The transformed code (with the inline source map comment unless disabled). */
  code: string;
  /** The source map (v3) from the transformed code to the original file. */
  map: object | null;
  /** Whether recording calls were inserted (`false` if disabled or already instrumented). */
  instrumented: boolean;
  /** Number of functions and step sites in the file's table. */
  functions: number;
  sites: number;
  /**
   * Scopes the trace filter skipped. When it skipped every scope, `instrumented` is `false` and
   * `code` is the file as it runs unrecorded (the original, for plain JavaScript).
   */
  skipped: number;
}

/**
 * The original line of each position through `map` (see {@link InstrumentOptions.inputSourceMap}):
 * the mapping at or before the position on its line, else the first one after it on that line,
 * else the nearest mapped line above (code the compiler added, such as an enum's wrapper,
 * belongs to the statement it was made from); `exact` uses only the mappings of the position's
 * own line and gives `null` when it has none (see {@link InstrumentOptions.recordedLines}).
 */
function originalLines(map: object): {
  line: (line: number, column: number) => number;
  exact: (line: number, column: number) => number | null;
} {
  // Its CommonJS build, loaded only here (bundler plugins): the loaders never need it, and an ES
  // module import would pull its ES build through the loader's module hooks on Node 24.
  const { GREATEST_LOWER_BOUND, LEAST_UPPER_BOUND, TraceMap, originalPositionFor } = createRequire(import.meta.url)(
    "@jridgewell/trace-mapping",
  ) as typeof import("@jridgewell/trace-mapping");
  const traced = new TraceMap(map as ConstructorParameters<typeof TraceMap>[0]);
  const onLine = (line: number, column: number): number | null =>
    originalPositionFor(traced, { line, column, bias: GREATEST_LOWER_BOUND }).line ??
    originalPositionFor(traced, { line, column, bias: LEAST_UPPER_BOUND }).line;
  return {
    line: (line, column) => {
      const at = onLine(line, column);
      if (at !== null) return at;
      for (let l = line - 1; l >= 1; l--) {
        const above = originalPositionFor(traced, {
          line: l,
          column: Number.MAX_SAFE_INTEGER,
          bias: GREATEST_LOWER_BOUND,
        }).line;
        if (above !== null) return above;
      }
      return line;
    },
    exact: onLine,
  };
}

/** Cheap pre-check: `@` followed by a name somewhere (decorators need an extra parser plugin). */
const DECORATOR = /@[\p{ID_Start}$_]/u;

/** A `using` or `await using` declaration may be in the text. */
const USING = /\busing\s+[\p{L}_$[{]/u;

/** True when this JavaScript engine runs `using` declarations itself (then `instrument()` leaves them to it). */
export const NATIVE_USING: boolean = (() => {
  try {
    new Function("{ using x = null; }");
    return true;
  } catch {
    return false;
  }
})();

/**
 * Instruments one file.
 *
 * @throws InstrumentError `ERR_INSTRUMENT_SYNTAX` when the file cannot be parsed: the message
 *   names the file, line and column and includes a code frame; `ERR_INSTRUMENT_FAILED` when the
 *   transform fails for another reason.
 */
/**
 * A file a bundler hands over (`compile: false`) may be CommonJS even where the build is ES
 * modules (webpack, Rollup with the commonjs plugin): such a file is parsed as whatever its
 * syntax says. Any other file of a `module` build is an ES module, also without an `import` or
 * `export` (a page's entry script): Babel's "unambiguous" would take it for a script, and the
 * runtime import would become a `require()` the page does not have.
 */
const LOOKS_COMMONJS = /\brequire\s*\(|\bmodule\.exports\b|\bexports\.[A-Za-z_$]|\bexports\[/;

export function instrument(code: string, options: InstrumentOptions): InstrumentResult {
  const { filename, format } = options;
  const isTS = TS_EXT.test(filename);
  const isJSX = JSX_EXT.test(filename);
  const record = options.instrument !== false;
  const compile = options.compile !== false;
  const parserPlugins: NonNullable<NonNullable<Parameters<typeof transformSync>[1]>["parserOpts"]>["plugins"] = [];
  if (isTS) parserPlugins.push("typescript");
  if (isJSX) parserPlugins.push("jsx");

  const plugins: PluginItem[] = [];
  if (record) {
    const pluginOptions: CodetracerPluginOptions = {
      filename: toPosix(filename),
      commonjs: format === "commonjs",
      // Function texts are recovered from the original ranges only when the file runs as written.
      sourceRanges: !isTS && !isJSX && compile,
    };
    if (options.scopes) pluginOptions.scopes = options.scopes;
    if (options.runtimeImport !== undefined) pluginOptions.runtimeImport = options.runtimeImport;
    const mapped = options.inputSourceMap ? originalLines(options.inputSourceMap) : null;
    if (mapped) pluginOptions.originalLine = mapped.line;
    if (options.recordedLines) {
      const ranges = options.recordedLines;
      const exact = mapped ? mapped.exact : (line: number) => line;
      pluginOptions.recorded = (line, column) => {
        const at = exact(line, column);
        return at !== null && ranges.some(([first, last]) => at >= first && at <= last);
      };
    }
    plugins.push([codetracerBabelPlugin, pluginOptions]);
  }
  if (!compile) {
    // Syntax only: the bundler's own TypeScript/JSX/decorator compile runs on our output.
    if (DECORATOR.test(code)) parserPlugins.push(options.decorators === "legacy" ? "decorators-legacy" : "decorators");
    if (USING.test(code)) parserPlugins.push("explicitResourceManagement");
  } else if (isTS) {
    plugins.push([transformTypeScript, { isTSX: filename.endsWith(".tsx"), allowDeclareFields: true, onlyRemoveTypeImports: false }]);
  }
  if (isJSX && compile) plugins.push([transformReactJsx, { runtime: "automatic" }]);
  if (DECORATOR.test(code) && compile) {
    // After the recorder's pass, which runs first from `Program.enter` on the original AST.
    if (options.decorators === "legacy") {
      // Parameter decorators and design-type metadata first, from `Program` on the AST that
      // still has its parameter decorators and type annotations.
      const legacy: PluginItem[] = [parameterDecoratorsPlugin];
      if (isTS && options.decoratorMetadata) legacy.push(transformTypeScriptMetadata);
      plugins.splice(record ? 1 : 0, 0, ...legacy);
      plugins.push([proposalDecorators, { version: "legacy" }], [transformClassProperties, { loose: true }]);
    } else plugins.push([proposalDecorators, { version: "2023-11" }]);
  }
  // TypeScript 5.2's `using` / `await using` (what tsc downlevels), in files we compile anyway,
  // when this Node cannot run them (Node 20, 22): the rest of the file is left for Node as written.
  if (compile && (isTS || isJSX) && !NATIVE_USING && USING.test(code)) plugins.push(transformExplicitResourceManagement);
  if (compile && format === "commonjs") plugins.push([transformModulesCommonjs, { loose: false }]);

  let result: ReturnType<typeof transformSync>;
  // Babel raises `Error.stackTraceLimit` to 50 and installs its own `Error.prepareStackTrace`
  // the first time it runs; in the recorded program's thread both are observable: put them back.
  const stackTraceLimit = Error.stackTraceLimit;
  const prepareStackTrace = Error.prepareStackTrace;
  try {
    result = transformSync(code, {
      filename,
      configFile: false,
      babelrc: false,
      sourceType: format === "module" && (compile || !LOOKS_COMMONJS.test(code)) ? "module" : "unambiguous",
      parserOpts: { plugins: parserPlugins, allowReturnOutsideFunction: format === "commonjs" },
      plugins,
      sourceMaps: true,
      sourceFileName: options.sourceFileName ?? filename,
      compact: false,
      comments: true,
      // Plain-text code frames in error messages, whatever the terminal or CI says about colour.
      highlightCode: false,
    });
  } catch (error) {
    throw InstrumentError.fromBabel(error, filename);
  } finally {
    if (Error.stackTraceLimit !== stackTraceLimit) Error.stackTraceLimit = stackTraceLimit;
    if (Error.prepareStackTrace !== prepareStackTrace) Error.prepareStackTrace = prepareStackTrace;
  }
  if (!result || result.code == null) {
    throw new InstrumentError("ERR_INSTRUMENT_FAILED", `${filename}: Babel returned no code`, { filename });
  }
  const meta = (result.metadata as unknown as { codetracer?: CodetracerPluginMetadata }).codetracer;
  if (record && meta?.instrumented && meta.traced === 0) {
    // The trace filter skipped every scope: the file runs as it would unrecorded.
    const plain = compile && (needsCompile(filename) || DECORATOR.test(code)) ? instrument(code, { ...options, instrument: false }) : { code, map: null };
    return { code: plain.code, map: plain.map, instrumented: false, functions: 0, sites: 0, skipped: meta.skipped };
  }
  let out = result.code;
  if (options.inlineSourceMap !== false && result.map) {
    const encoded = Buffer.from(JSON.stringify(result.map)).toString("base64");
    out += `\n//# sourceMappingURL=data:application/json;charset=utf-8;base64,${encoded}\n`;
  }
  return {
    code: out,
    map: result.map ?? null,
    instrumented: meta?.instrumented ?? false,
    functions: meta?.functions ?? 0,
    sites: meta?.sites ?? 0,
    skipped: meta?.instrumented ? meta.skipped : 0,
  };
}

function toPosix(p: string): string {
  return p.replace(/\\/g, "/");
}
