// Temporal dead zone and var hoisting. The recorder reads locals at every step, so it
// must cope with bindings that are still uninitialised without changing what the program sees.
function attempt(label, f) {
  try {
    console.log(label, "->", f());
  } catch (e) {
    console.log(label, "->", `${e.constructor.name}: ${e.message}`);
  }
}

function readLetEarly() {
  const before = "step before the let";
  const result = value + 1;
  let value = 1;
  return result + before;
}
attempt("let read early", readLetEarly);

function readConstEarly() {
  const x = y;
  const y = 2;
  return x;
}
attempt("const read early", readConstEarly);

function classEarly() {
  const instance = new Later();
  class Later {}
  return instance;
}
attempt("class used early", classEarly);

function typeofTdz() {
  const undeclared = typeof notDeclaredAnywhere;
  const t = typeof tdzVar;
  let tdzVar = "x";
  return [undeclared, t];
}
attempt("typeof TDZ", typeofTdz);

function closuresBeforeInit() {
  const read = () => counter;
  const write = (v) => (counter = v);
  const results = [];
  try {
    results.push(read());
  } catch (e) {
    results.push(`read: ${e.message}`);
  }
  try {
    write(5);
  } catch (e) {
    results.push(`write: ${e.message}`);
  }
  let counter = 10;
  results.push(read(), write(11), read());
  return results;
}
attempt("closures before init", closuresBeforeInit);

function varHoisting() {
  const seen = [v1, typeof v2, v3 === undefined];
  var v1 = "assigned";
  seen.push(v1);
  for (var v2 = 0; v2 < 2; v2++);
  seen.push(v2);
  if (false) {
    var v3 = "never";
  }
  seen.push(v3);
  return seen;
}
attempt("var hoisting", varHoisting);

function selfReference() {
  let a = (() => {
    try {
      return a;
    } catch (e) {
      return `inner: ${e.message}`;
    }
  })();
  return a;
}
attempt("self reference in initializer", selfReference);

function shadowTdz() {
  const outer = "outer";
  {
    try {
      return outer; // refers to the inner binding below, still in TDZ
    } catch (e) {
      return `shadowed: ${e.message}`;
    } finally {
      // eslint-disable-next-line no-unused-vars
    }
    const outer = "inner";
  }
}
attempt("shadowing block binding", shadowTdz);

function loopTdz() {
  const out = [];
  for (let i = 0; i < 2; i++) {
    try {
      out.push(item);
    } catch (e) {
      out.push(`iteration ${i}: ${e.constructor.name}`);
    }
    let item = i * 10;
    out.push(item);
  }
  return out;
}
attempt("TDZ in each loop iteration", loopTdz);

function destructuringTdz() {
  const { a = b, b = 1 } = {};
  return [a, b];
}
attempt("destructuring default TDZ", destructuringTdz);

function assignBeforeDecl() {
  later = 3;
  let later;
  return later;
}
attempt("assign before let", assignBeforeDecl);

function functionHoistedOverTdz() {
  return useIt();
  function useIt() {
    return typeof late === "undefined" ? "unreachable" : "unreachable 2";
  }
  let late = 1;
}
attempt("hoisted function reading TDZ", functionHoistedOverTdz);

// a many-binding scope where only some bindings are initialised when an error happens
function partial() {
  let a = 1;
  const b = a + 1;
  let c = b + d;
  let d = 4;
  return [a, b, c, d];
}
attempt("partially initialised scope", partial);

// top-level TDZ of this CommonJS module
attempt("module-level let early", () => moduleLevel);
let moduleLevel = "now initialised";
attempt("module-level let after", () => moduleLevel);
console.log("typeof module-level var before assignment was", typeofBefore);
var typeofBefore;
typeofBefore = "assigned late";
console.log(typeofBefore);
