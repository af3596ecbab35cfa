// Arrows: expression bodies, object literal results, lexical this/arguments/new.target.
const square = (x) => x * x;
const pair = (a, b) => ({ a, b });
const nested = (a) => (b) => (c) => a + b + c;
const emptyObj = () => ({});
const seq = (x) => (console.log("side effect", x), x + 1);
const cond = (n) => (n > 0 ? "pos" : n < 0 ? "neg" : "zero");
console.log(square(7), pair(1, 2), nested(1)(2)(3), emptyObj(), seq(10), [-1, 0, 1].map(cond));

const counter = {
  count: 0,
  label: "counter",
  incrementLater() {
    // arrow captures this of the method
    return () => {
      this.count++;
      return `${this.label}:${this.count}`;
    };
  },
  regularLater() {
    return function () {
      return this === undefined ? "undefined this" : this === globalThis ? "global this" : typeof this;
    };
  },
  all() {
    return [1, 2, 3].map((n) => n * this.count);
  },
};
const inc = counter.incrementLater();
console.log(inc(), inc(), inc.call({ label: "other", count: 100 }), counter.count);
console.log(counter.regularLater()(), counter.all());

function outerArgs() {
  const viaArrow = () => arguments.length + ":" + Array.prototype.join.call(arguments, ",");
  const nestedArrow = () => () => arguments[0];
  return [viaArrow("ignored", "too"), nestedArrow()()];
}
console.log("arguments captured:", outerArgs("a", "b", "c"));

function Ctor() {
  this.value = 5;
  this.getValue = () => this.value;
  this.target = (() => new.target === Ctor)();
}
const made = new Ctor();
const detached = made.getValue;
console.log("detached arrow keeps this:", detached(), "new.target seen:", made.target);

class Timer {
  constructor() {
    this.ticks = 0;
    this.tick = () => ++this.ticks;
  }
  run(times) {
    const arr = Array.from({ length: times }, () => this.tick());
    return arr;
  }
}
const t = new Timer();
console.log("ticks:", t.run(3), [1, 2].map(t.tick), t.ticks);

// arrows cannot be constructed and have no prototype
const arrowFn = () => {};
try {
  new arrowFn();
} catch (e) {
  console.log("new arrow:", e.constructor.name, e.message);
}
console.log("arrow prototype:", arrowFn.prototype, "hasOwn arguments:", Object.hasOwn(arrowFn, "arguments"));

// arrow in a default parameter sees earlier params
const withDefaultArrow = (a, f = () => a * 2) => f();
console.log("default arrow:", withDefaultArrow(21));

// immediately invoked arrows and arrows returning arrows returning objects
console.log(((x) => ({ doubled: x * 2, get: () => ({ x }) }))(4).get());

// sorting and reduce with concise arrows
const words = ["pear", "fig", "banana", "kiwi"];
console.log(words.slice().sort((a, b) => a.length - b.length || a.localeCompare(b)));
console.log(words.reduce((acc, w) => ({ ...acc, [w[0]]: (acc[w[0]] ?? 0) + w.length }), {}));

// this at module level of CommonJS is module.exports
const topThis = () => this === module.exports;
console.log("top-level arrow this is module.exports:", topThis());
