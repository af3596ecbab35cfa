// Function declarations and hoisting (sloppy CommonJS).
console.log("early call:", early(2));
function early(n) {
  return n * helper();
  function helper() {
    return 21;
  }
}

function outer() {
  const out = [];
  out.push(typeof inner, inner());
  function inner() {
    return "inner-before-def";
  }
  out.push(typeof later);
  var later = 5;
  out.push(typeof later);
  return out;
}
console.log("outer:", outer());

// same name var + function: the function wins until the var is assigned
function sameName() {
  const seen = [typeof dup];
  var dup;
  seen.push(typeof dup);
  function dup() {
    return 1;
  }
  dup = "now a string";
  seen.push(typeof dup);
  return seen;
}
console.log("sameName:", sameName());

// var shadowing function at top of a function without assignment keeps the function
function varNoInit() {
  var f;
  function f() {}
  return typeof f;
}
console.log("varNoInit:", varNoInit());

// Annex B: function declarations in blocks (sloppy)
function annexB(flag) {
  const log = [typeof blockFn];
  if (flag) {
    log.push("in block: " + typeof blockFn);
    function blockFn() {
      return "block";
    }
  }
  log.push(typeof blockFn);
  if (typeof blockFn === "function") log.push(blockFn());
  return log;
}
console.log("annexB(true):", annexB(true));
console.log("annexB(false):", annexB(false));

// Later declaration of the same function name wins
function twice() {
  return "first";
}
console.log("twice:", twice());
function twice() {
  return "second";
}

// Function declaration inside a loop body block
function loopDecl() {
  const fns = [];
  for (let i = 0; i < 3; i++) {
    function get() {
      return i;
    }
    fns.push(get);
  }
  return fns.map((g) => g());
}
console.log("loopDecl:", loopDecl());

// Hoisted function referring to a variable declared later
function readLater() {
  return laterValue;
}
var laterValue = "assigned";
console.log("readLater:", readLater());

// Recursive hoisted functions calling each other
console.log("isEven(10):", isEven(10), "isOdd(7):", isOdd(7));
function isEven(n) {
  return n === 0 ? true : isOdd(n - 1);
}
function isOdd(n) {
  return n === 0 ? false : isEven(n - 1);
}
console.log("typeof this-level names:", typeof early, typeof outer, typeof blockFnTop);
{
  function blockFnTop() {}
}
console.log("after block:", typeof blockFnTop);

// in strict code a block function is block scoped (no annex B hoisting)
function strictBlocks() {
  "use strict";
  const log = [typeof strictBlockFn];
  {
    log.push(typeof strictBlockFn, strictBlockFn());
    function strictBlockFn() {
      return "strict block fn";
    }
  }
  log.push(typeof strictBlockFn);
  return log;
}
console.log("strictBlocks:", strictBlocks());

// annex B: a block function does not overwrite an enclosing let of the same name
function annexBShadowedByLet() {
  let name = "let binding";
  {
    function name() {}
  }
  return typeof name;
}
console.log("annexB with let:", annexBShadowedByLet());

// a function declaration nested in an if without braces (sloppy only)
function braceless(flag) {
  if (flag) function bare() { return "bare"; }
  return typeof bare === "function" ? bare() : typeof bare;
}
console.log("braceless:", braceless(true), braceless(false));
