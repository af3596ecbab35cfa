// Sloppy-mode `with`: identifiers resolve through the object first. The recorder must not
// turn a `with` body's reads and writes into reads/writes of outer locals (or vice versa),
// and must not add lookups that a Proxy used as the scope object would observe.

var x = "outer x";
var y = "outer y";
const scope = { x: "scope x", count: 0 };

function readWrite() {
  with (scope) {
    console.log("read x:", x, "read y:", y);
    x = "written through with";
    y = "outer y written";
    count += 1;
    var declared = "var in with";
  }
  return [scope.x, y, scope.count, declared, typeof scope.declared];
}
console.log(readWrite());

function defineInside() {
  const obj = { greeting: "hello", name: "with" };
  let fn;
  with (obj) {
    fn = function inWith(suffix) {
      return greeting + " " + name + suffix;
    };
  }
  obj.greeting = "bye";
  return fn;
}
const inWith = defineInside();
console.log(inWith("!"), inWith.name, inWith.length);

function returnInside(o) {
  with (o) {
    if (flag) return "returned " + value;
    value = value * 2;
  }
  return "fell through " + o.value;
}
console.log(returnInside({ flag: true, value: 1 }));
console.log(returnInside({ flag: false, value: 21 }));

function nestedWith() {
  const a = { p: 1, shared: "a" };
  const b = { q: 2, shared: "b" };
  with (a) {
    with (b) {
      return [p, q, shared].join(",");
    }
  }
}
console.log("nested:", nestedWith());

function unscopables() {
  const arr = [3, 1, 2];
  const keys = "local keys";
  with (arr) {
    return [typeof push, keys, length];
  }
}
console.log("unscopables:", unscopables());

// A Proxy as the scope object: every `has` and `get` is logged. The log must be the same
// with and without the recorder.
const log = [];
const target = { a: 1, b: 2, fn() { return this === proxy ? "this is proxy" : "this is other"; } };
const proxy = new Proxy(target, {
  has(t, key) {
    if (typeof key === "string") log.push("has " + key);
    return key in t;
  },
  get(t, key, receiver) {
    if (typeof key === "string") log.push("get " + key);
    return Reflect.get(t, key, receiver);
  },
  set(t, key, value, receiver) {
    log.push("set " + String(key) + "=" + value);
    return Reflect.set(t, key, value, receiver);
  },
});

function viaProxy() {
  let local = 10;
  with (proxy) {
    local = a + b;
    b = local * 2;
    var r = fn();
    missing = typeof notThere;
  }
  return [local, r];
}
console.log("proxy result:", viaProxy());
console.log("trap log:", log.join(" | "));
console.log("leaked global:", typeof globalThis.missing === "string" ? globalThis.missing : "none");
console.log("target:", JSON.stringify(target));
