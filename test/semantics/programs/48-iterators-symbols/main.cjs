// Hand-written iterator protocol objects (next/return/throw), spread, Array.from, destructuring
// (which closes the iterator early), for...of with break/throw, well-known symbols
// (Symbol.iterator, toPrimitive, toStringTag, hasInstance, species, isConcatSpreadable) and
// registered/unique symbols. Every protocol call is logged.
const log = [];

function countdown(from, label = "cd") {
  let current = from;
  return {
    [Symbol.iterator]() {
      log.push(`${label}: [Symbol.iterator]()`);
      return this;
    },
    next(arg) {
      log.push(`${label}: next(${arg === undefined ? "" : arg}) -> ${current > 0 ? current : "done"}`);
      return current > 0 ? { value: current--, done: false } : { value: "end", done: true };
    },
    return(value) {
      log.push(`${label}: return(${value === undefined ? "" : value}) at ${current}`);
      return { value, done: true };
    },
  };
}

function flush(title) {
  console.log(`${title}: ${log.join("; ")}`);
  log.length = 0;
}

console.log("spread:", [...countdown(3)]);
flush("spread log");
const [a, b] = countdown(5, "destructure");
console.log("destructured:", a, b);
flush("destructuring closes early");
const [first, ...rest] = countdown(3, "rest");
console.log("rest:", first, rest);
flush("rest exhausts (no return)");
const [x, , z] = countdown(4, "holes");
console.log("holes:", x, z);
flush("holes");

for (const n of countdown(5, "break")) {
  if (n === 3) break;
}
flush("for-of break");
try {
  for (const n of countdown(2, "throw")) {
    throw new Error(`stop at ${n}`);
  }
} catch (e) {
  log.push(`caught ${e.message}`);
}
flush("for-of throw");

function* gen() {
  try {
    yield 1;
    yield 2;
  } finally {
    log.push("gen finally");
  }
}
const [g1] = gen();
log.push(`got ${g1}`);
flush("generator destructuring");

console.log("Array.from with map:", Array.from(countdown(2, "from"), (v, i) => v * 10 + i));
flush("Array.from");
console.log("Map from entries iterator:", [...new Map([...countdown(2, "map")].map((v) => [v, v * v]))].join("|"));
flush("Map");

const money = {
  amount: 42,
  [Symbol.toPrimitive](hint) {
    log.push(`toPrimitive(${hint})`);
    return hint === "number" ? this.amount : `$${this.amount}`;
  },
  get [Symbol.toStringTag]() {
    return "Money";
  },
};
console.log("toPrimitive:", +money, `${money}`, money + 1, Object.prototype.toString.call(money));
flush("conversions");

class Even {
  static [Symbol.hasInstance](n) {
    return Number.isInteger(n) && n % 2 === 0;
  }
}
console.log("hasInstance:", 4 instanceof Even, 3 instanceof Even);

class MyArray extends Array {
  static get [Symbol.species]() {
    return Array;
  }
}
const mine = MyArray.from([1, 2, 3]);
console.log("species:", mine instanceof MyArray, mine.map((v) => v) instanceof MyArray, mine.filter(Boolean).constructor.name);
const spreadable = { length: 2, 0: "s0", 1: "s1", [Symbol.isConcatSpreadable]: true };
console.log("isConcatSpreadable:", ["a"].concat(spreadable));

const unique = Symbol("unique");
const registered = Symbol.for("app.key");
const obj = { [unique]: 1, [registered]: 2, plain: 3 };
console.log("symbols:", unique.toString(), unique.description, Symbol.keyFor(registered), Symbol.keyFor(unique), registered === Symbol.for("app.key"));
console.log("own keys:", Reflect.ownKeys(obj).map(String).join(","), "| JSON:", JSON.stringify(obj), "| keys:", Object.keys(obj).join(","));

const iterResult = countdown(1, "manual")[Symbol.iterator]();
console.log("manual protocol:", JSON.stringify(iterResult.next()), JSON.stringify(iterResult.next()), JSON.stringify(iterResult.return("bye")));
flush("manual");
const arrayIter = [10, 20][Symbol.iterator]();
console.log("array iterator:", Object.prototype.toString.call(arrayIter), typeof arrayIter.return, arrayIter.next().value);
