// The arguments object: mapped in sloppy simple-parameter functions, unmapped otherwise.
function mapped(a, b) {
  const log = [];
  arguments[0] = "changed-via-arguments";
  log.push(a);
  b = "changed-via-param";
  log.push(arguments[1]);
  log.push(arguments.length);
  // index beyond the passed arguments is not mapped
  arguments[2] = "extra";
  log.push(arguments.length, arguments[2]);
  return log;
}
console.log("mapped:", mapped(1, 2));
console.log("mapped one arg:", mappedOneArg(1));
function mappedOneArg(a, b) {
  b = "param b";
  return [arguments.length, arguments[1], b];
}

function strictFn(a, b) {
  "use strict";
  arguments[0] = "changed";
  b = "param changed";
  return [a, arguments[1], arguments.length];
}
console.log("strict (unmapped):", strictFn(1, 2));

function withDefaults(a, b = 5) {
  arguments[0] = "changed";
  a = "param";
  return [a, arguments[0], arguments[1], arguments.length];
}
console.log("with defaults (unmapped):", withDefaults(1));

function withRest(a, ...r) {
  a = "param";
  return [arguments[0], arguments.length, r.length];
}
console.log("with rest (unmapped):", withRest(1, 2, 3));

function withDestructuring({ x }, y) {
  y = "param";
  return [arguments[1], x];
}
console.log("with destructuring (unmapped):", withDestructuring({ x: 1 }, 2));

function lengths() {
  return arguments.length;
}
console.log("lengths:", lengths(), lengths(undefined), lengths(1, 2, 3), lengths(...[1, 2, 3, 4, 5]));

// arguments.callee in sloppy mode, recursion through callee
const fib = function (n) {
  return n < 2 ? n : arguments.callee(n - 1) + arguments.callee(n - 2);
};
console.log("callee fib(10):", fib(10));
function calleeIdentity() {
  return arguments.callee === calleeIdentity;
}
console.log("callee identity:", calleeIdentity());

function strictCallee() {
  "use strict";
  try {
    return arguments.callee;
  } catch (e) {
    return e.constructor.name;
  }
}
console.log("strict callee:", strictCallee());

// arguments is array-like, not an array; Symbol.iterator works
function shape() {
  return [
    Array.isArray(arguments),
    Object.prototype.toString.call(arguments),
    [...arguments].join("+"),
    Array.from(arguments).length,
    typeof arguments[Symbol.iterator],
  ];
}
console.log("shape:", shape("a", "b"));

// mapping survives delete + reassign? (delete breaks mapping)
function deleteBreaks(a) {
  delete arguments[0];
  arguments[0] = "new";
  return [a, arguments[0]];
}
console.log("delete breaks mapping:", deleteBreaks("orig"));

// passing arguments along with apply
function forward() {
  return target.apply(null, arguments);
}
function target(x, y, z) {
  x = x * 10;
  return [x, arguments[0], y, z, arguments.length];
}
console.log("forward:", forward(1, 2));

// arguments in a nested function is its own
function outer(a) {
  function inner() {
    return arguments.length;
  }
  return [arguments.length, inner(), inner(1, 2, 3)];
}
console.log("nested arguments:", outer(1, 2));

// modifying params in a loop with mapped arguments
function sumAndClear(a, b, c) {
  let total = 0;
  for (let i = 0; i < arguments.length; i++) {
    total += arguments[i];
    arguments[i] = 0;
  }
  return [total, a, b, c];
}
console.log("sumAndClear:", sumAndClear(1, 2, 3));

// legacy fn.caller and fn.arguments of sloppy functions
function legacyCallee(a) {
  return [legacyCallee.caller && legacyCallee.caller.name, legacyCallee.arguments.length, legacyCallee.arguments[0]];
}
function legacyCaller() {
  return legacyCallee("x", "y");
}
const arrowCaller = () => legacyCallee(1);
console.log("fn.caller/fn.arguments:", legacyCaller(), arrowCaller(), legacyCallee.arguments);
function outerCaller() {
  return innerCaller();
  function innerCaller() {
    return innerCaller.caller === outerCaller;
  }
}
console.log("inner.caller === outer:", outerCaller());
function strictHasNoCaller() {
  "use strict";
  try {
    return strictHasNoCaller.caller;
  } catch (e) {
    return e.constructor.name;
  }
}
console.log("strict fn.caller:", strictHasNoCaller());
