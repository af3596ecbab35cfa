// Proxies that log every trap, passed as arguments, held in locals and returned.
// The recorder must not trigger any trap: the log printed at the end must match plain Node.
const trapLog = [];
const traps = [
  "get", "set", "has", "deleteProperty", "ownKeys", "getOwnPropertyDescriptor", "defineProperty",
  "getPrototypeOf", "setPrototypeOf", "isExtensible", "preventExtensions", "apply", "construct",
];
function logged(name, target) {
  const handler = {};
  for (const trap of traps) {
    handler[trap] = (...args) => {
      const key = trap === "get" || trap === "set" || trap === "has" || trap === "getOwnPropertyDescriptor" || trap === "deleteProperty" || trap === "defineProperty" ? `(${String(args[1])})` : "";
      trapLog.push(`${name}.${trap}${key}`);
      return Reflect[trap](...args);
    };
  }
  return new Proxy(target, handler);
}

const objProxy = logged("obj", { a: 1, nested: { b: 2 }, list: [1, 2] });
const arrProxy = logged("arr", [10, 20, 30]);
const fnProxy = logged("fn", function target(x) {
  return x * 2;
});
class Point {
  constructor(x) {
    this.x = x;
  }
}
const classProxy = logged("cls", Point);
const revocable = Proxy.revocable({ r: 1 }, {
  get(t, k, r) {
    trapLog.push(`revocable.get(${String(k)})`);
    return Reflect.get(t, k, r);
  },
  ownKeys(t) {
    trapLog.push("revocable.ownKeys");
    return Reflect.ownKeys(t);
  },
});

function passThrough(p, q, r) {
  const local = p;
  let other = q;
  other = r;
  return local;
}

function useThem(o, a, f) {
  trapLog.push("-- useThem begins");
  const v = o.a;
  const has = "nested" in o;
  const len = a.length;
  const called = f(21);
  const made = new classProxy(3);
  trapLog.push("-- useThem ends");
  return { v, has, len, called, made: made.x };
}

trapLog.push("-- passing proxies around");
const back = passThrough(objProxy, arrProxy, fnProxy);
const again = passThrough(classProxy, revocable.proxy, back);
const held = [objProxy, arrProxy];
trapLog.push(`-- identity ${back === objProxy} ${again === classProxy}`);
const result = useThem(objProxy, arrProxy, fnProxy);
console.log(result);

trapLog.push("-- explicit reflection");
Object.keys(objProxy);
Object.getPrototypeOf(arrProxy);
Object.getOwnPropertyDescriptor(objProxy, "a");
delete objProxy.a;
objProxy.z = 26;
Object.isExtensible(objProxy);
console.log("revocable r:", revocable.proxy.r);
revocable.revoke();

function holdsRevoked(p) {
  const local = p;
  try {
    return local.r;
  } catch (e) {
    return e.constructor.name + ": " + e.message;
  }
}
console.log("revoked:", holdsRevoked(revocable.proxy));

// a proxy whose traps all throw: merely holding it must be harmless
const hostile = new Proxy({}, {
  get() { throw new Error("hostile get"); },
  ownKeys() { throw new Error("hostile ownKeys"); },
  getPrototypeOf() { throw new Error("hostile getPrototypeOf"); },
  getOwnPropertyDescriptor() { throw new Error("hostile gOPD"); },
  has() { throw new Error("hostile has"); },
});
function holdHostile(h) {
  const copy = h;
  return [typeof copy, copy === h];
}
console.log("hostile:", holdHostile(hostile), passThrough(hostile) === hostile);
console.log("arr via for-of:", [...arrProxy].join(","), "held:", held.length);
console.log(trapLog.join("\n"));
