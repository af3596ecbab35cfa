// Closures in loops, counters, IIFEs, currying, memoization with Map.
function makeCounter(start = 0, step = 1) {
  let value = start;
  return {
    inc: () => (value += step),
    dec: () => (value -= step),
    get current() {
      return value;
    },
    reset() {
      value = start;
      return value;
    },
  };
}
const c1 = makeCounter();
const c2 = makeCounter(100, 10);
c1.inc();
c1.inc();
c2.dec();
console.log(c1.current, c2.current, c1.reset(), c1.inc(), c2.inc());

// closures in loops: per-iteration let, IIFE capture with var, shared var
const handlers = [];
for (var i = 0; i < 3; i++) {
  handlers.push(
    (function (captured) {
      return () => `iife ${captured} shared ${i}`;
    })(i),
  );
}
console.log(handlers.map((h) => h()));

// module pattern IIFE with private state
const bank = (function () {
  let balance = 0;
  const history = [];
  function record(kind, amount) {
    history.push(`${kind}:${amount}`);
  }
  return {
    deposit(amount) {
      balance += amount;
      record("dep", amount);
      return this;
    },
    withdraw(amount) {
      if (amount > balance) throw new Error(`insufficient: ${balance} < ${amount}`);
      balance -= amount;
      record("wd", amount);
      return this;
    },
    statement: () => `${balance} [${history.join(" ")}]`,
  };
})();
bank.deposit(50).withdraw(20).deposit(5);
try {
  bank.withdraw(1000);
} catch (e) {
  console.log(e.message);
}
console.log(bank.statement());
// arrow IIFE, unary IIFE, IIFE with call/apply
const arrowIife = (() => "arrow iife")();
const unaryIife = !(function () {
  return false;
})();
const applied = function (a, b) {
  return `${this.tag}:${a + b}`;
}.apply({ tag: "applied" }, [1, 2]);
console.log(arrowIife, unaryIife, applied);

// currying: generic curry, partial application, composition
function curry(fn) {
  return function curried(...args) {
    if (args.length >= fn.length) return fn.apply(this, args);
    return (...more) => curried.apply(this, [...args, ...more]);
  };
}
const add3 = curry((a, b, c) => a + b + c);
console.log(add3(1)(2)(3), add3(1, 2)(3), add3(1)(2, 3), add3(1, 2, 3));
const compose = (...fns) => (x) => fns.reduceRight((acc, f) => f(acc), x);
const pipeline = compose((x) => x * 2, (x) => x + 1, add3(0)(0));
console.log("compose:", pipeline(4));

// memoization with Map, counting real computations
let computations = 0;
function memoize(fn) {
  const cache = new Map();
  return function memoized(n) {
    if (cache.has(n)) return cache.get(n);
    const result = fn(n);
    cache.set(n, result);
    return result;
  };
}
const fib = memoize((n) => {
  computations++;
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
});
console.log("fib(40):", fib(40), "computations:", computations, "fib(30) again:", fib(30), computations);
// memoize on object keys with a WeakMap
const sizeCache = new WeakMap();
const measured = [];
function sizeOf(obj) {
  if (!sizeCache.has(obj)) {
    measured.push(Object.keys(obj).join(""));
    sizeCache.set(obj, Object.keys(obj).length);
  }
  return sizeCache.get(obj);
}
const o1 = { a: 1, b: 2 };
console.log(sizeOf(o1), sizeOf(o1), sizeOf({ c: 3 }), measured);

// closures that outlive their scope and share it
function sharedScope() {
  let shared = 0;
  const a = () => ++shared;
  const b = () => (shared *= 10);
  return [a, b, () => shared];
}
const [inc, times10, read] = sharedScope();
inc();
times10();
inc();
console.log("shared scope:", read());
// generator closure over a loop variable and once()
function once(fn) {
  let done = false;
  let value;
  return (...args) => (done ? value : ((done = true), (value = fn(...args))));
}
const init = once((x) => `initialised with ${x}`);
console.log(init("first"), init("second"));
const adders = [1, 2, 3].map((n) => (x) => x + n);
console.log(adders.map((f) => f(10)));
