// CommonJS specifics the recorder's loader must preserve: the module wrapper's bindings
// (`this`, `arguments`, `require`, `module`, `exports`, `__filename`, `__dirname`), the require
// cache, `module.exports` replacement, `require.main` and top-level `return`.
const path = require("node:path");

console.log("this === module.exports:", this === module.exports, this === exports);
console.log("wrapper arguments:", arguments.length, arguments[0] === exports, arguments[1] === require, arguments[2] === module);
console.log("__filename:", path.basename(__filename), "__dirname:", path.basename(__dirname));
console.log("require.main === module:", require.main === module, "module.id:", module.id);
console.log("module.loaded while running:", module.loaded);

const counter1 = require("./counter.cjs");
const counter2 = require("./counter.cjs");
console.log("same object from cache:", counter1 === counter2, "evaluations:", counter1.evaluations());
counter1.increment();
console.log("shared state:", counter2.value());

const key = require.resolve("./counter.cjs");
console.log("resolved:", path.basename(key), "cached:", key in require.cache);
delete require.cache[key];
const counter3 = require("./counter.cjs");
console.log("after cache delete: new object:", counter3 !== counter1, "value:", counter3.value(), "evaluations:", counter3.evaluations());

const replaced = require("./replaced.cjs");
console.log("module.exports replaced:", typeof replaced, replaced.name, replaced(2), "lost export:", replaced.viaExports);
const augmented = require("./augmented.cjs");
console.log("exports augmented:", Object.keys(augmented).join(","), augmented.both());

const early = require("./early-return.cjs");
console.log("early return exports:", JSON.stringify(early));

const child = require("./child.cjs");
console.log("child sees main:", child.isMain, child.parentIsMain, path.basename(child.filename));
console.log("module.children:", module.children.map((m) => path.basename(m.filename)).join(","));

setImmediate(() => console.log("module.loaded later:", module.loaded));

if (require.main === module) {
  console.log("running as main; returning early from the module body");
  return;
}
console.log("never printed");
