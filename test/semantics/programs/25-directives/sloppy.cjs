// No directive: sloppy mode.
function sloppyThis() {
  return this === globalThis;
}

function legacyOctal() {
  return eval("010");
}

function argumentsMapped(a) {
  a = 42;
  return arguments[0];
}

function assignUndeclared() {
  leakedGlobal = "leaked";
  return leakedGlobal;
}

function ownDirective() {
  "use strict";
  return this === undefined;
}

function ownDirectiveArrow() {
  'use strict';
  return () => this === undefined;
}

function notADirective() {
  var x = 1;
  "use strict";
  return this === globalThis && x === 1;
}

function escapedDirective() {
  "use\x20strict";
  return this === globalThis;
}

class Box {
  method() {
    return this;
  }
}
function classMethodThis() {
  const unbound = new Box().method;
  return unbound() === undefined;
}

function inner() {
  return inner.caller === callerOf ? "callerOf" : String(inner.caller && inner.caller.name);
}
function callerOf() {
  return inner();
}

const obj = {
  method() {
    return this;
  },
};

module.exports = { legacyOctal, escapedDirective, classMethodThis, sloppyThis, argumentsMapped, assignUndeclared, ownDirective, ownDirectiveArrow, notADirective, obj, callerOf };
