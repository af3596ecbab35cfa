/**
 * The `node_modules` path of an installed package's file, whatever the package manager's layout
 * (docs/trace-filters.md, "Package managers"). Node (and the bundlers) report a module by its
 * real path, with symbolic links resolved. Under npm, yarn's `node-modules` linker and pnpm's
 * `node-linker=hoisted` that is `<project>/node_modules/<name>/...`; under pnpm's default
 * isolated layout it is the package's folder in pnpm's virtual store,
 * `<project>/node_modules/.pnpm/<id>/node_modules/<name>/...`, which `node_modules/<name>` only
 * links to. The filter chain matches `file:` selectors against a file's real path **and**, in a
 * virtual store, its `node_modules` path, so `--include 'node_modules/marked/**'` means the same
 * under every layout. (A package linked into `node_modules` from outside any `node_modules`
 * folder, such as a workspace package or an `npm link`, is matched by its real path only: it is
 * the project's own code, which the builtin filter's `node_modules` rule must not skip.)
 *
 * Runs while the recorded program runs (the chain computes a file's paths at its first
 * classification): built-ins captured at load only.
 *
 * @packageDocumentation
 */

import {
  StringPrototypeIndexOf,
  StringPrototypeLastIndexOf,
  StringPrototypeSlice,
  StringPrototypeStartsWith,
} from "@codetracer/trace-format/internal/primordials";

/** The folder of pnpm's virtual store inside a `node_modules` folder. */
const PNPM_STORE = "/node_modules/.pnpm/";
const NODE_MODULES = "node_modules/";

/**
 * The path a file in pnpm's virtual store has through the `node_modules` folder that holds the
 * store: `<p>/node_modules/.pnpm/<id>/node_modules/<name>/<rest>` (`<name>` may be
 * `@scope/name`) is `<p>/node_modules/<name>/<rest>`, the path under npm or a hoisted layout.
 * `<id>` is pnpm's folder name for one resolved version (`marked@18.0.0`,
 * `@babel+core@7.29.0`, `x@1.0.0_peer@2.0.0`): pnpm writes a scope's `/` as `+`, so it never
 * holds a `/`. The last virtual store in the path counts.
 *
 * @example
 * ```ts
 * pnpmStoreAlias("/p/node_modules/.pnpm/marked@18.0.0/node_modules/marked/lib/marked.esm.js");
 * // "/p/node_modules/marked/lib/marked.esm.js"
 * pnpmStoreAlias("/p/node_modules/marked/lib/marked.esm.js"); // undefined
 * ```
 * @param file - a path with `/` separators (absolute, or relative to any folder)
 * @returns the `node_modules` path, or `undefined` when the file is not in a virtual store
 */
export function pnpmStoreAlias(file: string): string | undefined {
  const at = StringPrototypeLastIndexOf(file, PNPM_STORE);
  if (at < 0) return undefined;
  const idStart = at + PNPM_STORE.length;
  const idEnd = StringPrototypeIndexOf(file, "/", idStart);
  if (idEnd <= idStart) return undefined;
  if (!StringPrototypeStartsWith(file, NODE_MODULES, idEnd + 1)) return undefined;
  const rest = StringPrototypeSlice(file, idEnd + 1 + NODE_MODULES.length);
  // `<name>/...` with a non-empty name (a file directly in the store's node_modules is no package's).
  if (rest.length === 0 || StringPrototypeIndexOf(rest, "/") <= 0) return undefined;
  // `<p>/node_modules/` + `<name>/<rest>`.
  return `${StringPrototypeSlice(file, 0, at)}/${NODE_MODULES}${rest}`;
}
