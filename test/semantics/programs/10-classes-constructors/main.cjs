// Classes: derived constructors, new.target, returning objects from constructors,
// class expressions, instanceof.
const log = [];
class Shape {
  constructor(name, sides) {
    log.push(`Shape ctor new.target=${new.target.name}`);
    this.name = name;
    this.sides = sides;
  }
  describe() {
    return `${this.name} with ${this.sides} sides`;
  }
  static create(...args) {
    return new this(...args);
  }
}

class Square extends Shape {
  constructor(size) {
    const label = `square-${size}`; // code before super that does not touch this
    log.push(`before super ${label}`);
    super(label, 4);
    this.size = size;
  }
  describe() {
    return super.describe() + ` (size ${this.size})`;
  }
}

class NoCtor extends Square {}

console.log(new Shape("tri", 3).describe(), new Square(2).describe(), new NoCtor(5).describe());
console.log(Square.create(7).describe(), NoCtor.create(1) instanceof Square);

// touching this before super throws ReferenceError
class Eager extends Shape {
  constructor() {
    try {
      this.x = 1;
    } catch (e) {
      log.push(`${e.constructor.name}: ${e.message}`);
    }
    super("eager", 0);
  }
}
new Eager();

// forgetting super throws at the end of the constructor
class Forgetful extends Shape {
  constructor() {}
}
try { new Forgetful(); } catch (e) { console.log("forgetful:", e.constructor.name, e.message); }

// constructors returning objects
class ReturnsObject {
  constructor() { this.ignored = true; return { replaced: true }; }
}
class ReturnsPrimitive {
  constructor() { this.kept = true; return 42; }
}
class DerivedReturnsObject extends Shape {
  constructor() { super("x", 1); return { custom: "derived replaced" }; }
}
class DerivedNoSuperReturnsObject extends Shape {
  constructor() { return { noSuper: true }; }
}
const ro = new ReturnsObject();
console.log(ro, ro instanceof ReturnsObject, new ReturnsPrimitive(), new DerivedReturnsObject(), new DerivedNoSuperReturnsObject());

// new.target in functions and classes
function Plain() {
  return { target: new.target === Plain ? "Plain" : String(new.target) };
}
console.log(new Plain(), Plain());
class Abstract {
  constructor() {
    if (new.target === Abstract) throw new TypeError("Abstract cannot be instantiated");
    this.concrete = new.target.name;
  }
}
class Concrete extends Abstract {}
try { new Abstract(); } catch (e) { console.log(e.message); }
console.log(new Concrete(), Reflect.construct(Abstract, [], Concrete) instanceof Concrete);

// calling a class without new throws
try { Shape("x", 1); } catch (e) { console.log("call without new:", e.constructor.name, e.message); }

// class expressions: anonymous, named (inner name visible only inside), extends expression
const Anon = class {
  who() {
    return "anon";
  }
};
const Named = class InnerName {
  who() {
    return typeof InnerName + ":" + InnerName.name;
  }
};
const mixin = (Base) =>
  class extends Base {
    mixed() {
      return "mixed " + this.describe();
    }
  };
const Mixed = mixin(Square);
console.log(new Anon().who(), new Named().who(), typeof InnerName, Mixed.name, new Mixed(3).mixed());

// instanceof with Symbol.hasInstance and prototype chains
class Even {
  static [Symbol.hasInstance](n) {
    return n % 2 === 0;
  }
}
const sq = new Square(1);
console.log(sq instanceof Square, sq instanceof Shape, sq instanceof Object, 4 instanceof Even, 3 instanceof Even);
console.log(Object.getPrototypeOf(Square) === Shape, Object.getPrototypeOf(Square.prototype) === Shape.prototype);
class NullBase extends null {
  constructor() {
    return Object.create(NullBase.prototype);
  }
}
console.log("extends null:", Object.getPrototypeOf(new NullBase()) === NullBase.prototype);
// unusual places for super(): an arrow, twice, a default parameter, branches, try/finally
class A {
  constructor(v) { this.v = v ?? "A default"; }
}
class ViaArrow extends A {
  constructor() {
    const callSuper = () => super("via arrow");
    callSuper();
    this.after = this.v;
  }
}
class Twice extends A {
  constructor() {
    super(1);
    try { super(2); } catch (e) { this.err = `${e.constructor.name}: ${e.message}`; }
  }
}
class InParam extends A {
  constructor(x = super("from param")) { this.sameAsThis = x === this; }
}
class Conditional extends A {
  constructor(flag) {
    if (flag) super("yes");
    else super("no");
  }
}
class InTry extends A {
  constructor() { try { super("in try"); } finally { this.fin = true; } }
}
class ReturnUndefined extends A {
  constructor() { super("ru"); return undefined; }
}
class EarlyReturnNoSuper extends A {
  constructor() { return; }
}
class ReturnPrimitiveDerived extends A {
  constructor() { super("p"); return 1; }
}
console.log(new ViaArrow(), new Twice(), new InParam(), new Conditional(true), new Conditional(false));
console.log(new InTry(), new ReturnUndefined());
for (const C of [EarlyReturnNoSuper, ReturnPrimitiveDerived]) {
  try { console.log(new C()); } catch (e) { console.log(`${C.name}:`, e.constructor.name, e.message); }
}
log.forEach((l) => console.log(l));
