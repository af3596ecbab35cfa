// Function expressions, named function expressions, fn.name and fn.length of every form.
const show = (label, f) => console.log(label.padEnd(22), JSON.stringify(f.name), f.length);

const fact = function factorial(n) {
  return n <= 1 ? 1 : n * factorial(n - 1);
};
console.log("fact(6) =", fact(6), "typeof factorial outside:", typeof factorial);

// reassigning the name binding inside a named function expression: ignored in sloppy mode
const sloppyRename = function selfName() {
  selfName = 42;
  return typeof selfName;
};
console.log("sloppy reassignment ignored:", sloppyRename());

// ... and a TypeError in strict mode
const strictRename = function selfStrict() {
  "use strict";
  try {
    selfStrict = 42;
    return "no error";
  } catch (e) {
    return e.constructor.name + ": " + e.message;
  }
};
console.log("strict reassignment:", strictRename());

function decl(a, b, c) {}
const anonExpr = function (a) {};
const namedExpr = function inner(a, b) {};
const arrow = (x, y) => x + y;
const arrowNoParams = () => 0;
const withDefault = function (a, b = 2, c) {};
const withRest = (a, ...rest) => rest;
const withDestructure = ({ a }, [b]) => a + b;
const obj = {
  method(a, b) {},
  get prop() {
    return 1;
  },
  set prop(v) {},
  ["comp" + "uted"](x) {},
  [Symbol.iterator]() {},
  arrowProp: (q) => q,
  fnProp: function () {},
};
class Klass {
  constructor(a, b, c, d) {}
  m(x) {}
  static s() {}
  get g() {
    return 1;
  }
  set g(v) {}
}
const ClassExpr = class {};
const NamedClassExpr = class Inner {};
const bound = decl.bind(null, 1);
const boundTwice = bound.bind(null, 2);
async function asyncFn(a) {}
function* genFn(a, b) {}
async function* asyncGen() {}
const assignedLater = [function () {}][0];
let letAssigned;
letAssigned = function () {};

show("declaration", decl);
show("anonymous expression", anonExpr);
show("named expression", namedExpr);
show("arrow", arrow);
show("arrow no params", arrowNoParams);
show("default param", withDefault);
show("rest param", withRest);
show("destructured params", withDestructure);
show("method", obj.method);
const desc = Object.getOwnPropertyDescriptor(obj, "prop");
show("getter", desc.get);
show("setter", desc.set);
show("computed method", obj.computed);
show("symbol method", obj[Symbol.iterator]);
show("arrow property", obj.arrowProp);
show("function property", obj.fnProp);
show("class", Klass);
show("class method", Klass.prototype.m);
show("static method", Klass.s);
const cdesc = Object.getOwnPropertyDescriptor(Klass.prototype, "g");
show("class getter", cdesc.get);
show("class setter", cdesc.set);
show("class expression", ClassExpr);
show("named class expr", NamedClassExpr);
show("bound", bound);
show("bound twice", boundTwice);
show("async", asyncFn);
show("generator", genFn);
show("async generator", asyncGen);
show("array element", assignedLater);
show("let assigned later", letAssigned);
show("new Function", new Function("a", "b", "return a"));
console.log("arrow(2, 3) =", arrow(2, 3), "withRest:", withRest(1, 2, 3), "destructure:", withDestructure({ a: 1 }, [2]));
console.log("bound() result:", boundTwice(), "toString kept:", decl.toString().startsWith("function decl(a, b, c)"));
// Function.prototype.toString() shows every form exactly as written, and the text runs when
// evaluated elsewhere (eval, new Function, an eval worker), with no recorder binding in scope.
const forms = [decl, anonExpr, namedExpr, arrow, withDefault, withRest, withDestructure, obj.method,
  desc.get, desc.set, obj.computed, obj[Symbol.iterator], obj.arrowProp, obj.fnProp, Klass,
  Klass.prototype.m, Klass.s, cdesc.get, asyncFn, genFn, asyncGen, fact, strictRename];
for (const f of forms) console.log("toString:", Function.prototype.toString.call(f));
console.log("eval(String(fact))(5) =", eval("(" + String(fact) + ")")(5));
console.log("new Function:", new Function("return " + withDestructure)()({ a: 1 }, [41]));
console.log("native toString:", String(Function.prototype.toString), String(Math.max), Function.prototype.toString.name, Function.prototype.toString.length);
try {
  Function.prototype.toString.call({});
} catch (e) {
  console.log("toString of a non-function:", e.constructor.name, e.message);
}
function nested() {
  function helper(n) {
    return n * 3;
  }
  return helper;
}
console.log("nested declaration:", String(nested()), eval(`(${nested()})`)(14));
const { Worker } = require("node:worker_threads");
const worker = new Worker(`require("node:worker_threads").parentPort.postMessage((${fact})(4));`, { eval: true });
worker.on("message", (m) => console.log("eval worker computed", m));
