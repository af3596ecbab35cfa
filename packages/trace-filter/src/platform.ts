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
}

const WINDOWS_ABSOLUTE = /^(?:[A-Za-z]:)?[\\/]/;

/**
 * The portable platform: `/`-separated path arithmetic on strings (a `\` counts as a separator
 * too), no file system (a root has no other real form), and package names from the
 * `node_modules/<name>` (or `node_modules/@scope/name`) folder a file is in, else
 * {@link portablePlatform.projectPackage}.
 */
export const portablePlatform: FilterPlatform & {
  /** The package name of files outside `node_modules` (the page's project), when known. */
  projectPackage: string | undefined;
} = {
  projectPackage: undefined,
  sep: "/",
  resolve: (p) => p,
  dirname(p) {
    const s = p.replace(/[\\/]+$/, "");
    const i = Math.max(s.lastIndexOf("/"), s.lastIndexOf("\\"));
    if (i < 0) return ".";
    if (i === 0) return s[0]!;
    if (i === 2 && s[1] === ":") return s.slice(0, 3);
    return s.slice(0, i);
  },
  basename(p) {
    const s = p.replace(/[\\/]+$/, "");
    const i = Math.max(s.lastIndexOf("/"), s.lastIndexOf("\\"));
    return s.slice(i + 1);
  },
  isAbsolute: (p) => WINDOWS_ABSOLUTE.test(p),
  realpath: () => undefined,
  fileURLToPath(url) {
    const parsed = new URL(url);
    if (parsed.protocol !== "file:") throw new TypeError(`not a file: URL: ${url}`);
    const p = decodeURIComponent(parsed.pathname);
    return /^\/[A-Za-z]:\//.test(p) ? p.slice(1) : p;
  },
  packageNameOf(file) {
    const p = file.replace(/\\/g, "/");
    const at = p.lastIndexOf("/node_modules/");
    if (at < 0) return portablePlatform.projectPackage;
    const rest = p.slice(at + "/node_modules/".length).split("/");
    if (rest.length < 2) return undefined; // a file directly in node_modules
    if (rest[0]!.startsWith("@")) return rest.length > 2 ? `${rest[0]}/${rest[1]}` : undefined;
    return rest[0];
  },
};

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
