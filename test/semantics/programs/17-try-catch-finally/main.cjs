// try/catch/finally control flow, rethrow, nested handlers, non-Error throws, catch parameters.
const effects = [];

function finallyOverridesReturn() {
  try { return "from try"; } finally { return "from finally"; }
}
function finallyOverridesThrow() {
  try { throw new Error("swallowed"); } finally { return "finally wins over throw"; }
}
function returnWithFinallySideEffect() {
  let x = 1;
  try {
    return x;
  } finally {
    x = 99;
    effects.push("finally ran, x set to 99 after return value computed");
  }
}
function finallyThrowReplaces() {
  try { throw new Error("original"); } finally { throw new Error("replacement"); }
}
console.log(finallyOverridesReturn(), finallyOverridesThrow(), returnWithFinallySideEffect());
try { finallyThrowReplaces(); } catch (e) { console.log("finally throw replaces:", e.message); }

function rethrow(kind) {
  try {
    if (kind === "type") null.prop;
    throw new RangeError("range");
  } catch (e) {
    if (e instanceof TypeError) return `handled ${e.constructor.name}`;
    throw e;
  } finally {
    effects.push(`rethrow(${kind}) finally`);
  }
}
console.log(rethrow("type"));
try { rethrow("range"); } catch (e) { console.log("rethrown:", e.constructor.name, e.message); }

function nested() {
  const trail = [];
  try {
    try {
      try { throw new Error("deep"); } finally { trail.push("inner finally"); }
    } catch (e) {
      trail.push(`middle caught ${e.message}`);
      throw new Error("from middle", { cause: e });
    } finally {
      trail.push("middle finally");
    }
  } catch (e) {
    trail.push(`outer caught ${e.message} cause=${e.cause.message}`);
  }
  return trail;
}
function optionalBinding() {
  try { JSON.parse("{bad json"); } catch { return "caught without binding"; }
}
console.log(nested(), optionalBinding());

function loopControl() {
  const out = [];
  for (let i = 0; i < 4; i++) {
    try {
      if (i === 1) continue;
      if (i === 3) break;
      out.push(`body ${i}`);
    } finally {
      out.push(`finally ${i}`);
    }
  }
  let j = 0;
  while (true) {
    try {
      try { if (++j > 2) break; } finally { out.push(`inner finally j=${j}`); }
    } finally {
      out.push(`outer finally j=${j}`);
    }
  }
  block: try { out.push("in labeled try"); break block; } finally { out.push("finally after break block"); }
  return out.join("; ");
}
console.log(loopControl());

// errors (and non-Error values) crossing several frames, caught higher up
function level3(v) {
  if (v === "undefined") throw undefined;
  if (v === "string") throw "a string";
  if (v === "object") throw { code: 42 };
  if (v === "null") throw null;
  if (v === "number") throw 7;
  return "no throw";
}
function level2(v) {
  try { return level3(v); } finally { effects.push(`level2 finally ${v}`); }
}
function level1(v) {
  return level2(v) + "!";
}
for (const kind of ["string", "undefined", "object", "null", "number", "none"]) {
  try {
    console.log("level1:", level1(kind));
  } catch (thrown) {
    console.log(`caught ${kind}:`, typeof thrown, JSON.stringify(thrown) ?? String(thrown));
  }
}
function viaCallbacks() {
  try {
    [1, 2, 3].forEach((n) => {
      if (n === 2) throw new Error(`stopped at ${n}`);
      effects.push(`forEach ${n}`);
    });
  } catch (e) {
    return e.message;
  }
}
console.log(viaCallbacks());

// a deep error: Error.stackTraceLimit (10 by default) caps the frames in error.stack
function recurse(n) {
  if (n === 0) throw new Error("bottom of the recursion");
  return recurse(n - 1) + 1;
}
try {
  recurse(25);
} catch (e) {
  const frames = e.stack.split("\n").filter((l) => l.trim().startsWith("at recurse"));
  console.log("stackTraceLimit:", Error.stackTraceLimit, "recurse frames in stack:", frames.length);
  console.log("prepareStackTrace:", typeof Error.prepareStackTrace, Error.prepareStackTrace?.name);
}

// catch parameters: scope, destructuring with getters and defaults (evaluation order),
// a destructuring pattern that throws, var redeclaring the catch parameter (annex B)
const catchLog = [];
const thrownObject = {
  get code() { catchLog.push("get code"); return 7; },
  get nested() { catchLog.push("get nested"); return undefined; },
};
function catchParams() {
  const e = "outer e";
  const results = [e];
  try { throw thrownObject; } catch ({ code, extra = (catchLog.push("default evaluated"), 1) }) { results.push(code, extra); }
  try {
    try { throw thrownObject; } catch ({ nested: { x } }) { results.push("unreachable " + x); }
  } catch (err) {
    results.push(`${err.constructor.name}: ${err.message}`);
  }
  try { throw "shadow"; } catch (e) { var seen = e; }
  try { throw 1; } catch (e2) { var e2 = 2; var redeclared = e2; }
  results.push(e, seen, typeof e2, redeclared);
  return results;
}
console.log(catchParams(), catchLog);
console.log(effects.join("\n"));
