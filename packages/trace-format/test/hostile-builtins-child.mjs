// Child process of hostile-builtins.test.ts: loads the built trace writers (dist/), then patches
// the built-ins as a recorded program may (test262 does all of these), then writes trace folders
// through the public API, as the recorder does while the program runs and at its exit.
//
//   node hostile-builtins-child.mjs <dist/index.js> <out dir>
//
// Prints one JSON line: the events written per folder, and how often a patched built-in ran.
import * as fs from "node:fs";
import { createRequire, syncBuiltinESMExports } from "node:module";
import * as path from "node:path";

const require = createRequire(import.meta.url);

const [distIndex, outDir] = process.argv.slice(2);
const tf = await import(distIndex);

// What the recorder has before the program runs: the writers and their sinks.
const folders = { bin: path.join(outDir, "bin"), json: path.join(outDir, "json"), offload: path.join(outDir, "offload") };
for (const dir of Object.values(folders)) fs.mkdirSync(dir, { recursive: true });
const bin = new tf.TraceBinWriter(tf.openBinaryFileSink(path.join(folders.bin, tf.TRACE_BIN_FILE)), { frameBytes: 512 });
const json = new tf.TraceJsonWriter(tf.openFileSink(path.join(folders.json, tf.TRACE_JSON_FILE)), { chunkEvents: 7 });
const codec = tf.zstdCodec();
const offload = new tf.ZstdOffload({ slotBytes: 4096, codec, startAfterBytes: 600, waitMs: 5000 });
const viaWorker = new tf.TraceBinWriter(tf.openBinaryFileSink(path.join(folders.offload, tf.TRACE_BIN_FILE)), { frameBytes: 512, zstd: codec, offload });
const writers = [bin, json, viaWorker];
const stringify = JSON.stringify;

// ------------------------------------------------------------------ the events (built before the patches: this is the test's code)
const events = [];
const put = (kind, ...args) => events.push([kind, args]);
put("write", { Path: "/tmp/program/main.js" });
put("write", { Path: "/tmp/program/\u00e9t\u00e9 \u{1f600}.js" });
put("write", { Function: { path_id: 0, line: 1, name: "<toplevel>" } });
put("write", { Function: { path_id: 1, line: 2, name: "f" } });
put("write", { Type: { kind: 7, lang_type: "Number", specific_info: { kind: "None" } } });
put("write", { Type: { kind: 9, lang_type: "String", specific_info: { kind: "None" } } });
put("write", {
  Type: {
    kind: 6,
    lang_type: "Object",
    specific_info: {
      kind: "Struct",
      fields: [
        { name: "x", type_id: 0 },
        { name: "y", type_id: 1 },
      ],
    },
  },
});
put("write", { Type: { kind: 0, lang_type: "Array", specific_info: { kind: "None" } } });
put("write", { VariableName: "a" });
put("write", { VariableName: "b" });
put("writeCall", 0, []);
const long = "a long string, longer than forty-eight UTF-16 units: \u00e9\u00e8\u00ea\u00eb \u{1f600} and more";
const shape = {
  kind: "Struct",
  field_values: [
    { kind: "Int", i: 1, type_id: 0 },
    { kind: "String", text: "\ud800 lone", type_id: 1 },
  ],
  type_id: 2,
};
for (let i = 0; i < 60; i++) {
  put("writeStep", i % 2, 3 + (i % 10));
  put("writeValue", 0, { kind: "Int", i: i * 1000 - 7, type_id: 0 });
  put("writeValue", 1, { kind: "String", text: i % 3 === 0 ? long : `s${i} \u00e9`, type_id: 1 });
  put("writeValue", 1, { kind: "Float", f: i + 0.5, type_id: 0 });
  put("writeValue", 0, shape); // the same compound record again: copied from the buffer
  put("writeValue", 0, {
    kind: "Sequence",
    elements: [
      { kind: "Bool", b: true, type_id: 0 },
      { kind: "None", type_id: 0 },
    ],
    is_slice: false,
    type_id: 3,
  });
  put("writeCall", 1, [
    { variable_id: 0, value: { kind: "Int", i, type_id: 0 } },
    { variable_id: 1, value: { kind: "Raw", r: "raw \udc00", type_id: 1 } },
  ]);
  put("writeStep", 1, 2);
  put("writeReturn", { kind: "Error", msg: "thrown", type_id: 1 });
  put("write", { Value: { variable_id: 0, value: { kind: "Int", i: 2n ** 62n, type_id: 0 } } });
  put("write", { Event: { kind: 0, metadata: "", content: `log ${i}` } });
  put("write", "DropLastStep");
}
put("writeReturn", { kind: "None", type_id: 0 });

const paths = ["/tmp/program/main.js", "/tmp/program/\u00e9t\u00e9 \u{1f600}.js"];
const metadata = { workdir: "/tmp/program", program: "/tmp/program/main.js", args: ["--x", "y"], recorder: { name: "test" } };
const dirs = Object.values(folders);

// Folders whose recording was killed (the repair finishes them while patched, as `repairTrace`
// does in a recording process for a dead worker or child process): the events written and
// flushed, then a torn last frame or event, no seek table, no closing `]`.
const unfinished = { bin: path.join(outDir, "unfinished-bin"), json: path.join(outDir, "unfinished-json") };
{
  const ub = new tf.TraceBinWriter(tf.openBinaryFileSink(path.join(unfinished.bin, tf.TRACE_BIN_FILE)), { frameBytes: 512 });
  const uj = new tf.TraceJsonWriter(tf.openFileSink(path.join(unfinished.json, tf.TRACE_JSON_FILE)), { chunkEvents: 7 });
  for (const w of [ub, uj]) {
    for (const [kind, args] of events) w[kind](...args);
    w.flush();
  }
  const frame = fs.readFileSync(path.join(unfinished.bin, tf.TRACE_BIN_FILE)).subarray(8, 40); // the start of the first frame: a torn one
  fs.appendFileSync(path.join(unfinished.bin, tf.TRACE_BIN_FILE), frame);
  fs.appendFileSync(path.join(unfinished.json, tf.TRACE_JSON_FILE), ',\n{"Step":{"path_id":0,"li');
}
const unfinishedDirs = Object.values(unfinished);
const writeSync = fs.writeSync;
const apply = Reflect.apply;

// ------------------------------------------------------------------ the program's patches
let ran = 0;
const hit = () => {
  ran++;
};
const boom = (name) =>
  function () {
    ran++;
    throw new Error(`the program's ${name} ran`);
  };
Object.defineProperty(Object.prototype, "0", {
  get() {
    ran++;
    return "program's 0";
  },
  configurable: true,
});
Object.defineProperty(Object.prototype, "1", {
  get() {
    ran++;
    return "program's 1";
  },
  configurable: true,
});
Object.defineProperty(Array.prototype, "0", { set: hit, configurable: true }); // swallows the store
Object.defineProperty(Array.prototype, "2", {
  set: hit,
  get() {
    ran++;
    return undefined;
  },
  configurable: true,
});
for (const name of ["type_id", "kind", "path_id", "f"]) Object.defineProperty(Object.prototype, name, { set: hit, configurable: true });
Array.prototype.push = boom("Array.prototype.push");
Array.prototype.join = boom("Array.prototype.join");
Array.prototype.slice = boom("Array.prototype.slice");
Array.prototype.every = boom("Array.prototype.every");
Array.prototype.reduce = boom("Array.prototype.reduce");
Array.prototype.shift = boom("Array.prototype.shift");
Array.from = boom("Array.from");
Array.isArray = boom("Array.isArray");
Object.defineProperty(Array, Symbol.species, { get: boom("Array[Symbol.species]"), configurable: true });
String.prototype.charCodeAt = boom("String.prototype.charCodeAt");
String.prototype.slice = boom("String.prototype.slice");
String.prototype.indexOf = boom("String.prototype.indexOf");
String.prototype.replace = boom("String.prototype.replace");
String.prototype.includes = boom("String.prototype.includes");
String.prototype.isWellFormed = boom("String.prototype.isWellFormed");
String.prototype.toWellFormed = boom("String.prototype.toWellFormed");
RegExp.prototype.exec = boom("RegExp.prototype.exec");
RegExp.prototype.test = boom("RegExp.prototype.test");
JSON.stringify = boom("JSON.stringify");
Math.floor = boom("Math.floor");
Math.max = boom("Math.max");
Math.min = boom("Math.min");
Map.prototype.set = boom("Map.prototype.set");
Map.prototype.get = boom("Map.prototype.get");
Set.prototype.has = boom("Set.prototype.has");
Object.keys = boom("Object.keys");
Object.prototype.hasOwnProperty = boom("Object.prototype.hasOwnProperty");
Number.isSafeInteger = boom("Number.isSafeInteger");
Number.isInteger = boom("Number.isInteger");
Date.now = boom("Date.now");
const TypedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype);
for (const name of ["set", "subarray", "slice", "copyWithin", "fill"]) TypedArrayPrototype[name] = boom(`%TypedArray%.prototype.${name}`);
// (test262's TypedArray tests redefine `length` to check that the built-ins use the internal one)
for (const name of ["length", "buffer", "byteOffset"])
  Object.defineProperty(TypedArrayPrototype, name, { get: boom(`%TypedArray%.prototype.${name}`), configurable: true });
Object.defineProperty(Uint8Array.prototype, "constructor", { get: boom("Uint8Array.prototype.constructor"), configurable: true });
Object.defineProperty(Uint8Array, Symbol.species, { get: boom("Uint8Array[Symbol.species]"), configurable: true });
for (const name of ["setUint8", "setUint16", "setUint32", "setFloat64", "setBigUint64"]) DataView.prototype[name] = boom(`DataView.prototype.${name}`);
TextEncoder.prototype.encode = boom("TextEncoder.prototype.encode");
TextEncoder.prototype.encodeInto = boom("TextEncoder.prototype.encodeInto");
globalThis.Uint8Array = boom("Uint8Array");
globalThis.DataView = boom("DataView");
globalThis.String = boom("String");
globalThis.Number = boom("Number");
Buffer.from = boom("Buffer.from");
// Node's module objects (what `require` gives; `syncBuiltinESMExports` makes `import * as fs` see them too)
const fsModule = require("node:fs");
const pathModule = require("node:path");
for (const name of ["writeSync", "openSync", "closeSync", "mkdirSync", "renameSync", "writeFileSync", "rmSync", "unlinkSync"])
  fsModule[name] = boom(`fs.${name}`);
for (const name of ["join", "dirname"]) pathModule[name] = boom(`path.${name}`);
syncBuiltinESMExports();
delete Array.prototype[Symbol.iterator]; // last: the lines above iterate

// ------------------------------------------------------------------ written while patched
// (no iterator, spread, push or patched built-in below: index loops and Reflect.apply only)
let failures = "";
for (let n = 0; n < writers.length; n++) {
  const w = writers[n];
  try {
    for (let i = 0; i < events.length; i++) {
      const event = events[i];
      apply(w[event[0]], w, event[1]);
    }
    w.finish();
  } catch (error) {
    failures += `${n}: ${error && error.stack}\n`;
  }
}
for (let n = 0; n < dirs.length; n++) {
  try {
    tf.writeTracePaths(dirs[n], paths);
    tf.writeTraceMetadata(dirs[n], metadata);
  } catch (error) {
    failures += `metadata of ${dirs[n]}: ${error && error.stack}\n`;
  }
}
const repaired = {};
for (let n = 0; n < unfinishedDirs.length; n++) {
  try {
    const r = tf.repairUnfinishedTrace(unfinishedDirs[n]);
    repaired[unfinishedDirs[n]] = { events: r.events, paths: r.paths.length, lastStep: r.lastStep, droppedBytes: r.droppedBytes };
    tf.writeTracePaths(unfinishedDirs[n], r.paths);
    tf.writeTraceMetadata(unfinishedDirs[n], metadata);
  } catch (error) {
    failures += `repair of ${unfinishedDirs[n]}: ${error && error.stack}\n`;
  }
}
writeSync(1, `${stringify({ repaired, events: events.length, ran, failures, offloadWorker: offload.hasWorker, offloadInline: offload.inlineFrames })}\n`);
