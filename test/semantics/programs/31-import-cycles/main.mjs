// Import cycles. ESM: a.mjs <-> b.mjs; b's body runs first and calls a's hoisted function
// declarations before a's body (and its recorder prologue) has run, and reads a's live
// bindings. CJS: a.cjs <-> b.cjs; b sees a's partial exports.
import { order } from "./order.mjs";
import { isEven, isOdd, counter, bump, seenByB } from "./a.mjs";
import { createRequire } from "node:module";

order.push("main body");
console.log("evaluation order:", order.join(" -> "));
console.log("seen by b during its evaluation:", JSON.stringify(seenByB()));
console.log("mutual recursion:", isEven(10), isOdd(7), isEven(3));
console.log("live binding before bump:", counter);
bump();
bump();
console.log("live binding after bump:", counter);

const require = createRequire(import.meta.url);
const cjsA = require("./a.cjs");
console.log("cjs a complete:", JSON.stringify(cjsA.summary()));
const cjsB = require("./b.cjs");
console.log("cjs b saw partial a:", JSON.stringify(cjsB.sawAtLoad));
console.log("cjs b calls a later:", cjsB.callA());
