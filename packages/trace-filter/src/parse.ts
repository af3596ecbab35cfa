/**
 * Parsing and validating one trace-filter file (docs/trace-filters.md, "File format").
 *
 * @packageDocumentation
 */

import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
import { parse as parseToml, TomlError } from "smol-toml";
import { invalidFilter } from "./errors.js";
import { filterPlatform, pathForms } from "./platform.js";
import { isPythonModuleLikePkg, parseSelector, SelectorError } from "./selector.js";
import type { ExecAction, IoConfig, IoStream, ScopeRule, TraceFilter, ValueAction, ValuePattern } from "./types.js";

/** The highest `meta.version` this package understands. */
export const MAX_SCHEMA_VERSION = 1;

/** Options of {@link parseTraceFilter}. */
export interface ParseTraceFilterOptions {
  /**
   * The file's path (made absolute against the current directory), or a pseudo-path such as
   * `<inline:builtin-default>`. Used in messages, metadata and to find the project root.
   */
  path: string;
  /**
   * The project root `file:` selectors are relative to. Default: {@link filterRootOf} of
   * `path`, or `""` when `path` is an `<inline:…>` pseudo-path.
   */
  root?: string;
  /**
   * Receives the file's warnings (see {@link TraceFilterWarning}). Default: the handler set
   * with {@link setTraceFilterWarningHandler}. Each warning is given once per file path and
   * selector in a process, however often the file is parsed.
   */
  onWarning?: (warning: TraceFilterWarning) => void;
}

/**
 * Something in a filter file that parses but is most likely a mistake. The only one so far,
 * code `pkg-python-module`: a `pkg:` selector in Python's dotted module form
 * (`pkg:my_app.services.*`), which matches no npm package name here (the rule:
 * {@link isPythonModuleLikePkg}).
 */
export interface TraceFilterWarning {
  /** What is wrong. */
  code: "pkg-python-module";
  /** The filter file (absolute) or `<inline:…>` pseudo-path. */
  file: string;
  /** The 1-based line of the selector in the file, when found. */
  line: number | undefined;
  /** The selector as written. */
  selector: string;
  /** Where it is: `scope.rules[N]`. */
  entry: string;
  /** The whole message: `file:line: …`. */
  message: string;
}

const defaultWarningHandler = (warning: TraceFilterWarning): void => {
  // Replaced by the recorder (its JSON log, target `codetracer.filter`); a bare library use
  // gets Node's warning, or the console elsewhere.
  const proc = (globalThis as { process?: { emitWarning?: (message: string, options: { code: string }) => void } }).process;
  if (proc && typeof proc.emitWarning === "function") proc.emitWarning(warning.message, { code: "CODETRACER_TRACE_FILTER" });
  else console.warn(warning.message);
};
let warningHandler: (warning: TraceFilterWarning) => void = defaultWarningHandler;
/** `file\0selector` of the warnings given in this process (each is given once). */
const warned = new Set<string>();

/**
 * Sets where {@link parseTraceFilter} sends its warnings when it is not given `onWarning`.
 * @param handler - the new handler, or `undefined` for the default (Node's `process.emitWarning`)
 * @returns the handler it replaces, to put back
 */
export function setTraceFilterWarningHandler(handler: ((warning: TraceFilterWarning) => void) | undefined): (warning: TraceFilterWarning) => void {
  const previous = warningHandler;
  warningHandler = handler ?? defaultWarningHandler;
  return previous;
}

/** The 1-based line of the first `selector = …` line of `text` that holds `raw`, or undefined. */
function lineOfSelector(text: string, raw: string): number | undefined {
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^\s*selector\s*=/.test(line) && line.includes(raw)) return i + 1;
  }
  return undefined;
}

/**
 * The project root of a filter file: the parent of the nearest `.codetracer` folder among the
 * file's ancestors, else the file's own folder (docs/trace-filters.md, "What each kind is matched against"). Pure string
 * work; nothing is read.
 *
 * @param file - an absolute path of a filter file
 * @returns the root folder (absolute)
 */
export function filterRootOf(file: string): string {
  const path = filterPlatform();
  let dir = path.dirname(file);
  for (;;) {
    if (path.basename(dir) === ".codetracer") return path.dirname(dir);
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return path.dirname(file);
}

/** True for `<inline:…>` pseudo-paths. */
export function isInlinePath(p: string): boolean {
  return /^<inline:[^>]*>$/.test(p);
}

/**
 * SHA-256 of a text's UTF-8 bytes, lowercase hex.
 *
 * @param text - the exact file text
 * @returns 64 hex digits
 */
export function sha256Hex(text: string): string {
  return bytesToHex(sha256(utf8ToBytes(text)));
}

type Table = Record<string, unknown>;

function isTable(v: unknown): v is Table {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Date) && !isTomlDate(v);
}

function isTomlDate(v: unknown): boolean {
  return typeof v === "object" && v !== null && v.constructor?.name === "TomlDate";
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return "an array";
  if (typeof v === "bigint") return "an integer";
  if (typeof v === "number") return "a float";
  if (typeof v === "string") return "a string";
  if (typeof v === "boolean") return "a boolean";
  if (isTomlDate(v)) return "a date";
  return "a table";
}

const EXEC_TOKENS: readonly string[] = ["trace", "skip"];
const VALUE_TOKENS: Readonly<Record<string, ValueAction>> = {
  allow: "allow",
  redact: "redact",
  drop: "drop",
  deny: "redact",
};
const IO_STREAMS: readonly IoStream[] = ["stdout", "stderr", "stdin", "files"];

/**
 * Parses and validates the text of one trace-filter file.
 *
 * Every table rejects unknown keys. `[meta]` needs a non-blank `name` and an integer `version`
 * of 1 (a higher version is refused: this package only knows schema 1); `labels` lose
 * duplicates. `[scope]` needs `default_exec` (`trace`/`skip`/`inherit`) and
 * `default_value_action` (`allow`/`redact`/`drop`/`inherit`; `deny` = `redact`). Rules and
 * value patterns keep their order; selectors are compiled here, so a bad selector, glob or
 * regex fails now. Whether `inherit` is legal is decided by `FilterChain`, which knows
 * the earlier filters.
 *
 * @example
 * ```ts
 * const filter = parseTraceFilter(text, { path: "/p/.codetracer/trace-filter.toml" });
 * filter.root; // "/p"
 * ```
 * @param text - the TOML text
 * @param options - the file's path and, optionally, its project root
 * @returns the parsed filter (frozen)
 * @throws `TraceFilterError` `ERR_INVALID_POLICY_VALUE` with the file and entry in the
 *   message and `context`
 */
export function parseTraceFilter(text: string, options: ParseTraceFilterOptions): TraceFilter {
  const inline = isInlinePath(options.path);
  const platform = filterPlatform();
  const file = inline ? options.path : platform.resolve(options.path);
  const root = options.root ?? (inline ? "" : filterRootOf(file));
  const roots = pathForms(root); // (the root need not exist for parsing)

  let doc: Table;
  try {
    doc = parseToml(text, { integersAsBigInt: true }) as Table;
  } catch (error) {
    if (error instanceof TomlError) {
      const detail = error.message
        .replace(/^Invalid TOML document:\s*/, "")
        .split("\n")[0]!
        .trim();
      throw invalidFilter(
        file,
        undefined,
        `TOML syntax error at line ${error.line}, column ${error.column}: ${detail}`,
        { line: String(error.line), column: String(error.column) },
        error,
      );
    }
    throw invalidFilter(file, undefined, `cannot parse TOML: ${String(error)}`, {}, error);
  }

  const fail = (entry: string | undefined, detail: string, extra: Record<string, string> = {}): never => {
    throw invalidFilter(file, entry, detail, extra);
  };
  const onlyKeys = (table: Table, entry: string | undefined, allowed: readonly string[]): void => {
    for (const key of Object.keys(table)) {
      if (!allowed.includes(key)) {
        fail(entry, `unknown key '${key}' (allowed: ${allowed.join(", ")})`, { key });
      }
    }
  };
  const optString = (table: Table, key: string, entry: string): string | undefined => {
    const v = table[key];
    if (v === undefined) return undefined;
    if (typeof v !== "string") fail(entry, `'${key}' must be a string, not ${describe(v)}`, { key });
    return v as string;
  };
  const reqString = (table: Table, key: string, entry: string): string => {
    const v = optString(table, key, entry);
    if (v === undefined) fail(entry, `missing required key '${key}'`, { key });
    return v as string;
  };
  const reqTable = (table: Table, key: string, entry: string | undefined, required: boolean): Table | undefined => {
    const v = table[key];
    if (v === undefined) {
      if (required) fail(entry, `missing required table [${key}]`, { key });
      return undefined;
    }
    if (!isTable(v)) fail(entry, `'${key}' must be a table, not ${describe(v)}`, { key });
    return v as Table;
  };
  const tableArray = (table: Table, key: string, entry: string): Table[] => {
    const v = table[key];
    if (v === undefined) return [];
    if (!Array.isArray(v) || !v.every(isTable)) fail(entry, `'${key}' must be an array of tables`, { key });
    return v as Table[];
  };
  const selector = (raw: string, allowed: "scope" | "value", entry: string) => {
    try {
      return parseSelector(raw, allowed, roots);
    } catch (error) {
      if (error instanceof SelectorError) return fail(entry, error.message, { selector: raw });
      throw error;
    }
  };

  onlyKeys(doc, undefined, ["meta", "scope", "io"]);

  // [meta]
  const meta = reqTable(doc, "meta", undefined, true)!;
  onlyKeys(meta, "meta", ["name", "version", "description", "labels"]);
  const name = reqString(meta, "name", "meta");
  if (name.trim().length === 0) fail("meta", "'name' must not be blank", { key: "name" });
  const rawVersion = meta.version;
  if (rawVersion === undefined) fail("meta", "missing required key 'version'", { key: "version" });
  if (typeof rawVersion !== "bigint") {
    fail("meta", `'version' must be an integer, not ${describe(rawVersion)}`, { key: "version" });
  }
  const version = rawVersion as bigint;
  if (version < 1n) fail("meta", `'version' must be >= 1 (got ${version})`, { key: "version" });
  if (version > BigInt(MAX_SCHEMA_VERSION)) {
    fail("meta", `unsupported schema version ${version}: this recorder supports trace-filter schema version ${MAX_SCHEMA_VERSION} only`, {
      key: "version",
      version: String(version),
    });
  }
  const description = optString(meta, "description", "meta");
  const labels: string[] = [];
  if (meta.labels !== undefined) {
    if (!Array.isArray(meta.labels) || !meta.labels.every((l) => typeof l === "string")) {
      fail("meta", "'labels' must be an array of strings", { key: "labels" });
    }
    for (const label of meta.labels as string[]) if (!labels.includes(label)) labels.push(label);
  }

  // [scope]
  const scope = reqTable(doc, "scope", undefined, true)!;
  onlyKeys(scope, "scope", ["default_exec", "default_value_action", "rules"]);
  const execToken = reqString(scope, "default_exec", "scope");
  if (execToken !== "inherit" && !EXEC_TOKENS.includes(execToken)) {
    fail("scope", `unsupported value '${execToken}' for 'default_exec' (expected trace, skip or inherit)`, {
      key: "default_exec",
    });
  }
  const valueToken = reqString(scope, "default_value_action", "scope");
  if (valueToken !== "inherit" && VALUE_TOKENS[valueToken] === undefined) {
    fail("scope", `unsupported value '${valueToken}' for 'default_value_action' (expected allow, redact, drop or inherit)`, { key: "default_value_action" });
  }

  const rules: ScopeRule[] = [];
  tableArray(scope, "rules", "scope").forEach((rawRule, index) => {
    const entry = `scope.rules[${index}]`;
    onlyKeys(rawRule, entry, ["selector", "exec", "value_default", "reason", "value_patterns"]);
    const sel = selector(reqString(rawRule, "selector", entry), "scope", entry);
    if (isPythonModuleLikePkg(sel)) {
      const key = `${file}\0${sel.raw}`;
      if (!warned.has(key)) {
        warned.add(key);
        const line = lineOfSelector(text, sel.raw);
        (options.onWarning ?? warningHandler)({
          code: "pkg-python-module",
          file,
          line,
          selector: sel.raw,
          entry,
          message:
            `${file}${line === undefined ? "" : `:${line}`}: selector '${sel.raw}' (${entry}) looks like a Python module path; ` +
            "here pkg: matches npm package names (lodash, @scope/name), so it matches nothing: use file: or obj: selectors for your own code " +
            "(docs/trace-filters.md)",
        });
      }
    }
    const execRaw = optString(rawRule, "exec", entry);
    let exec: ExecAction | undefined;
    if (execRaw !== undefined && execRaw !== "inherit") {
      if (!EXEC_TOKENS.includes(execRaw)) {
        fail(entry, `unsupported value '${execRaw}' for 'exec' (expected trace, skip or inherit)`, { key: "exec" });
      }
      exec = execRaw as ExecAction;
    }
    const vdRaw = optString(rawRule, "value_default", entry);
    let valueDefault: ValueAction | undefined;
    if (vdRaw !== undefined && vdRaw !== "inherit") {
      valueDefault = VALUE_TOKENS[vdRaw];
      if (valueDefault === undefined) {
        fail(entry, `unsupported value '${vdRaw}' for 'value_default' (expected allow, redact, drop or inherit)`, {
          key: "value_default",
        });
      }
    }
    const reason = optString(rawRule, "reason", entry);
    const valuePatterns: ValuePattern[] = [];
    tableArray(rawRule, "value_patterns", entry).forEach((rawPattern, pindex) => {
      const pentry = `${entry}.value_patterns[${pindex}]`;
      onlyKeys(rawPattern, pentry, ["selector", "action", "reason"]);
      const psel = selector(reqString(rawPattern, "selector", pentry), "value", pentry);
      const actionRaw = reqString(rawPattern, "action", pentry);
      const action = VALUE_TOKENS[actionRaw];
      if (action === undefined) {
        fail(pentry, `unsupported value '${actionRaw}' for 'action' (expected allow, redact or drop)`, {
          key: "action",
        });
      }
      const preason = optString(rawPattern, "reason", pentry);
      valuePatterns.push(
        Object.freeze({
          index: pindex,
          entry: pentry,
          selector: psel,
          action: action!,
          ...(preason === undefined ? {} : { reason: preason }),
        }),
      );
    });
    rules.push(
      Object.freeze({
        index,
        entry,
        selector: sel,
        ...(exec === undefined ? {} : { exec }),
        ...(valueDefault === undefined ? {} : { valueDefault }),
        ...(reason === undefined ? {} : { reason }),
        valuePatterns: Object.freeze(valuePatterns),
      }),
    );
  });

  // [io]
  let io: IoConfig | undefined;
  const rawIo = reqTable(doc, "io", undefined, false);
  if (rawIo !== undefined) {
    onlyKeys(rawIo, "io", ["capture", "streams", "modes"]);
    let capture = false;
    if (rawIo.capture !== undefined) {
      if (typeof rawIo.capture !== "boolean") {
        fail("io", `'capture' must be a boolean, not ${describe(rawIo.capture)}`, { key: "capture" });
      }
      capture = rawIo.capture as boolean;
    }
    const streams: IoStream[] = [];
    if (rawIo.streams !== undefined) {
      if (!Array.isArray(rawIo.streams) || !rawIo.streams.every((s) => typeof s === "string")) {
        fail("io", "'streams' must be an array of strings", { key: "streams" });
      }
      for (const s of rawIo.streams as string[]) {
        if (!(IO_STREAMS as readonly string[]).includes(s)) {
          fail("io", `unsupported IO stream '${s}' (expected stdout, stderr, stdin or files)`, { key: "streams" });
        }
        if (!streams.includes(s as IoStream)) streams.push(s as IoStream);
      }
    }
    if (capture && streams.length === 0) {
      fail("io", "'streams' must list at least one stream when 'capture = true'", { key: "streams" });
    }
    if (rawIo.modes !== undefined) {
      if (!Array.isArray(rawIo.modes)) fail("io", "'modes' must be an array", { key: "modes" });
      if ((rawIo.modes as unknown[]).length > 0) fail("io", "'modes' is reserved and must be empty", { key: "modes" });
    }
    io = Object.freeze({ capture, streams: Object.freeze(streams) });
  }

  return Object.freeze({
    name,
    version: Number(version),
    ...(description === undefined ? {} : { description }),
    labels: Object.freeze(labels),
    path: file,
    root,
    sha256: sha256Hex(text),
    scope: Object.freeze({
      defaultExec: execToken as ExecAction | "inherit",
      defaultValueAction: valueToken === "inherit" ? "inherit" : VALUE_TOKENS[valueToken]!,
    }),
    rules: Object.freeze(rules),
    ...(io === undefined ? {} : { io }),
  });
}

/** One rule of {@link fileRulesFilter}: a `file:` glob and what a match does. */
export interface FileGlobRule {
  /** A glob in `file:` selector syntax (relative to the filter's root, or starting with `**`). */
  readonly glob: string;
  /** `trace` records the files it matches, `skip` leaves them out. */
  readonly exec: ExecAction;
}

/**
 * A filter built from `file:` glob rules given as objects, without TOML text: what the
 * `--include` / `--exclude` options become. Its defaults are `inherit`, so it changes only the
 * files its rules match; rules keep their order (the last match wins, as in a file). The
 * `sha256` is that of the rules' JSON text, so two filters with the same rules compare equal
 * in the metadata and in the transform cache's key.
 *
 * @param meta - the filter's `name`, pseudo-path (e.g. `<inline:include-exclude>`) and
 *   description; its root is `""` (no root of its own, like the builtin's)
 * @param rules - the rules, in order
 * @returns the filter (frozen)
 * @throws `TraceFilterError` `ERR_INVALID_POLICY_VALUE` for a glob the selector grammar rejects,
 *   naming the filter and the rule's position (`scope.rules[i]`)
 */
export function fileRulesFilter(meta: { name: string; path: string; description?: string }, rules: readonly FileGlobRule[]): TraceFilter {
  const scopeRules: ScopeRule[] = [];
  for (let index = 0; index < rules.length; index++) {
    const rule = rules[index]!;
    const entry = `scope.rules[${index}]`;
    let selector;
    try {
      selector = parseSelector(`file:glob:${rule.glob}`, "scope", [""]);
    } catch (error) {
      if (error instanceof SelectorError) throw invalidFilter(meta.path, entry, error.message, { selector: `file:glob:${rule.glob}` });
      throw error;
    }
    scopeRules.push(Object.freeze({ index, entry, selector, exec: rule.exec, valuePatterns: Object.freeze([]) }));
  }
  return Object.freeze({
    name: meta.name,
    version: 1,
    ...(meta.description === undefined ? {} : { description: meta.description }),
    labels: Object.freeze([]),
    path: meta.path,
    root: "",
    sha256: sha256Hex(JSON.stringify(rules.map((r) => [r.glob, r.exec]))),
    scope: Object.freeze({ defaultExec: "inherit", defaultValueAction: "inherit" }),
    rules: Object.freeze(scopeRules),
  });
}

// `toPosix` lives in ./platform.ts (the chain calls it while the program runs); re-exported here.
export { toPosix } from "./platform.js";
