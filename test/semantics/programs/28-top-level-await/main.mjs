// ESM with top-level await: the module body is suspended at each `await` while timers and
// microtasks run; an imported module that itself awaits at top level finishes first.
import { config, loadedAt, events as depEvents } from "./dep.mjs";

const events = [];
const log = (e) => events.push(e);

log("main body starts; dep finished: " + loadedAt);
log("dep events: " + depEvents.join(","));
log("config: " + JSON.stringify(config));

setTimeout(() => log("timeout 0"), 0);
queueMicrotask(() => log("microtask 1"));
Promise.resolve().then(() => log("then 1")).then(() => log("then 2"));
process.nextTick(() => log("nextTick"));

log("before first await");
const v1 = await 1;
log("after await 1: " + v1);

async function delayed(label, ms) {
  log("delayed start " + label);
  await new Promise((resolve) => setTimeout(resolve, ms));
  log("delayed end " + label);
  return label.toUpperCase();
}

const slow = delayed("slow", 20);
const fast = delayed("fast", 5);
log("both started");
const first = await Promise.race([slow, fast]);
log("race winner: " + first);
log("after slow: " + (await slow));

for await (const chunk of (async function* chunks() {
  for (const c of ["a", "b"]) {
    await null;
    yield c;
  }
})()) {
  log("chunk " + chunk);
}

try {
  await Promise.reject(new Error("rejected at top level"));
} catch (e) {
  log("caught: " + e.message);
}

const { lazy } = await import("./lazy.mjs");
log("lazy: " + lazy());

await new Promise((r) => setImmediate(r));
log("after setImmediate");

for (const e of events) console.log(e);
