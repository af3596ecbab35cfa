// Async functions: microtask ordering, Promise.all interleavings, await in loops,
// awaiting non-promises and thenables, rejection handling.
let seq = 0;
const out = [];
const mark = (label) => out.push(`${++seq}:${label}`);

async function worker(name, steps) {
  mark(`${name} start`);
  for (let i = 0; i < steps; i++) {
    await null;
    mark(`${name} step ${i}`);
  }
  mark(`${name} done`);
  return `${name}x${steps}`;
}

async function awaitsValues() {
  const plain = await 42;
  mark(`awaited plain ${plain}`);
  const thenable = await {
    then(resolve) {
      mark("thenable.then called");
      resolve("from thenable");
    },
  };
  mark(`awaited thenable ${thenable}`);
  const nested = await Promise.resolve(Promise.resolve("nested"));
  mark(`awaited ${nested}`);
  return "values ok";
}

async function rejects(kind) {
  await undefined;
  if (kind === "error") throw new Error("boom");
  if (kind === "string") throw "plain string";
  return "no throw";
}

async function handles() {
  try {
    await rejects("error");
  } catch (e) {
    mark(`caught ${e.message}`);
  }
  try {
    await rejects("string");
  } catch (e) {
    mark(`caught ${e}`);
  } finally {
    mark("finally after string");
  }
  const settled = await Promise.allSettled([rejects("error"), rejects("none")]);
  mark(settled.map((s) => s.status + ":" + (s.value ?? s.reason.message)).join(","));
  return rejects("error").catch((e) => `recovered ${e.message}`);
}

async function loops() {
  let total = 0;
  for (const p of [Promise.resolve(1), 2, Promise.resolve(3)]) total += await p;
  let i = 0;
  while (i < 3) {
    total += await new Promise((resolve) => resolve(i++));
  }
  mark(`loop total ${total}`);
  return total;
}

async function main() {
  mark("main start");
  const sync = Promise.resolve().then(() => mark("microtask from main"));
  queueMicrotask(() => mark("queueMicrotask"));
  process.nextTick(() => mark("nextTick"));
  setTimeout(() => mark("timeout 0"), 0);
  const all = await Promise.all([worker("A", 3), worker("B", 1), worker("C", 2)]);
  mark(`all: ${all.join(",")}`);
  const race = await Promise.race([worker("slow", 3), worker("fast", 1)]);
  mark(`race: ${race}`);
  mark(await awaitsValues());
  mark(await handles());
  await loops();
  await sync;
  const arrow = async (x) => (await x) * 2;
  mark(`arrow ${await arrow(21)}`);
  await new Promise((r) => setTimeout(r, 1));
  mark("after timer");
  for (const r of await tickReport()) mark(r);
}

// exact microtask tick counts until an async function's promise settles: instrumentation
// must not add or remove a single tick
async function returnsValue() {
  return 1;
}
async function returnsPromise() {
  return Promise.resolve(2);
}
async function returnsThenable() {
  return { then: (r) => r(3) };
}
async function awaitsInFinally() {
  try {
    return await 4;
  } finally {
    await null;
  }
}
async function throwsSync() {
  throw new Error("sync throw becomes a rejection");
}
const asyncArrow = async () => 5;
async function countTicks(label, makePromise) {
  let ticks = 0;
  let settled = false;
  const p = makePromise().then(
    (v) => ((settled = true), `${v}`),
    (e) => ((settled = true), `rejected ${e.message}`),
  );
  while (!settled && ticks < 50) {
    await undefined;
    ticks++;
  }
  return `${label}: ${await p} after ${ticks} ticks`;
}
async function tickReport() {
  const reports = [];
  for (const [label, f] of [
    ["value", returnsValue],
    ["promise", returnsPromise],
    ["thenable", returnsThenable],
    ["await in finally", awaitsInFinally],
    ["sync throw", throwsSync],
    ["async arrow", asyncArrow],
  ]) {
    reports.push(await countTicks(label, f));
  }
  return reports;
}

mark("before main");
const done = main();
mark("after main call (sync)");
done.then(() => {
  out.forEach((line) => console.log(line));
});
process.on("unhandledRejection", (r) => console.log("unhandled", r));
