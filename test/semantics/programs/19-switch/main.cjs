// switch: fall-through, default in the middle, block-scoped lets per case, TDZ across cases.
function fallThrough(n) {
  const out = [];
  switch (n) {
    case 1:
      out.push("one");
    case 2:
      out.push("two");
    case 3: out.push("three"); break;
    case 4:
      out.push("four");
    default:
      out.push("default");
  }
  return out.join(">");
}
console.log([0, 1, 2, 3, 4].map(fallThrough));

function defaultInMiddle(x) {
  const out = [];
  switch (x) {
    case "a":
      out.push("a");
    default:
      out.push("default");
    case "b": out.push("b"); break;
    case "c":
      out.push("c");
  }
  return out.join(">");
}
console.log(["a", "b", "c", "zzz"].map(defaultInMiddle));

function blockScoped(k) {
  switch (k) {
    case 1: {
      let x = "case 1 x";
      const f = () => x;
      x += "!";
      return f();
    }
    case 2: {
      let x = "case 2 x";
      return x;
    }
    default: {
      const x = "default x";
      return x;
    }
  }
}
console.log(blockScoped(1), blockScoped(2), blockScoped(3));

// a let declared in one case and used in a later one: fine when falling through,
// a TDZ ReferenceError when jumping directly to the later case
function sharedLet(k) {
  try {
    switch (k) {
      case "declare":
        let shared = "initialised in first case";
      case "use": return `use sees: ${shared}`;
      case "assign":
        shared = "assigned";
        return shared;
    }
  } catch (e) {
    return `${e.constructor.name}: ${e.message}`;
  }
}
console.log(sharedLet("declare"));
console.log(sharedLet("use"));
console.log(sharedLet("assign"));

// lines of a later case that do not touch the shared let still run before the TDZ error
function jumpPastLet(k) {
  const out = [];
  try {
    switch (k) {
      case 0:
        let s = 1;
        out.push("declared");
      case 1:
        out.push("line not touching s");
        out.push(typeof k);
        s = 5;
        out.push("assigned " + s);
    }
  } catch (e) {
    out.push(e.message);
  }
  return out;
}
console.log(jumpPastLet(0), jumpPastLet(1));

// case expressions are evaluated lazily, in order, with strict equality
const evaluated = [];
const tag = (v) => (evaluated.push(v), v);
function lazyCases(v) {
  evaluated.length = 0;
  switch (v) {
    case tag(1): return `one, evaluated ${evaluated}`;
    case tag("2"): return `string two, evaluated ${evaluated}`;
    case tag(2): return `number two, evaluated ${evaluated}`;
    default: return `default, evaluated ${evaluated}`;
  }
}
console.log(lazyCases(2), "|", lazyCases(1), "|", lazyCases(NaN));

// switch(true) pattern, nested switches, continue inside switch inside loop
function classify(n) {
  switch (true) {
    case n < 0: return "negative";
    case n === 0: return "zero";
    case n % 2 === 0:
      switch (n) {
        case 2: return "two";
        default: return "even";
      }
    default: return "odd";
  }
}
console.log([-5, 0, 2, 8, 7].map(classify));
function loopSwitch() {
  const out = [];
  for (let i = 0; i < 5; i++) {
    switch (i) {
      case 1:
        continue;
      case 3: out.push("three"); break;
      default:
        out.push(i);
    }
    out.push(";");
  }
  return out.join("");
}
console.log(loopSwitch());

// functions declared inside a case (sloppy) and switch on objects
function fnInCase(k) {
  switch (k) {
    case 0:
      function helper() {
        return "helper from case";
      }
      return helper();
    default: return typeof helper;
  }
}
console.log(fnInCase(0), fnInCase(1));
const A = {};
function byIdentity(o) {
  switch (o) {
    case A: return "A";
    case null: return "null";
    case undefined: return "undefined";
    default: return "other";
  }
}
console.log(byIdentity(A), byIdentity({}), byIdentity(null), byIdentity());
// empty switch and switch with only default
switch (1) {
}
switch ("x") {
  default:
    console.log("only default");
}
