// Direct eval sees (and in sloppy code extends) the calling function's scope; indirect eval and
// `new Function` only see the global scope. The recorder must keep direct eval direct: an
// `eval` call that went through a wrapper would lose the locals.

globalThis.globalName = "global"; // a CommonJS `var` would be module-local

function directReadWrite() {
  let counter = 1;
  const label = "local";
  const read = eval("label + ':' + counter");
  eval("counter += 10");
  return [read, counter];
}
console.log("direct read/write:", directReadWrite());

function sloppyVarDeclaration() {
  const before = typeof introduced;
  eval("var introduced = 'from eval'; function evalFn() { return 'evalFn ' + introduced; }");
  return [before, typeof introduced, introduced, evalFn()];
}
console.log("sloppy var in function scope:", sloppyVarDeclaration());
console.log("not leaked to global:", typeof globalThis.introduced);

function strictEval() {
  "use strict";
  eval("var isolated = 1");
  return typeof isolated;
}
console.log("strict eval keeps its vars:", strictEval());

function strictCode() {
  return eval("'use strict'; var alsoIsolated = 2; typeof alsoIsolated") + "/" + typeof alsoIsolated;
}
console.log("strict eval code:", strictCode());

function shadowed() {
  var globalName = "shadowed";
  const direct = eval("globalName");
  const indirect = (0, eval)("globalName");
  const viaAlias = (function () {
    const e = eval;
    return e("globalName");
  })();
  const viaMember = globalThis.eval("globalName");
  return { direct, indirect, viaAlias, viaMember };
}
console.log("direct vs indirect:", shadowed());

function indirectDeclares() {
  (0, eval)("var declaredByIndirect = 'on global'");
  return typeof declaredByIndirect;
}
console.log("indirect declares global:", indirectDeclares(), globalThis.declaredByIndirect);

function evalThisAndArguments(a, b) {
  return eval("[this && this.tag, arguments.length, a + b]");
}
console.log("eval this/arguments:", evalThisAndArguments.call({ tag: "receiver" }, 2, 3));

function evalCompletion() {
  return [eval("if (true) { 'then' } else { 'else' }"), eval("for (var i = 0; i < 3; i++) i * 2;"), eval("")];
}
console.log("completion values:", evalCompletion());

function evalSyntaxError() {
  try {
    eval("let let = 1");
  } catch (e) {
    return e.name;
  }
}
console.log("syntax error:", evalSyntaxError());

function closureOverEval() {
  let x = "before";
  const get = () => eval("x");
  x = "after";
  return get();
}
console.log("arrow with eval sees live binding:", closureOverEval());

function noExtraNamesInScope(param) {
  // Direct eval can see every binding in scope: names a transform adds become visible here.
  // (The recorder's own global, `__codetracer__`, is reachable by name: documented.)
  const names = ["_ct", "_ctInit", "_f", "_f2", "_f3", "_e", "_ref", "_this"];
  return names.filter((n) => eval(`typeof ${n}`) !== "undefined").join(",") || "none";
}
console.log("extra bindings visible to direct eval:", noExtraNamesInScope(1));

function evalDeclaresCommonNames() {
  // Sloppy direct eval adds `var`s to this function's scope; they must not clash with anything.
  try {
    // (only inside strings: an identifier `_f` in the source would steer a transform's names away)
    return eval("var _f = 'user _f'; var _ct = 'user _ct'; var _e = 'user _e'; [_f, _ct, _e].join(' / ')");
  } catch (e) {
    return `${e.name}: ${e.message}`;
  }
}
try {
  console.log("eval declaring _f/_ct/_e:", evalDeclaresCommonNames());
} catch (e) {
  console.log("eval declaring _f/_ct/_e broke the caller:", `${e.name}: ${e.message}`);
}
console.log("enumerable globals:", Object.keys(globalThis).sort().join(","));

const add = new Function("a", "b", "return a + b + (typeof globalName)");
console.log("new Function:", add(1, 2), add.name, add.length);
function makeWithNewFunction() {
  const localOnly = 1;
  return new Function("return typeof localOnly")();
}
console.log("new Function does not see locals:", makeWithNewFunction());
console.log("eval.name:", eval.name, "eval === globalThis.eval:", eval === globalThis.eval);
