// Default parameters, destructured parameters, rest parameters and shadowing.
let defaultCalls = 0;
function makeDefault(tag) {
  defaultCalls++;
  return `default-${tag}-${defaultCalls}`;
}

function earlier(a, b = a * 2, c = a + b, d = makeDefault(c)) {
  return [a, b, c, d];
}
console.log(earlier(1), earlier(1, 5), earlier(1, undefined, null), earlier(2, 3, 4, "given"));
console.log("default calls:", defaultCalls);

function objParam({ x, y = 10, z: { deep = "dflt" } = {}, ...others } = {}) {
  return { x, y, deep, others };
}
console.log(objParam(), objParam({ x: 1 }), objParam({ x: 1, y: 2, z: { deep: 3 }, extra: 4, more: 5 }));

function arrParam([first, , third = "t", ...tail] = [], [[nested] = ["n"]] = []) {
  return { first, third, tail, nested };
}
console.log(arrParam(), arrParam([1, 2, 3, 4, 5]), arrParam(["a"], [["b"]]));

function restOnly(...args) {
  return `${args.length}:${args.join("|")}:${Array.isArray(args)}`;
}
function restAfter(a, b, ...more) {
  return { a, b, more, len: restAfter.length };
}
console.log(restOnly(), restOnly(1, 2, 3), restAfter(1), restAfter(1, 2, 3, 4));

function restDestructured(...[head, ...rest]) {
  return { head, rest };
}
console.log(restDestructured("h", "r1", "r2"));

// parameters shadowing outer names
const shadow = "outer";
let counter = 100;
function shadows(shadow, counter = shadow.length) {
  counter++;
  return [shadow, counter];
}
console.log(shadows("inner"), shadows("x", 1), shadow, counter);

// default referring to an outer variable that a body var shadows (separate scopes)
const scopeProbe = "outer-value";
function paramScope(p = () => scopeProbe) {
  var scopeProbe = "body-value";
  return [p(), scopeProbe];
}
console.log("param scope:", paramScope());

// default param calling a function that itself has defaults
function withNestedDefault(n = (() => earlier(3))()) {
  return n;
}
console.log("nested default:", withNestedDefault());

// TDZ among parameters: a default cannot read a later parameter
function laterParam(a = b, b = 1) {
  return a + b;
}
try {
  laterParam();
} catch (e) {
  console.log("later param:", e.constructor.name, e.message);
}
console.log("later param given:", laterParam(5));

// defaults evaluated on every call, only for undefined
function fresh(list = []) {
  list.push(list.length);
  return list;
}
console.log(fresh(), fresh(), fresh([9]), fresh(null === null ? undefined : 0));

// arrow parameters with destructuring and defaults
const arrowParams = ({ a = 1, b } = { b: 2 }, [c] = [3], ...rest) => [a, b, c, rest];
console.log(arrowParams(), arrowParams({ b: 5 }, [6], 7, 8));

// destructuring a string and iterables in params
function iterParam([a, b, ...c]) {
  return a + b + c.length;
}
console.log(iterParam("hello"), iterParam(new Set(["x", "y", "z"])));

// method parameters with defaults referring to this
const obj = {
  base: 7,
  add(n = this.base, m = n + this.base) {
    return n + m;
  },
};
console.log(obj.add(), obj.add(1), obj.add(1, 1));

// with parameter expressions the body var scope is separate: a body var of a parameter's
// name starts with the parameter's value, and closures in defaults keep seeing the parameter
function separateScopes(a, getA = () => a) {
  var a;
  const initial = a;
  a = "body";
  return [initial, a, getA()];
}
console.log("separate scopes:", separateScopes("param"));
function sameScope(a) {
  var a;
  return a;
}
console.log("same scope:", sameScope("param kept"));
// the default of a method parameter evaluated with super and arguments
const parent = { base: () => "parent base" };
const kid = {
  __proto__: parent,
  m(x = super.base(), y = arguments.length) {
    return [x, y];
  },
};
console.log("super/arguments in defaults:", kid.m(), kid.m(undefined, undefined));
