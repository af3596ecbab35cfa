/**
 * `Function.prototype.toString` of recorded code shows the source as written.
 *
 * V8 returns a function's text from the script it was compiled from: for an instrumented file
 * that is the instrumented code, which refers to the file's runtime binding (`_ctRt`). A program
 * that prints a function, or evaluates its text elsewhere (`eval(String(fn))`, a worker started
 * with `eval: true`, `new Function`), would see or run that. So the runtime replaces
 * `Function.prototype.toString` with a function that recognises instrumented functions and
 * classes by the names the instrumenter generates, and returns the original text of the file
 * (located by the table's {@link SourceRanges}). Anything it does not recognise, and files
 * without ranges (TypeScript, JSX, decorators: their text is compiled anyway), get the text V8
 * gives.
 *
 * How a text is recognised (the instrumenter's output shape, `@codetracer/instrument`):
 * - a function's text ends with `_ctRt.exit(_ctFn); } }` (its own frame's `finally`) and holds
 *   `const _ctFn = (_ctRt || _ctRtInit_<key>()).enter(<id>` (its own `enter`);
 * - a class's text starts with `class` and its first `_ctRtInit_<key>()).<method>(<id>` (or
 *   `_ctRtInit_<key>().<method>(<id>`, a field's initialiser) names a member (or the implicit
 *   constructor), whose innermost enclosing class it is.
 *
 * @packageDocumentation
 */
import { INIT_FUNCTION_PREFIX, type FileTable } from "./abi.js";
import {
  FunctionPrototype,
  NumberCtor,
  ObjectDefineProperty,
  ObjectGetOwnPropertyDescriptor,
  ReflectApply,
  RegExpCtor,
  RegExpPrototypeExec,
  SafeMap,
  SafeWeakMap,
  StringPrototypeIncludes,
  StringPrototypeSlice,
  StringPrototypeStartsWith,
} from "./primordials.js";

/** Reads the original text of a file by the path in its table; `undefined` when unreadable. */
export type SourceReader = (path: string) => string | undefined;

interface KnownFile {
  path: string;
  fns: number[];
  classes: number[];
}

/** Files by key; `null` when two paths share a key (then neither is rewritten). */
const files = new SafeMap<string, KnownFile | null>();
const texts = new SafeWeakMap<Function, string>();
const sources = new SafeMap<string, string | undefined>();
let reader: SourceReader | undefined;

/**
 * Remembers a file's source ranges (called when its table is registered). Cheap: one map entry.
 */
export function noteFunctionSources(table: FileTable): void {
  const src = table.src;
  if (!src) return;
  const known = files.get(src.key);
  if (known === undefined) files.set(src.key, { path: table.path, fns: src.fns, classes: src.classes });
  else if (known !== null && known.path !== table.path) files.set(src.key, null);
}

const CLASS_START = /^class[\s{]/;
const EXIT_TAIL = /\.exit\((_ctF\d*)\);?\s*\}\s*\}\s*$/;
const INIT_CALL = new RegExp(`${INIT_FUNCTION_PREFIX}([a-z]+)\\d*\\(\\)\\)?\\.(?:enter|field|fieldsEnd)\\((\\d+)`);

function sourceOf(file: KnownFile): string | undefined {
  if (!sources.has(file.path)) sources.set(file.path, reader?.(file.path));
  return sources.get(file.path);
}

function slice(file: KnownFile, start: number | undefined, end: number | undefined): string | undefined {
  if (start === undefined || end === undefined || start < 0) return undefined;
  const text = sourceOf(file);
  return text !== undefined && end <= text.length ? StringPrototypeSlice(text, start, end) : undefined;
}

/** The original text of an instrumented function or class whose V8 text is `text`. */
export function originalFunctionText(text: string): string | undefined {
  if (!StringPrototypeIncludes(text, INIT_FUNCTION_PREFIX)) return undefined;
  if (RegExpPrototypeExec(CLASS_START, text) !== null) {
    const init = RegExpPrototypeExec(INIT_CALL, text);
    const file = init ? files.get(init[1]!) : undefined;
    if (!init || !file) return undefined;
    const id = NumberCtor(init[2]);
    const s = file.fns[2 * id]!;
    const e = file.fns[2 * id + 1]!;
    let best = -1;
    for (let i = 0; i < file.classes.length; i += 2) {
      const cs = file.classes[i]!;
      const ce = file.classes[i + 1]!;
      if (cs <= s && e <= ce && (best < 0 || cs >= file.classes[best]!)) best = i;
    }
    if (best < 0) return undefined;
    const original = slice(file, file.classes[best], file.classes[best + 1]);
    return original !== undefined && StringPrototypeStartsWith(original, "class") ? original : undefined;
  }
  const tail = RegExpPrototypeExec(EXIT_TAIL, text);
  if (!tail) return undefined;
  const own = RegExpPrototypeExec(new RegExpCtor(`const ${tail[1]} = \\(\\w+ \\|\\| ${INIT_FUNCTION_PREFIX}([a-z]+)\\d*\\(\\)\\)\\.enter\\((\\d+)[,)]`), text);
  const file = own ? files.get(own[1]!) : undefined;
  if (!own || !file) return undefined;
  const id = NumberCtor(own[2]);
  return slice(file, file.fns[2 * id], file.fns[2 * id + 1]);
}

let installed = false;

/**
 * Replaces `Function.prototype.toString` (once per realm) with one that returns the original
 * text of recorded functions and classes, reading files with `read`. The replacement keeps the
 * original's name, length and property attributes, and its own `toString()` text is the native
 * one. It throws exactly what the original throws for a non-function `this`.
 *
 * @param read - reads a file's original text (the Node session passes `fs.readFileSync`).
 */
export function installFunctionSource(read: SourceReader): void {
  reader = read;
  if (installed) return;
  installed = true;
  const proto = FunctionPrototype;
  const descriptor = ObjectGetOwnPropertyDescriptor(proto, "toString");
  const native = descriptor?.value as ((this: unknown) => string) | undefined;
  if (typeof native !== "function") return;
  const patched = {
    toString(this: unknown): string {
      if (this === patched) return ReflectApply(native, native, []);
      const text = ReflectApply(native, this, []);
      if (typeof this !== "function") return text;
      const cached = texts.get(this);
      if (cached !== undefined) return cached;
      let result = text;
      try {
        result = originalFunctionText(text) ?? text;
      } catch {
        // never let the lookup fail a program: fall back to V8's text
      }
      texts.set(this, result);
      return result;
    },
  }.toString;
  ObjectDefineProperty(proto, "toString", { __proto__: null, ...descriptor, value: patched } as PropertyDescriptor);
}
