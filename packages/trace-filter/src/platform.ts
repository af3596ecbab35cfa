/**
 * What parsing and classifying need from the host: path arithmetic, the real path of a filter's
 * root, and the npm package of a file. Parsing and the chain (`./parse.ts`, `./chain.ts`) call
 * only these functions, so they run in a browser too (the page of a Vite build classifies object
 * fields with the same chain as Node: docs/browser.md). The package's Node entry
 * (`./index.ts`) installs the Node implementation (`./node/platform.ts`); the browser entry
 * (`./browser.ts`) keeps the portable one below.
 *
 * @packageDocumentation
 */

import {
  MathMax,
  StringPrototypeCharCodeAt,
  StringPrototypeIndexOf,
  StringPrototypeSlice,
  StringPrototypeStartsWith,
  TypeErrorCtor,
  backslashesToSlashes,
  DecodeURIComponent,
  StringPrototypeLastIndexOf,
  URLCtor,
  URLPrototypeGetPathname,
  URLPrototypeGetProtocol,
} from "@codetracer/trace-format/internal/primordials";

/** The host functions the filter chain uses. */
export interface FilterPlatform {
  /** `path.resolve` of a path (absolute result). */
  resolve(p: string): string;
  /** The folder of a path (`path.dirname`). */
  dirname(p: string): string;
  /** The last segment of a path (`path.basename`). */
  basename(p: string): string;
  /** True for an absolute path. */
  isAbsolute(p: string): boolean;
  /** The path with symbolic links resolved, or `undefined` when that cannot be known (it does not exist; no file system). */
  realpath(p: string): string | undefined;
  /** The path of a `file:` URL (`url.fileURLToPath`). @throws when it is not a usable `file:` URL */
  fileURLToPath(url: string): string;
  /** The npm package a file belongs to (what `pkg:` selectors match), or `undefined`. */
  packageNameOf(file: string): string | undefined;
  /** The platform's path separator. */
  readonly sep: "/" | "\\";
  /**
   * Runs an RE2 pattern (re2js syntax) against `input` in a realm whose built-ins the recorded
   * program cannot have changed; used instead of the main realm's re2js when the program
   * changed the built-ins re2js reaches (see `./match.ts`). `undefined`: re2js always runs in
   * the main realm (the portable platform, for browsers).
   * @throws {@link TraceFilterError} `ERR_IO` when no such realm can be made
   */
  readonly re2InFreshRealm?: ((re2Source: string, input: string) => boolean) | undefined;
}

const SLASH = 47;
const BACKSLASH = 92;
const COLON = 58;

function isSeparator(c: number): boolean {
  return c === SLASH || c === BACKSLASH;
}

function isAsciiLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** `p` without its trailing `/` and `\` characters. */
function trimTrailingSeparators(p: string): string {
  let end = p.length;
  while (end > 0 && isSeparator(StringPrototypeCharCodeAt(p, end - 1))) end--;
  return StringPrototypeSlice(p, 0, end);
}

/** The index of the last `/` or `\` in `s`, or -1. */
function lastSeparator(s: string): number {
  return MathMax(StringPrototypeLastIndexOf(s, "/"), StringPrototypeLastIndexOf(s, "\\"));
}

/**
 * The portable platform: `/`-separated path arithmetic on strings (a `\` counts as a separator
 * too), no file system (a root has no other real form), and package names from the
 * `node_modules/<name>` (or `node_modules/@scope/name`) folder a file is in, else
 * {@link portablePlatform.projectPackage}. It uses only built-ins captured at load (it runs
 * while a page's program runs) and has no `re2InFreshRealm`: in a browser re2js always runs in
 * the page's realm.
 */
export const portablePlatform: FilterPlatform & {
  /** The package name of files outside `node_modules` (the page's project), when known. */
  projectPackage: string | undefined;
} = {
  projectPackage: undefined,
  sep: "/",
  re2InFreshRealm: undefined,
  resolve: (p) => p,
  dirname(p) {
    const s = trimTrailingSeparators(p);
    const i = lastSeparator(s);
    if (i < 0) return ".";
    if (i === 0) return StringPrototypeSlice(s, 0, 1);
    if (i === 2 && StringPrototypeCharCodeAt(s, 1) === COLON) return StringPrototypeSlice(s, 0, 3);
    return StringPrototypeSlice(s, 0, i);
  },
  basename(p) {
    const s = trimTrailingSeparators(p);
    return StringPrototypeSlice(s, lastSeparator(s) + 1);
  },
  isAbsolute(p) {
    if (p.length > 0 && isSeparator(StringPrototypeCharCodeAt(p, 0))) return true;
    return (
      p.length > 2 &&
      isAsciiLetter(StringPrototypeCharCodeAt(p, 0)) &&
      StringPrototypeCharCodeAt(p, 1) === COLON &&
      isSeparator(StringPrototypeCharCodeAt(p, 2))
    );
  },
  realpath: () => undefined,
  fileURLToPath(url) {
    const parsed = new URLCtor(url);
    if (URLPrototypeGetProtocol(parsed) !== "file:") throw new TypeErrorCtor(`not a file: URL: ${url}`);
    const p = DecodeURIComponent(URLPrototypeGetPathname(parsed));
    const drive =
      p.length > 3 &&
      StringPrototypeCharCodeAt(p, 0) === SLASH &&
      isAsciiLetter(StringPrototypeCharCodeAt(p, 1)) &&
      StringPrototypeCharCodeAt(p, 2) === COLON &&
      StringPrototypeCharCodeAt(p, 3) === SLASH;
    return drive ? StringPrototypeSlice(p, 1) : p;
  },
  packageNameOf(file) {
    const p = backslashesToSlashes(file);
    const marker = "/node_modules/";
    const at = StringPrototypeLastIndexOf(p, marker);
    if (at < 0) return portablePlatform.projectPackage;
    const rest = StringPrototypeSlice(p, at + marker.length);
    const first = StringPrototypeIndexOf(rest, "/");
    if (first < 0) return undefined; // a file directly in node_modules
    if (!StringPrototypeStartsWith(rest, "@")) return StringPrototypeSlice(rest, 0, first);
    const second = StringPrototypeIndexOf(rest, "/", first + 1);
    return second < 0 ? undefined : StringPrototypeSlice(rest, 0, second);
  },
};

/**
 * A path with `/` separators: `p` with each `\` replaced by `/` when the platform's separator
 * is `\`, else `p` unchanged.
 *
 * @param p - a path
 * @returns the path as `file:` selectors see it
 */
export function toPosix(p: string): string {
  return current.sep === "\\" ? backslashesToSlashes(p) : p;
}

/**
 * The forms a filter root or working directory is matched under: `p` and, when it differs, its
 * real path (symlinks resolved), both with `/` separators (see {@link toPosix}). The empty
 * path (an inline filter's root) has only itself; a path that does not exist only its
 * written form.
 *
 * @param p - a path
 * @returns one or two forms, the written one first
 */
export function pathForms(p: string): string[] {
  const written = toPosix(p);
  if (p === "") return [written];
  const real = current.realpath(p);
  if (real === undefined) return [written];
  const realPosix = toPosix(real);
  return realPosix === written ? [written] : [written, realPosix];
}

let current: FilterPlatform = portablePlatform;

/** The platform in use (see {@link setFilterPlatform}). */
export function filterPlatform(): FilterPlatform {
  return current;
}

/**
 * Sets the platform parsing and classifying use from now on. The Node entry of the package sets
 * the Node one when it loads; a browser build keeps {@link portablePlatform}.
 */
export function setFilterPlatform(platform: FilterPlatform): void {
  current = platform;
}
