// Expressions: comma, conditional, short circuits, optional chaining, nullish coalescing,
// logical assignment (getter/setter counters prove short-circuit), **, tagged templates.
const trace = [];
const t = (label, v) => (trace.push(label), v);

const comma = (t("c1", 1), t("c2", 2), t("c3", 3));
const cond = t("test", 0) ? t("then", "yes") : t("else", "no");
const nestedCond = t("n1", true) ? (t("n2", false) ? "tt" : "tf") : "f";
console.log(comma, cond, nestedCond, trace.splice(0).join(","));

const andOr = [
  t("a1", 0) && t("a2", "never"),
  t("o1", "") || t("o2", "second"),
  t("x1", 1) && t("x2", 2) && t("x3", 3),
  t("y1", null) || t("y2", undefined) || t("y3", 0),
  t("q1", 0) ?? t("q2", "skipped"),
  t("q3", null) ?? t("q4", "fallback"),
];
console.log(andOr, trace.splice(0).join(","));

// optional chaining with side effects in the chain
const api = {
  user: { name: "ann", greet() { return `hi ${this.name}`; }, tags: ["t0", "t1"] },
  nothing: null,
  fn: () => "called",
};
const k = "user";
console.log(
  api?.user.greet(),
  api.nothing?.deep.deeper.call(t("never evaluated", 1)),
  api?.[k]?.tags?.[1],
  api.missing?.(),
  api.fn?.(),
  api.user.missing?.(t("arg not evaluated", 1)),
  api.nothing?.[t("key not evaluated", "x")],
  (api.nothing?.a) === undefined ? "parenthesized undefined" : "n/a",
);
console.log("trace after optional chains:", trace.splice(0));
try {
  (api.nothing?.a).b;
} catch (e) {
  console.log("parenthesized chain:", e.constructor.name);
}
const opt = { count: 0, get inc() { return () => ++this.count; } };
opt?.inc?.();
opt.inc?.();
delete api?.nothing?.foo;
console.log("optional calls keep this:", opt.count, "delete optional:", delete api.nothing?.foo);

// logical assignment with counting accessors
const counters = { get: 0, set: 0 };
const store = {
  _v: undefined,
  get v() {
    counters.get++;
    return this._v;
  },
  set v(x) {
    counters.set++;
    this._v = x;
  },
};
store.v ??= "init"; // get + set
store.v ??= "ignored"; // get only
store.v ||= "ignored"; // get only (truthy)
store.v &&= "replaced"; // get + set
store.v = 0; // set
store.v &&= "ignored"; // get only (falsy)
store.v ||= "from or"; // get + set
console.log("logical assignment:", store._v, counters);
let rhsEvaluated = 0;
let local = "kept";
local ||= (rhsEvaluated++, "not used");
local &&= (rhsEvaluated++, local.toUpperCase());
let nothing = null;
nothing ??= (rhsEvaluated++, "filled");
console.log(local, nothing, "rhs evaluated:", rhsEvaluated);
const frozen = Object.freeze({ x: 1 });
frozen.x ||= 2; // no set attempted, no error even if it were strict

// exponent: right associative, with unary needing parentheses, assignments
let e = 2;
e **= 3;
console.log(2 ** 3 ** 2, (2 ** 3) ** 2, (-2) ** 2, 2 ** -1, e, 10n ** 3n);

// tagged templates: strings array cached per call site
const seen = [];
function tag(strings, ...values) {
  seen.push(strings);
  return `${strings.raw.join("|")} :: ${values.join(",")} :: frozen=${Object.isFrozen(strings)}`;
}
function site(x) {
  return tag`a${x}b\n${x * 2}`;
}
const r1 = site(1);
const r2 = site(2);
const r3 = tag`a${1}b\n${2}`; // same text, different site
console.log(r1, r2);
console.log("same site identical:", seen[0] === seen[1], "different site:", seen[0] === seen[2]);
const loopStrings = [];
for (let i = 0; i < 3; i++) loopStrings.push(((s) => s)`loop ${i}`);
console.log("loop site identical:", loopStrings[0] === loopStrings[1] && loopStrings[1] === loopStrings[2]);
console.log(String.raw`raw\t${"v"}\n`, `nested ${`inner ${1 + 1}`}`, r3.length);
// member and call tags, tag returning functions
const obj = { tag(s, v) { return `${this === obj}:${s[0]}${v}`; } };
const curry = (s) => (s2) => s[0] + s2[0];
console.log(obj.tag`member ${"x"}`, curry`first``second`);

// typeof, void, in, instanceof, delete, unary +/-/~/!, bit ops, compound assignment
let bits = 0b1010;
bits <<= 2;
bits ^= 0xff;
bits >>>= 1;
console.log(typeof undeclaredVariable, void t("void", 1), "x" in { x: 1 }, ~5, !!"", -"3", +true, bits, 7 % -3, -7 % 3);
console.log(trace.splice(0), [1, 2] + [3], {} + "", [] == false, null == undefined, NaN !== NaN);
// chained assignment and evaluation order of member assignment
const order = [];
const o1 = {};
const keyFn = () => (order.push("key"), "k");
const valFn = () => (order.push("value"), "v");
(order.push("object"), o1)[keyFn()] = valFn();
let a2, b2;
a2 = b2 = 5;
console.log(order, o1, a2, b2);
