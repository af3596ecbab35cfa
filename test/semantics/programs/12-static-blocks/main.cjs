// Static blocks and static fields referring to the class.
const events = [];
let outerVar = "outer";

class Config {
  static defaults = { retries: 3 };
  static #secret = "s3cr3t";
  static #initialized = false;
  static instances = [];

  static {
    events.push(`block 1: this === Config ${this === Config}, name ${this.name}`);
    this.derived = { ...this.defaults, retries: this.defaults.retries * 2 };
    Config.#initialized = true;
    var blockVar = "block-local var";
    events.push(`block 1 var: ${blockVar}, outerVar: ${outerVar}`);
  }

  static self = Config;
  static selfViaThis = this;
  static selfName = this.name + "!";
  static counter = Config.instances.length;

  static {
    events.push(`block 2 sees self: ${this.self === this}, initialized: ${this.#initialized}`);
    try {
      this.#mustNotExist();
    } catch (e) {
      events.push(`block 2 caught: ${e.constructor.name}`);
    }
    outerVar = "changed by static block";
    Config.reveal = () => Config.#secret.toUpperCase();
  }

  static #mustNotExist() {
    throw new Error("static private method throws");
  }

  static create() {
    const c = new Config();
    this.instances.push(c);
    return c;
  }

  static {
    events.push("block 3: creating an instance inside a static block");
    this.first = this.create();
    events.push(`block 3: instances ${this.instances.length}`);
  }
}

console.log(events.join("\n"));
console.log(Config.derived, Config.self === Config, Config.selfViaThis === Config, Config.selfName, Config.counter);
console.log(Config.reveal(), outerVar, Config.first instanceof Config, typeof blockVar);

// static blocks in derived classes and class expressions; this = the derived class
class Base {
  static registry = [];
  static register(name) {
    this.registry.push(`${this.name}:${name}`);
  }
  static {
    this.register("base");
  }
}
class Child extends Base {
  static {
    this.register("child");
    events.length = 0;
    events.push(`Child block: super.register same: ${super.register === Base.register}`);
  }
}
console.log(Base.registry, Object.hasOwn(Child, "registry"), events);

const Made = class Named {
  static tag = Named.name + "-tag";
  static {
    Named.seen = this === Named;
  }
};
console.log(Made.tag, Made.seen);

// errors in static blocks abort the class definition
try {
  class Broken {
    static before = "set";
    static {
      throw new Error("static block failure");
    }
  }
} catch (e) {
  console.log("class definition failed:", e.message);
}

// static field arrow functions capture the class as this
class Counter {
  static count = 0;
  static increment = () => ++this.count;
  static #step = 5;
  static big = () => (this.count += Counter.#step);
}
const { increment, big } = Counter;
increment();
increment();
console.log(Counter.count, big(), Counter.increment.name, Counter.big.name);
