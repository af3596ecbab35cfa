// Class fields, arrow fields, field order, derived-class field timing, private members.
const order = [];
const note = (s, v) => (order.push(s), v);

class Base {
  baseField = note("Base.baseField", "b");
  constructor() {
    note("Base constructor body");
    this.seenInBase = this.describe();
  }
  describe() {
    return `describe sees derivedField=${this.derivedField}`;
  }
}

class Widget extends Base {
  first = note("Widget.first", 1);
  second = note("Widget.second", this.first + 1);
  fromMethod = this.compute();
  handler = () => this.second * 100;
  named = function () {
    return this === undefined ? "plain fn this undefined" : "plain fn has this";
  };
  derivedField = "derived";
  ["computed" + "Field"] = note("Widget.computedField", "c");
  noInit;
  static staticField = note("Widget.staticField (class definition time)", "s");

  constructor(tag) {
    note(`Widget constructor before super ${tag}`);
    super();
    note(`Widget constructor after super, first=${this.first}`);
  }
  compute() {
    note("Widget.compute");
    return this.second * 10;
  }
}
note("class defined");
const w = new Widget("w1");
const { handler } = w;
console.log(handler(), w.fromMethod, w.seenInBase, "noInit" in w, w.noInit, w.computedField);
console.log("arrow field name:", JSON.stringify(w.handler.name), "function field name:", JSON.stringify(w.named.name));
console.log(Object.keys(w));
console.log(order.join("\n"));

// private fields, methods, accessors, statics and #x in obj
class Account {
  #balance = 0;
  #history = [];
  static #count = 0;
  static #registry = new Map();

  constructor(owner, initial) {
    this.owner = owner;
    this.#deposit(initial);
    Account.#count++;
    Account.#registry.set(owner, this);
  }
  #deposit(amount) {
    if (amount <= 0) throw new RangeError("positive amounts only");
    this.#balance += amount;
    this.#history.push(`+${amount}`);
  }
  get #summary() {
    return `${this.owner}: ${this.#balance} [${this.#history.join(" ")}]`;
  }
  set #limit(v) {
    this.#history.push(`limit ${v}`);
  }
  deposit(amount) {
    this.#deposit(amount);
    return this;
  }
  withLimit(v) {
    this.#limit = v;
    return this;
  }
  transferTo(other, amount) {
    if (!(#balance in other)) return "not an account";
    this.#balance -= amount;
    other.#balance += amount;
    this.#history.push(`-${amount}`);
    other.#history.push(`+${amount}`);
    return "ok";
  }
  static isAccount(o) {
    return #balance in o;
  }
  static get count() {
    return Account.#count;
  }
  static #find(owner) {
    return Account.#registry.get(owner);
  }
  static summaryOf(owner) {
    return Account.#find(owner)?.#summary ?? "none";
  }
  toString() {
    return this.#summary;
  }
}
const a = new Account("ann", 10).deposit(5).withLimit(99);
const b = new Account("bob", 1);
console.log(a.transferTo(b, 3), a.transferTo({}, 1), String(a), String(b));
console.log(Account.isAccount(a), Account.isAccount({}), Account.count, Account.summaryOf("bob"), Account.summaryOf("zed"));
try {
  a.deposit(-1);
} catch (e) {
  console.log(e.constructor.name, e.message);
}
try {
  Account.prototype.toString.call({});
} catch (e) {
  console.log("foreign receiver:", e.constructor.name);
}
console.log(Object.keys(a), JSON.stringify(a));

// private names are per class evaluation
const makeCounter = () =>
  class {
    #n = 0;
    inc() {
      return ++this.#n;
    }
    static same(x) {
      return #n in x;
    }
  };
const C1 = makeCounter();
const C2 = makeCounter();
const c1 = new C1();
c1.inc();
console.log(c1.inc(), C1.same(c1), C2.same(c1));
