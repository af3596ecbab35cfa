// Methods, getters/setters, computed keys, super in object methods, __proto__ literals.
const log = [];
const base = {
  greet(name) {
    return `base hello ${name}`;
  },
  get kind() {
    log.push("base.kind");
    return "base";
  },
  describe() {
    return `describe(${this.kind})`;
  },
};

const key = "dyn";
let keyEvaluations = 0;
const keyOf = (k) => (keyEvaluations++, k);
const derived = {
  __proto__: base,
  greet(name) {
    return super.greet(name) + " / derived";
  },
  get kind() {
    log.push("derived.kind");
    return "derived<" + super.kind + ">";
  },
  _v: 1,
  get value() {
    log.push("get value");
    return this._v;
  },
  set value(v) {
    log.push(`set value ${v}`);
    this._v = v * 2;
  },
  [key + "Method"]() {
    return "computed " + key;
  },
  [keyOf("counted")]: 1,
  [`tpl${1 + 1}`]: () => "template key",
  ["__proto__"]: "computed __proto__ is an own property",
  async asyncMethod() {
    return "async";
  },
  *gen() {
    yield 1;
    yield 2;
  },
};

console.log(Object.getPrototypeOf(derived) === base, Object.hasOwn(derived, "__proto__"));
console.log(derived.greet("you"));
console.log(derived.kind);
console.log(derived.describe());
derived.value = 5;
console.log(derived.value, derived.dynMethod(), derived.counted, derived.tpl2(), keyEvaluations);
console.log([...derived.gen()], Object.keys(derived));
derived.asyncMethod().then((v) => console.log("async method:", v, "log:", log.join(", ")));

// shorthand properties vs methods: methods are not constructors
const shorthand = { m() {}, f: function () {} };
try {
  new shorthand.m();
} catch (e) {
  console.log("new method:", e.constructor.name);
}
console.log("new function property ok:", typeof new shorthand.f());

// super in a method copied to another object still refers to the original home object
const other = { __proto__: { greet: () => "other proto" }, greet: derived.greet };
console.log("home object kept:", other.greet("x"));

// classes: getters/setters, static accessors, computed and symbol keys
const sym = Symbol("secret");
class Temperature {
  static #instances = 0;
  constructor(c) {
    this._c = c;
    Temperature.#instances++;
  }
  get fahrenheit() {
    return this._c * 1.8 + 32;
  }
  set fahrenheit(f) {
    this._c = (f - 32) / 1.8;
  }
  static get instances() {
    return Temperature.#instances;
  }
  [sym]() {
    return "symbol method";
  }
  ["to" + "String"]() {
    return `${this._c.toFixed(1)}C`;
  }
}
class Derived extends Temperature {
  get fahrenheit() {
    return "~" + super.fahrenheit;
  }
  set fahrenheit(f) {
    super.fahrenheit = f + 1;
  }
}
const t = new Temperature(100);
t.fahrenheit = 50;
const d = new Derived(0);
d.fahrenheit = 31;
console.log(t.fahrenheit, `${t}`, d.fahrenheit, String(d), t[sym](), Temperature.instances);
console.log(Object.getOwnPropertyNames(Temperature.prototype));
// getter defined only on the prototype, setter missing -> assignment ignored in sloppy mode
const onlyGetter = {
  get g() {
    return "g";
  },
};
onlyGetter.g = "ignored";
console.log("only getter:", onlyGetter.g);

// "constructor" as a string key is the constructor, as a computed key an ordinary method
// (which replaces prototype.constructor), and as a static member an ordinary static method
class StringKeyCtor {
  "constructor"(x) {
    this.x = x;
  }
}
class ComputedCtor {
  ["constructor"](x) {
    return "computed method " + x;
  }
}
class StaticCtor {
  static constructor() {
    return "static method named constructor";
  }
}
class FieldsAndStringCtor {
  f = 1;
  "constructor"() {
    this.g = this.f + 1;
  }
}
const cc = new ComputedCtor(2);
console.log(new StringKeyCtor(1), cc, cc.constructor === ComputedCtor, cc.constructor(3), StaticCtor.constructor(), new FieldsAndStringCtor());
