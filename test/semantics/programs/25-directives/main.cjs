#!/usr/bin/env node
'use strict';
"another directive";
// A CommonJS file in strict mode (after a hashbang line): the directive prologue must stay
// first, otherwise `this` inside plain function calls becomes globalThis and assignments to
// undeclared names succeed.

function strictThis() {
  return this === undefined;
}

function assignUndeclared() {
  try {
    undeclaredVariable = 1; // eslint-disable-line no-undef
    return "assigned";
  } catch (e) {
    return e.constructor.name;
  }
}

function writeReadOnly() {
  const frozen = Object.freeze({ a: 1 });
  try {
    frozen.a = 2;
    return "silently ignored";
  } catch (e) {
    return e.constructor.name;
  }
}

function argumentsUnmapped(a) {
  a = 42;
  return arguments[0];
}

console.log("module strict: this in function is undefined:", strictThis());
console.log("assign undeclared:", assignUndeclared());
console.log("write frozen:", writeReadOnly());
console.log("arguments unmapped:", argumentsUnmapped(1));
console.log("legacy octal in direct eval (inherits strictness):", (() => {
  try {
    return eval("010");
  } catch (e) {
    return e.constructor.name;
  }
})());

const sloppy = require("./sloppy.cjs");
const { sloppyThis, ownDirective, ownDirectiveArrow, notADirective, escapedDirective, classMethodThis } = sloppy;
console.log("sloppy this === globalThis:", sloppyThis());
console.log("sloppy legacy octal:", sloppy.legacyOctal());
console.log("sloppy arguments mapped:", sloppy.argumentsMapped(1));
console.log("sloppy assign undeclared:", sloppy.assignUndeclared(), typeof globalThis.leakedGlobal);
console.log("own directive this undefined:", ownDirective());
console.log("own directive nested arrow:", ownDirectiveArrow()());
console.log("directive after statement is not a directive:", notADirective());
console.log("escaped 'use\\x20strict' is not a strict directive:", escapedDirective());
console.log("class bodies are strict even in sloppy files:", classMethodThis());
console.log("called as a method, this is the exports:", sloppy.sloppyThis(), sloppy.ownDirective());
console.log("method this:", sloppy.obj.method() === sloppy.obj);
console.log("strict fn .caller access:", (() => {
  try {
    return typeof strictThis.caller;
  } catch (e) {
    return e.constructor.name;
  }
})());
console.log("sloppy fn .caller:", sloppy.callerOf());
