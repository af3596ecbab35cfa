/**
 * re2js in a realm of its own, for the matches made after the recorded program changed the
 * built-ins re2js reaches (see `../match.ts` and `../intrinsics.ts`): a `vm` context, made on
 * first need, into which re2js's CommonJS build (`re2js/build/index.cjs`, resolved when this
 * module loads, from this package's own location, so also from a bundle that holds it) is
 * loaded. Strings go in, booleans come out; no object of that realm reaches the program, and no
 * function of the program's runs: the context's global object has a null prototype (a
 * contextified object with the main realm's `Object.prototype` would send global look-ups
 * there), and the Node functions used are captured at load.
 *
 * Making the realm costs about 40 ms (parsing re2js), once per thread; each pattern is compiled
 * there once.
 *
 * @packageDocumentation
 */

import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as vm from "node:vm";
import { ObjectCreate, ReflectApply, TextDecoderCtor, TextDecoderPrototypeDecode, TypeErrorCtor } from "@codetracer/trace-format/internal/primordials";
import { TraceFilterError } from "../errors.js";

const readFileSync = fs.readFileSync as (file: string) => Uint8Array;
const createContext = vm.createContext;
const ScriptCtor = vm.Script;
const scriptRunInContext = vm.Script.prototype.runInContext;
const decoder = new TextDecoderCtor();

/** re2js's CommonJS build, or the error that kept it from being found. */
let re2jsFile: string | undefined;
let resolveError: unknown;
try {
  re2jsFile = createRequire(import.meta.url).resolve("re2js");
} catch (error) {
  resolveError = error;
}

/** The realm's matcher, once made. */
let realmTest: ((pattern: string, input: string) => unknown) | undefined;
/** Why the realm could not be made (then it is not tried again). */
let realmFailure: TraceFilterError | undefined;

/** Source run in the realm after re2js: the realm's own matcher with its own pattern cache. */
const MATCHER_SOURCE = `
var RE2JS = module.exports.RE2JS;
var cache = new Map();
return function re2jsTest(pattern, input) {
  var re = cache.get(pattern);
  if (re === undefined) {
    if (cache.size >= 256) cache.clear();
    re = RE2JS.compile(pattern);
    cache.set(pattern, re);
  }
  return re.test(input) === true;
};`;

function makeRealm(): (pattern: string, input: string) => unknown {
  if (re2jsFile === undefined) {
    throw new TraceFilterError("ERR_IO", "cannot find re2js's CommonJS build for matching in a fresh realm", {}, resolveError);
  }
  const file = re2jsFile;
  try {
    const source = TextDecoderPrototypeDecode(decoder, readFileSync(file));
    // A null-prototype global object: a look-up of a global the realm's own global object
    // holds never reaches the main realm's Object.prototype.
    const context = createContext(ObjectCreate(null));
    const code = `(function () { var module = { exports: {} }; var exports = module.exports;\n${source}\n;${MATCHER_SOURCE}\n})()`;
    const script = new ScriptCtor(code);
    const test = ReflectApply(scriptRunInContext, script, [context]) as unknown;
    if (typeof test !== "function") throw new TypeErrorCtor("re2js's CommonJS build did not give RE2JS");
    return test as (pattern: string, input: string) => unknown;
  } catch (error) {
    throw new TraceFilterError("ERR_IO", `cannot load re2js (${file}) into a fresh realm`, { file }, error);
  }
}

/**
 * Whether the RE2 pattern `re2Source` matches anywhere in `input`, matched by re2js in a `vm`
 * context of its own (see the module documentation); the platform's `re2InFreshRealm`.
 *
 * @param re2Source - the pattern in re2js's syntax (as compiled in the main realm)
 * @param input - the candidate
 * @returns whether it matches
 * @throws {@link TraceFilterError} `ERR_IO` when re2js cannot be found or loaded into the realm
 *   (remembered: later calls throw the same error at once), or the match fails there
 */
export function re2InFreshRealm(re2Source: string, input: string): boolean {
  if (realmTest === undefined) {
    if (realmFailure !== undefined) throw realmFailure;
    try {
      realmTest = makeRealm();
    } catch (error) {
      realmFailure = error as TraceFilterError;
      throw realmFailure;
    }
  }
  let result: unknown;
  try {
    result = realmTest(re2Source, input);
  } catch {
    // The realm's error object stays there: only the fact crosses.
    throw new TraceFilterError("ERR_IO", "matching in a fresh realm failed");
  }
  return result === true;
}
