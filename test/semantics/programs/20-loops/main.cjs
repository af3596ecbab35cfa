// Loops of every kind, per-iteration let bindings vs shared var, braceless bodies.
const out = [];
const emit = (s) => out.push(String(s));

for (let i = 0; i < 3; i++) emit(`for ${i}`);
for (var v = 0, w = 10; v < w; v += 4, w--) emit(`for var ${v},${w}`);
emit(`var after loop ${v}`);
for (;;) {
  emit("infinite for broken");
  break;
}

// for-in over own and inherited enumerable keys, integer-like keys first, shadowed keys once
const proto = { inherited: 1, shadowed: "proto" };
const obj = Object.create(proto);
obj.b = 1;
obj[2] = "two";
obj.a = 2;
obj[1] = "one";
obj.shadowed = "own";
Object.defineProperty(obj, "hidden", { value: 1, enumerable: false });
for (const k in obj) emit(`for-in ${k}${Object.hasOwn(obj, k) ? "" : " (inherited)"}`);
// deleting a not-yet-visited key during for-in skips it
const mutating = { x: 1, y: 2, z: 3 };
for (const k in mutating) {
  if (k === "x") delete mutating.z;
  emit(`mutating for-in ${k}`);
}
for (const i in ["p", "q"]) emit(`array for-in index ${typeof i} ${i}`);
for (var key in null) emit("never");
// for-in over the global object: the enumerable globals are those of plain Node
const globalKeys = [];
for (const g in globalThis) globalKeys.push(g);
emit(`globals ${globalKeys.join(",")}`);

// for-of over arrays, strings (code points), Maps, Sets, arguments, entries()
for (const ch of "a😀b") emit(`char ${ch} ${ch.length}`);
for (const [k, val] of new Map([["m1", 1], ["m2", 2]])) emit(`map ${k}=${val}`);
for (const s of new Set([3, 3, 4])) emit(`set ${s}`);
for (const [i, x] of ["e0", "e1"].entries()) emit(`entry ${i} ${x}`);
(function () {
  for (const a of arguments) emit(`arguments ${a}`);
})("arg1", "arg2");
// array growing during for-of is visited
const grow = [1, 2];
for (const g of grow) if (grow.length < 4) grow.push(g * 10);
emit(`grown ${grow}`);

// while and do-while, including braceless bodies and do-while running once
let n = 0;
while (n < 3) n++;
emit(`while n=${n}`);
do n--;
while (n > 0);
emit(`do-while n=${n}`);
let once = 0;
do {
  once++;
} while (false);
emit(`do-while once ${once}`);
let countdown = 3;
while (countdown--) if (countdown % 2) emit(`odd ${countdown}`);
else emit(`even ${countdown}`);

// closures: let creates a fresh binding per iteration, var shares one
const letFns = [];
for (let i = 0; i < 3; i++) letFns.push(() => i);
const varFns = [];
for (var j = 0; j < 3; j++) varFns.push(() => j);
const letMutated = [];
for (let i = 0; i < 3; i++) {
  letMutated.push(() => i);
  i++; // mutation inside the body is seen by that iteration's closure and copied to the next
}
const forOfFns = [];
for (const x of ["x", "y"]) forOfFns.push(() => x);
const forInFns = [];
for (const k in { k1: 1, k2: 2 }) forInFns.push(() => k);
emit(`let closures ${letFns.map((f) => f())}`);
emit(`var closures ${varFns.map((f) => f())}`);
emit(`let mutated ${letMutated.map((f) => f())}`);
emit(`for-of closures ${forOfFns.map((f) => f())} for-in closures ${forInFns.map((f) => f())}`);
// closure in the for-let initializer captures the first iteration's binding copy
const initFns = [];
for (let i = 0, f = () => i; i < 2; i++) initFns.push(f);
emit(`initializer closure ${initFns.map((f) => f())}`);

// if / else if / else chains without braces, nested dangling else
function grade(s) {
  if (s >= 90) return "A";
  else if (s >= 80) return "B";
  else if (s >= 70) return "C";
  else return "F";
}
function dangling(a, b) {
  let r = "none";
  if (a) if (b) r = "a and b";
  else r = "a not b";
  return r;
}
emit([95, 85, 75, 10].map(grade).join(""));
emit(`${dangling(true, true)} / ${dangling(true, false)} / ${dangling(false, true)}`);
let chain = "";
for (let i = 0; i < 6; i++) if (i % 3 === 0) chain += "x";
else if (i % 3 === 1) chain += "y";
else chain += "z";
emit(chain);

// loop bodies that are single expression statements with side effects and empty bodies
let k2 = 0;
for (; k2 < 5; k2++);
emit(`empty body k2=${k2}`);
let sum = 0;
for (const v2 of [1, 2, 3]) sum += v2;
emit(`sum ${sum}`);
// loops inside functions called repeatedly
function nestedLoops(size) {
  let cells = 0;
  for (let r = 0; r < size; r++) for (let c = 0; c <= r; c++) cells++;
  return cells;
}
emit(`nested ${[1, 2, 3, 4].map(nestedLoops)}`);
console.log(out.join("\n"));
