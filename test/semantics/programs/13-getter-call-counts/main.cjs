// Accessors must only run when the program runs them: recording values of locals,
// arguments and return values must never call a getter. Counters are printed at the end.
const counts = {};
const hit = (name) => (counts[name] = (counts[name] ?? 0) + 1);

function watched(label) {
  const o = { plain: 1 };
  Object.defineProperty(o, "lazy", {
    get() {
      hit(`${label}.lazy`);
      return "lazy value";
    },
    enumerable: true,
    configurable: true,
  });
  Object.defineProperty(o, "hidden", {
    get() {
      hit(`${label}.hidden`);
      return 1;
    },
    enumerable: false,
  });
  Object.defineProperty(o, "throws", {
    get() {
      hit(`${label}.throws`);
      throw new Error("getter must not be called by the recorder");
    },
    enumerable: true,
  });
  return o;
}

class Lazy {
  #n = 0;
  get n() {
    hit("Lazy.n");
    return ++this.#n;
  }
  get self() {
    hit("Lazy.self");
    return this;
  }
  static get sv() {
    hit("Lazy.static");
    return "static";
  }
}

const literal = {
  get a() {
    hit("literal.a");
    return 1;
  },
  set a(v) {
    hit("literal.set a");
  },
  nested: {
    get deep() {
      hit("literal.nested.deep");
      return { get deeper() { hit("literal.nested.deep.deeper"); return 2; } };
    },
  },
};

function takesAndReturns(obj, other, arr) {
  const local = obj;
  const copy = other;
  let step = 0;
  step++;
  step++;
  return local;
}

const arrayWithGetter = [1, 2, 3];
Object.defineProperty(arrayWithGetter, 1, {
  get() {
    hit("array[1]");
    return "two";
  },
  enumerable: true,
});

const proto = {
  get inherited() {
    hit("proto.inherited");
    return "inh";
  },
};
const child = Object.create(proto, { own: { value: "own", enumerable: true } });

Object.defineProperty(globalThis, "globalGetter", {
  get() {
    hit("globalThis.globalGetter");
    return "g";
  },
  configurable: true,
});

function work() {
  const w = watched("w");
  const lz = new Lazy();
  const map = new Map([["k", w]]);
  const set = new Set([lz, literal]);
  const fnWithGetter = function () {};
  Object.defineProperty(fnWithGetter, "prop", { get: () => (hit("fn.prop"), 0), enumerable: true });
  let result = takesAndReturns(w, lz, arrayWithGetter);
  result = takesAndReturns(literal, child, [w, lz, literal]);
  for (let i = 0; i < 3; i++) {
    const again = takesAndReturns(map, set, fnWithGetter);
    result = again;
  }
  // program-initiated getter calls (these are the only ones expected)
  const observed = [w.lazy, lz.n, lz.n, literal.a, child.inherited, arrayWithGetter[1], Lazy.sv, globalGetter];
  literal.a = 5;
  return [observed, result === map];
}

// accessors on the CommonJS exports object (module, exports and require are locals of the wrapper)
Object.defineProperty(exports, "lazyExport", {
  get() {
    hit("exports.lazyExport");
    return 1;
  },
  enumerable: true,
});
module.exports.nestedExport = {
  get deep() {
    hit("exports.nestedExport.deep");
    return 2;
  },
};
takesAndReturns(module, exports, require);
console.log(work());
const lzTop = new Lazy();
const held = { lzTop, w: watched("top"), literal };
const sameRef = lzTop.self;
console.log(sameRef === lzTop, Object.keys(held));
console.log(JSON.stringify(Object.entries(counts).sort()));
