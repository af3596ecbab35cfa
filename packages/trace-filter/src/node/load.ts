/**
 * Reading filter files, the builtin filter, discovery and chain resolution
 * (docs/trace-filters.md, "The chain" and "Discovery").
 *
 * @packageDocumentation
 */

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { FilterChainOptions } from "../chain.js";
import { ioFailure, TraceFilterError } from "../errors.js";
import { parseTraceFilter } from "../parse.js";
import type { TraceFilter } from "../types.js";

/** The pseudo-path of the builtin filter in metadata and messages. */
export const BUILTIN_DEFAULT_PATH = "<inline:builtin-default>";

/** The project filter's location inside a project: `<root>/.codetracer/trace-filter.toml`. */
export const PROJECT_FILTER_RELATIVE_PATH = path.join(".codetracer", "trace-filter.toml");

/** The environment variable holding extra filter paths, separated by `::`. */
export const TRACE_FILTER_ENV = "CODETRACER_TRACE_FILTER";

/**
 * Reads and parses a filter file.
 *
 * @param file - the file's path (relative paths resolve against the current directory)
 * @returns the parsed filter; `path` is absolute and `root` its project root
 * @throws {@link TraceFilterError} `ERR_IO` when the file is missing, not a regular file or
 *   unreadable; `ERR_INVALID_POLICY_VALUE` when its content is invalid
 */
export function loadTraceFilter(file: string): TraceFilter {
  const { path: abs, text } = readTraceFilterText(file);
  return parseTraceFilter(text, { path: abs });
}

/**
 * Reads a filter file's text, unparsed.
 *
 * @param file - the file's path (relative paths resolve against the current directory)
 * @returns the absolute path and the exact text
 * @throws {@link TraceFilterError} `ERR_IO` when the file is missing, not a regular file or unreadable
 */
export function readTraceFilterText(file: string): { path: string; text: string } {
  const abs = path.resolve(file);
  try {
    const stat = fs.statSync(abs);
    if (!stat.isFile()) {
      throw new TraceFilterError("ERR_IO", `${abs}: cannot read trace filter: not a regular file`, { file: abs });
    }
    return { path: abs, text: fs.readFileSync(abs, "utf8") };
  } catch (error) {
    if (error instanceof TraceFilterError) throw error;
    throw ioFailure(abs, "read trace filter", error);
  }
}

let builtinText: string | undefined;
let builtin: TraceFilter | undefined;

/**
 * The exact text of the JavaScript builtin filter, `builtin/builtin_default.toml` of this
 * package.
 *
 * @returns the TOML text
 */
export function builtinDefaultText(): string {
  builtinText ??= fs.readFileSync(new URL("../../builtin/builtin_default.toml", import.meta.url), "utf8");
  return builtinText;
}

/**
 * The JavaScript builtin filter, `<inline:builtin-default>` with an empty root, always first in
 * a chain. It traces everything (`default_exec = "trace"`, values allowed) except files under
 * any `node_modules` folder (`file:glob:**\/node_modules/**` → skip; Node's own built-in modules
 * are never files, so they are never recorded), and its last rule, `file:glob:**`, carries the
 * secret-name patterns: for `local`, `global`, `arg`, `ret` and `attr`, action `redact`.
 *
 * The secret patterns use the Python builtin's token list (`pass`, `password`, `passwd`, `pwd`,
 * `secret`, `token`, `session`, `cookie`, `auth`, `credential`, `creds`, `bearer`, `ssn`,
 * `credit`, `card`, `iban`, `cvv`, `cvc`, `pan`, `jwt`, and `api key`, `private key`,
 * `secret key`, `ssh key`, `refresh token`, `access token` with an optional `_`, `-` or `.`
 * between the words), plus `authorization`, `authorisation` and `passphrase` (which the Python
 * list caught only through substring matching). Unlike Python's substring match, a token must
 * be a whole word of the name: words are split at `_`, `-`, `.`, `$`, digits and other
 * non-letters, at lowercase→Uppercase humps (`userPassword`) and before the last capital of an
 * acronym (`JWTToken`). Each word may be lowercase, Capitalised or UPPERCASE, with an optional
 * plural `s`. So `userPassword`, `api_key`, `authToken`, `x-api-key`, `API_KEY`, `passwords`,
 * `session_id`, `SessionToken`, `creditCard` are redacted, while `author`, `company`,
 * `discard`, `bypass`, `span`, `expand`, `passenger`, `compass` are not. An all-lowercase
 * compound with no separator (`sessionid`, `authtoken`) is one word and is not matched, except
 * the `api key`-style pairs (`apikey`). The regexes use no look-around, so the file is valid for
 * the Rust engine too.
 *
 * @returns the parsed builtin (parsed once, then shared; it is frozen)
 */
export function builtinDefaultFilter(): TraceFilter {
  builtin ??= parseTraceFilter(builtinDefaultText(), { path: BUILTIN_DEFAULT_PATH, root: "" });
  return builtin;
}

/**
 * Splits a `::`-separated list of filter paths (`CODETRACER_TRACE_FILTER`, each
 * `--trace-filter` value, the API option). Empty segments are dropped. Whitespace is **not**
 * stripped (unlike the Python recorder, as the spec asks): a path may contain spaces, and a
 * stray space makes a path that does not exist, reported by name.
 *
 * @example
 * ```ts
 * splitFilterList("a.toml::b.toml");    // ["a.toml", "b.toml"]
 * splitFilterList("::a.toml::::");      // ["a.toml"]
 * splitFilterList("a.toml :: b.toml");  // ["a.toml ", " b.toml"]
 * ```
 * @param value - the list
 * @returns the paths, in order
 */
export function splitFilterList(value: string): string[] {
  return value.split("::").filter((s) => s.length > 0);
}

/**
 * Expands a leading `~` (alone or followed by a separator) to the home folder.
 *
 * @param p - a path
 * @returns the expanded path (other paths unchanged)
 */
export function expandHome(p: string): string {
  if (p === "~") return os.homedir();
  if (p.startsWith("~/") || (path.sep === "\\" && p.startsWith("~\\"))) return path.join(os.homedir(), p.slice(2));
  return p;
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Files whose presence makes a folder a project root, where discovery stops. */
export const PROJECT_ROOT_MARKERS: readonly string[] = ["package.json", ".git"];

/** A project filter that discovery passed over: its path and why. */
export interface IgnoredFilter {
  /** The file's absolute path. */
  file: string;
  /** Why it is not used, e.g. `owned by uid 65534, not by this user (uid 1000)`. */
  reason: string;
}

/** Options of {@link discoverProjectFilter}. */
export interface DiscoveryOptions {
  /**
   * Called for each `.codetracer/trace-filter.toml` passed over because another user could have
   * written it (see {@link untrustedFilterReason}). Default: `process.emitWarning` with code
   * `CODETRACER_UNTRUSTED_FILTER`.
   */
  onIgnored?: (ignored: IgnoredFilter) => void;
}

/**
 * Why a discovered filter file must not be used, or `undefined` when it may: its owner is
 * neither this process's user nor root, or it is writable by its group or by others (a symbolic
 * link is judged by the file it points to). Where Node has no user ids (Windows) every file may
 * be used.
 *
 * @param file - the file's path
 * @returns the reason, or `undefined`
 */
export function untrustedFilterReason(file: string): string | undefined {
  if (typeof process.getuid !== "function") return undefined;
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    return undefined; // gone: loading it reports that
  }
  const uid = process.getuid();
  if (st.uid !== uid && st.uid !== 0) return `owned by uid ${st.uid}, not by this user (uid ${uid}) or root`;
  if ((st.mode & 0o022) !== 0) {
    const who = [st.mode & 0o020 ? "its group" : "", st.mode & 0o002 ? "others" : ""].filter((w) => w !== "").join(" and ");
    return `writable by ${who} (mode ${(st.mode & 0o777).toString(8).padStart(3, "0")})`;
  }
  return undefined;
}

function warnIgnored({ file, reason }: IgnoredFilter): void {
  process.emitWarning(`ignoring the trace filter ${file}: ${reason}`, { code: "CODETRACER_UNTRUSTED_FILTER" });
}

function isProjectRoot(dir: string): boolean {
  return PROJECT_ROOT_MARKERS.some((marker) => fs.existsSync(path.join(dir, marker)));
}

/**
 * Finds the project filter: the first `.codetracer/trace-filter.toml` that is a regular file
 * and that nobody but the user (or root) could have written, walking up from `startDir` and
 * stopping at the project root, the nearest folder holding a `package.json` or `.git` (which is
 * searched too). With no project root above `startDir` the walk goes on to the filesystem root.
 * A file another user owns, or one writable by group or others, is passed over as if it were
 * absent, and reported through `options.onIgnored` (docs/trace-filters.md, "Discovery").
 *
 * @param startDir - where to start (relative paths resolve against the current directory)
 * @param options - see {@link DiscoveryOptions}
 * @returns the filter's absolute path, or `undefined`
 */
export function discoverProjectFilter(startDir: string, options: DiscoveryOptions = {}): string | undefined {
  const onIgnored = options.onIgnored ?? warnIgnored;
  let dir = path.resolve(startDir);
  for (;;) {
    const candidate = path.join(dir, PROJECT_FILTER_RELATIVE_PATH);
    if (isFile(candidate)) {
      const reason = untrustedFilterReason(candidate);
      if (reason === undefined) return candidate;
      onIgnored({ file: candidate, reason });
    }
    if (isProjectRoot(dir)) return undefined;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * The project root: the first folder holding a `.codetracer/` folder, walking up from
 * `startDir` to the filesystem root.
 *
 * @param startDir - where to start (relative paths resolve against the current directory)
 * @returns the absolute root, or `undefined`
 */
export function projectRootOf(startDir: string): string | undefined {
  let dir = path.resolve(startDir);
  for (;;) {
    if (isDirectory(path.join(dir, ".codetracer"))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Options of {@link resolveFilterChain} and {@link resolveFilterPaths}. */
export interface ResolveFilterChainOptions {
  /**
   * The program's entry script; discovery starts in its folder. Relative paths resolve against
   * `cwd`. Missing, empty or `<unknown>`: discovery starts in `cwd`.
   */
  entryScript?: string;
  /** The working directory relative filter paths resolve against. */
  cwd: string;
  /** Where `CODETRACER_TRACE_FILTER` is read from. Default: `process.env`. */
  env?: NodeJS.ProcessEnv | Record<string, string | undefined>;
  /**
   * Explicit filters after the environment's, in order: each `--trace-filter` value, plugin or
   * API option. Each entry may itself be a `::` list.
   */
  explicit?: readonly string[];
  /** Whether to put the builtin filter first. Default: true. */
  includeBuiltin?: boolean;
  /** Whether to look for a project filter. Default: true. */
  discover?: boolean;
  /** Called for a project filter discovery passes over (see {@link DiscoveryOptions.onIgnored}). */
  onIgnored?: (ignored: IgnoredFilter) => void;
  /** Passed to `FilterChain`. */
  chain?: FilterChainOptions;
}

/**
 * The filter files of a chain, in order, without the builtin: the discovered project filter
 * (if any; see {@link discoverProjectFilter}), then `CODETRACER_TRACE_FILTER`'s entries, then each explicit entry. `~` is
 * expanded and relative paths are resolved against `cwd`. Nothing is read but the discovery's
 * `stat`s.
 *
 * @param options - see {@link ResolveFilterChainOptions}
 * @returns absolute paths
 */
export function resolveFilterPaths(options: ResolveFilterChainOptions): string[] {
  const cwd = path.resolve(options.cwd);
  const out: string[] = [];
  if (options.discover !== false) {
    const entry = options.entryScript;
    const start = entry === undefined || entry === "" || entry === "<unknown>" ? cwd : path.dirname(path.resolve(cwd, entry));
    const found = discoverProjectFilter(start, options.onIgnored ? { onIgnored: options.onIgnored } : {});
    if (found !== undefined) out.push(found);
  }
  const env = options.env ?? process.env;
  const lists = [env[TRACE_FILTER_ENV] ?? "", ...(options.explicit ?? [])];
  for (const list of lists) {
    for (const p of splitFilterList(list)) out.push(path.resolve(cwd, expandHome(p)));
  }
  return out;
}
