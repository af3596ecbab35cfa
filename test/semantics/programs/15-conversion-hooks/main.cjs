// toJSON, valueOf, toString, Symbol.toPrimitive, Symbol.iterator and Symbol.toStringTag
// on objects held in locals: each hook counts its calls; the recorder must not add any.
const counts = {};
const hit = (k) => (counts[k] = (counts[k] ?? 0) + 1);

function makeMoney(amount) {
  return {
    amount,
    valueOf() {
      hit("money.valueOf");
      return this.amount;
    },
    toString() {
      hit("money.toString");
      return `$${this.amount}`;
    },
    toJSON() {
      hit("money.toJSON");
      return { usd: this.amount };
    },
  };
}

const prim = {
  [Symbol.toPrimitive](hint) {
    hit(`toPrimitive:${hint}`);
    return hint === "number" ? 7 : hint === "string" ? "seven" : "default-7";
  },
};

const iterable = {
  get [Symbol.iterator]() {
    hit("get Symbol.iterator");
    return function* () {
      hit("iterate");
      yield 1;
      yield 2;
    };
  },
};

const tagged = {
  get [Symbol.toStringTag]() {
    hit("get toStringTag");
    return "Tagged";
  },
};

class Temperature {
  constructor(c) {
    this.c = c;
  }
  get [Symbol.toStringTag]() {
    hit("Temperature toStringTag");
    return "Temp";
  }
  [Symbol.toPrimitive](hint) {
    hit(`Temperature toPrimitive:${hint}`);
    return hint === "string" ? `${this.c}C` : this.c;
  }
  toJSON(key) {
    hit(`Temperature toJSON key=${JSON.stringify(key)}`);
    return `${this.c} celsius`;
  }
}

const hostileToString = {
  toString() {
    hit("hostile.toString");
    throw new Error("toString must not be called by the recorder");
  },
  valueOf() {
    hit("hostile.valueOf");
    throw new Error("valueOf must not be called by the recorder");
  },
  [Symbol.toPrimitive]: undefined,
};

function keepLocals(a, b, c, d, e) {
  const x = a;
  const y = b;
  let z = c;
  z = d;
  const w = e;
  return [x, y, z, w].length;
}

function exercise() {
  const m = makeMoney(5);
  const t = new Temperature(21);
  keepLocals(m, prim, iterable, tagged, t);
  keepLocals(hostileToString, t, m);
  const results = [];
  results.push(m + 1, `${m}`, String(m), m * 2, JSON.stringify({ m }), m > 4);
  results.push(+prim, `${prim}`, prim + "", prim == "default-7");
  results.push([...iterable].join(","), Array.from(iterable).length);
  results.push(Object.prototype.toString.call(tagged), String(tagged));
  results.push(`${t}`, t * 2, JSON.stringify([t]), Object.prototype.toString.call(t));
  const { 0: first } = [...iterable];
  results.push(first);
  return results;
}

console.log(exercise());
const held = makeMoney(9);
const heldTemp = new Temperature(-3);
const bag = { held, heldTemp, prim, iterable, tagged, hostileToString };
keepLocals(bag, held, heldTemp, [held, heldTemp], new Map([[held, heldTemp]]));
try {
  `${hostileToString}`;
} catch (e) {
  console.log("hostile:", e.message);
}
console.log(JSON.stringify(bag, ["held", "usd"]));
console.log(Object.entries(counts).sort().map(([k, v]) => `${k}=${v}`).join("\n"));
