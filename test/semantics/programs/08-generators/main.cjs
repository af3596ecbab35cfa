// Generators: next/return/throw, finally on return(), yield*, for-of with break.
const log = [];
function* counter(limit) {
  let received;
  try {
    for (let i = 0; i < limit; i++) {
      received = yield i;
      if (received !== undefined) log.push(`counter got ${received}`);
    }
    return "counter finished";
  } finally {
    log.push("counter finally");
  }
}

const c = counter(3);
console.log(c.next(), c.next("a"), c.next("b"), c.next(), c.next());

// return() while suspended inside try/finally: the finally block runs
const r = counter(10);
console.log(r.next(), r.return("early"), r.next());

// a finally that yields delays the return
function* yieldingFinally() {
  try {
    yield "body";
  } finally {
    yield "cleanup";
    log.push("yieldingFinally done");
  }
}
const yf = yieldingFinally();
console.log(yf.next(), yf.return("R"), yf.next(), yf.next());

// throw() caught inside the generator
function* catcher() {
  while (true) {
    try {
      yield "waiting";
    } catch (e) {
      log.push(`catcher caught ${e}`);
      yield `recovered from ${e}`;
    }
  }
}
const k = catcher();
console.log(k.next(), k.throw("E1"), k.next(), k.throw("E2"), k.return("stop"));
// throw() on a generator that does not catch
const unc = counter(2);
unc.next();
try {
  unc.throw(new Error("not caught"));
} catch (e) {
  console.log("propagated:", e.message, unc.next());
}
// throw() before start: the generator never runs
const fresh = counter(2);
try {
  fresh.throw(new Error("before start"));
} catch (e) {
  console.log("before start:", e.message);
}

// yield* delegation to generators, arrays and strings; the delegate's return value
function* inner() {
  const x = yield "inner-1";
  log.push(`inner received ${x}`);
  yield "inner-2";
  return "inner-result";
}
function* outer() {
  const res = yield* inner();
  yield `outer saw ${res}`;
  yield* [10, 20];
  yield* "hi";
  yield* counter(2);
}
const o = outer();
const collected = [o.next().value, o.next("X").value];
for (const v of o) collected.push(v);
console.log(collected);

// for-of with break calls return() (finally runs)
function* infinite() {
  let n = 0;
  try {
    while (true) yield n++;
  } finally {
    log.push(`infinite closed at ${n}`);
  }
}
for (const v of infinite()) {
  if (v === 3) break;
}
// destructuring also closes the iterator
const [first, second] = infinite();
console.log("destructured:", first, second);
// return() forwarded through yield*
function* wrapper() {
  try {
    yield* infinite();
  } finally {
    log.push("wrapper finally");
  }
}
const w = wrapper();
w.next();
w.next();
console.log("wrapper return:", w.return("W"));

// generator methods, spread, Array.from, generator as object iterator
class Tree {
  constructor(v, kids = []) {
    this.v = v;
    this.kids = kids;
  }
  *[Symbol.iterator]() {
    yield this.v;
    for (const kid of this.kids) yield* kid;
  }
}
const tree = new Tree(1, [new Tree(2, [new Tree(3)]), new Tree(4)]);
console.log([...tree], Array.from(tree, (x) => x * 10));
const genObj = counter(1);
console.log(genObj[Symbol.iterator]() === genObj, Object.prototype.toString.call(genObj));
log.forEach((l) => console.log(l));
