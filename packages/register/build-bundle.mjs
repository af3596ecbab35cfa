// Bundles the loader; the package build runs it after `tsc -b` (`npm run build`). Writes:
//
// - dist/core.js: the main thread's loader with @codetracer/runtime, @codetracer/trace-filter,
//   @codetracer/trace-format and their packages (src/core.ts; the entries dist/index.js and
//   dist/instrument.js import it);
// - dist/hooks.js: the module hooks thread's (src/hooks.ts, what `module.register` loads where
//   Node has no `module.registerHooks`; elsewhere the hooks run from dist/core.js in-thread);
// - dist/runtime.cjs: `@codetracer/register/runtime` (see src/runtime.ts), small, not a bundle.
//
// The two bundles replace the files `tsc` wrote there, so a thread loads one file, not ~50 small
// ES modules (Node resolves and compiles each: most of the loader's start-up). The rest of the
// `tsc` output (types, the modules of the other subpath exports) is left as it is. Babel is
// never in a bundle: `src/compile.ts` loads `@codetracer/instrument` with `require` when it
// first compiles a file; the build fails if any of it is reached.
//
// A bundled module of another package that uses `import.meta.url` (or `.filename`, `.dirname`:
// the runtime reads its package.json, trace-filter its builtin filter, trace-format the zstd
// WebAssembly and its worker) gets the value its own file has, found at run time by resolving
// that package from this one, through the packages that depend on it (under pnpm a dependency
// of a dependency is not visible from here): no path of the build machine is built in.
import * as esbuild from "esbuild";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));

const BUNDLES = [
  { entry: "src/core.ts", outfile: "dist/core.js" },
  { entry: "src/hooks.ts", outfile: "dist/hooks.js" },
];

/** What no bundle may hold: loaded lazily, with `require`, only to compile a file. */
const NEVER_BUNDLED = [
  /\/node_modules\/@babel\//,
  /\/packages\/instrument\/dist\/(?!files\.js$|errors\.js$)/,
  /\/node_modules\/@codetracer\/instrument\/dist\/(?!files\.js$|errors\.js$)/,
];

/** The folder and `name` of the package holding `file`. */
function packageOf(file) {
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, "package.json");
    if (fs.existsSync(pkg)) {
      const { name } = JSON.parse(fs.readFileSync(pkg, "utf8"));
      if (typeof name === "string") return { root: dir, name };
    }
    if (path.dirname(dir) === dir) throw new Error(`no package.json with a name above ${file}`);
  }
}

/**
 * The way from this package to the package at `root`: `[name, entry]` pairs, each package
 * resolvable (`require.resolve(name)`) from the entry of the one before, `entry` the path of its
 * resolved file inside it. Found breadth-first over the `dependencies` of package.json files.
 */
const chains = new Map();
function chainTo(root) {
  if (chains.has(root)) return chains.get(root);
  const seen = new Set([HERE]);
  let level = [{ from: path.join(HERE, "package.json"), dir: HERE, chain: [] }];
  while (level.length > 0) {
    const next = [];
    for (const { from, dir, chain } of level) {
      const { dependencies = {} } = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
      for (const name of Object.keys(dependencies)) {
        let entry;
        try {
          entry = fs.realpathSync(createRequire(from).resolve(name));
        } catch {
          continue; // no `require` entry (an ES-module-only package): not a way through
        }
        const pkg = packageOf(entry);
        if (seen.has(pkg.root)) continue;
        seen.add(pkg.root);
        const step = [...chain, [name, path.relative(pkg.root, entry).split(path.sep).join("/")]];
        if (pkg.root === root) {
          chains.set(root, step);
          return step;
        }
        next.push({ from: entry, dir: pkg.root, chain: step });
      }
    }
    level = next;
  }
  throw new Error(`${root} is not a dependency of ${HERE}`);
}

const MODULE_URL = "codetracer-bundle:module-url";

/** The module giving bundled files of other packages their own `import.meta.url` (see above). */
const MODULE_URL_SOURCE = `
import { createRequire } from "node:module";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
const roots = new Map();
/** The file: URL of \`file\` in the package reached from this bundle through \`chain\`. */
export function moduleUrl(chain, file) {
  const key = JSON.stringify(chain);
  let root = roots.get(key);
  if (root === undefined) {
    let from = import.meta.url;
    for (const [name, entry] of chain) {
      const resolved = createRequire(from).resolve(name);
      if (!resolved.replace(/\\\\/g, "/").endsWith("/" + entry)) throw new Error(\`codetracer: \${name} resolved to \${resolved}, not to its \${entry}\`);
      root = resolved.slice(0, resolved.length - entry.length);
      from = resolved;
    }
    roots.set(key, root);
  }
  return pathToFileURL(root + file).href;
}
export function moduleFile(chain, file) {
  return fileURLToPath(moduleUrl(chain, file));
}
export function moduleDir(chain, file) {
  return path.dirname(moduleFile(chain, file));
}
`;

/** @type {esbuild.Plugin} */
const moduleUrlPlugin = {
  name: "codetracer-module-url",
  setup(build) {
    build.onResolve({ filter: /^codetracer-bundle:module-url$/ }, () => ({ path: MODULE_URL, namespace: "codetracer-bundle" }));
    build.onLoad({ filter: /.*/, namespace: "codetracer-bundle" }, () => ({ contents: MODULE_URL_SOURCE, loader: "js", resolveDir: HERE }));
    build.onLoad({ filter: /\.[cm]?js$/ }, async (args) => {
      const text = await fs.promises.readFile(args.path, "utf8");
      if (!/\bimport\.meta\b/.test(text)) return undefined;
      const pkg = packageOf(args.path);
      if (pkg.root === HERE) return undefined;
      const file = path.relative(pkg.root, args.path).split(path.sep).join("/");
      const where = `${JSON.stringify(chainTo(pkg.root))}, ${JSON.stringify(file)}`;
      const contents = text
        .replace(/\bimport\.meta\.url\b/g, `__codetracerModule.moduleUrl(${where})`)
        .replace(/\bimport\.meta\.filename\b/g, `__codetracerModule.moduleFile(${where})`)
        .replace(/\bimport\.meta\.dirname\b/g, `__codetracerModule.moduleDir(${where})`);
      if (/\bimport\.meta\b/.test(contents)) throw new Error(`${args.path}: import.meta other than .url, .filename, .dirname cannot be bundled`);
      return { contents: `import * as __codetracerModule from "${MODULE_URL}";\n${contents}`, loader: "js", resolveDir: path.dirname(args.path) };
    });
  },
};

for (const { entry, outfile } of BUNDLES) {
  const result = await esbuild.build({
    absWorkingDir: HERE,
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    // The map is written beside the file for tools, without a sourceMappingURL comment: with
    // source maps on (the loader turns them on), Node would read and parse it at every start.
    sourcemap: "external",
    plugins: [moduleUrlPlugin],
    metafile: true,
    logLevel: "warning",
  });
  const inputs = Object.keys(result.metafile.inputs).map((p) => (p.includes(":") ? p : path.resolve(HERE, p)).split(path.sep).join("/"));
  const forbidden = inputs.filter((p) => NEVER_BUNDLED.some((re) => re.test(p)));
  if (forbidden.length > 0) throw new Error(`${outfile} would bundle what is loaded lazily: ${forbidden.join(", ")}`);
  const code = fs.readFileSync(path.join(HERE, outfile), "utf8");
  // CommonJS code of a bundled package would find no __dirname/__filename in an ES module.
  if (/\b__(?:dirname|filename)\b/.test(code)) throw new Error(`${outfile} uses __dirname or __filename`);
  console.log(`${outfile}: ${inputs.length} modules, ${(code.length / 1024).toFixed(0)} KB`);
}

// dist/runtime.cjs, `@codetracer/register/runtime` (see src/runtime.ts): the runtime the loader
// published in this thread (src/core.ts), else the package. Its export names are listed as
// `exports.name = …` so that ES modules can import them by name.
const LOADER_RUNTIME = 'Symbol.for("codetracer.loader-runtime")';
const requireHere = createRequire(path.join(HERE, "package.json"));
const names = [];
for (const entry of ["@codetracer/runtime", "@codetracer/runtime/internal"]) {
  for (const name of Object.keys(await import(pathToFileURL(requireHere.resolve(entry)).href))) if (name !== "default") names.push(name);
}
if (!(await import(pathToFileURL(path.join(HERE, "dist/core.js")).href).then((core) => names.every((name) => name in core)))) {
  throw new Error("dist/core.js does not export all of @codetracer/runtime and @codetracer/runtime/internal");
}
fs.writeFileSync(
  path.join(HERE, "dist/runtime.cjs"),
  [
    "// `@codetracer/register/runtime`, written by build-bundle.mjs: see src/runtime.ts.",
    '"use strict";',
    `const runtime = globalThis[${LOADER_RUNTIME}] ?? { ...require("@codetracer/runtime"), ...require("@codetracer/runtime/internal") };`,
    ...names.map((name) => `exports.${name} = runtime.${name};`),
    "",
  ].join("\n"),
);
console.log(`dist/runtime.cjs: ${names.length} exports`);
