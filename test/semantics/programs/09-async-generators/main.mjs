// Async generators and for await: over async generators, arrays of promises, sync
// iterables; yield* in async generators; breaking out of for await.
const log = [];
let seq = 0;
const mark = (s) => log.push(`${++seq} ${s}`);

async function* ticker(name, n) {
  try {
    for (let i = 0; i < n; i++) {
      await null;
      mark(`${name} yields ${i}`);
      yield `${name}${i}`;
    }
    return `${name} complete`;
  } finally {
    mark(`${name} finally`);
  }
}

async function* delegating() {
  mark("delegating start");
  const result = yield* ticker("inner", 2);
  mark(`delegate returned: ${result}`);
  yield* [Promise.resolve("sync-array-promise"), "plain"];
  yield* (function* () {
    yield "from sync gen";
  })();
  yield await Promise.resolve("awaited then yielded");
}

const slow = (v, ticks) => {
  let p = Promise.resolve(v);
  for (let i = 0; i < ticks; i++) p = p.then((x) => x);
  return p;
};

async function consume() {
  const got = [];
  for await (const v of ticker("t", 3)) got.push(v);
  mark(`for await async gen: ${got}`);

  const promises = [slow("p0", 3), slow("p1", 0), Promise.resolve("p2"), "not-a-promise"];
  const fromArray = [];
  for await (const v of promises) fromArray.push(v);
  mark(`for await promises: ${fromArray}`);

  const syncIterable = {
    *[Symbol.iterator]() {
      yield 1;
      yield Promise.resolve(2);
      yield 3;
    },
  };
  let sum = 0;
  for await (const v of syncIterable) sum += v;
  mark(`for await sync iterable sum: ${sum}`);

  const delegated = [];
  for await (const v of delegating()) delegated.push(v);
  mark(`delegated: ${delegated.join(" | ")}`);

  for await (const v of ticker("brk", 10)) {
    if (v === "brk1") {
      mark("breaking");
      break;
    }
  }
  mark("after break");

  // manual next/return/throw on async generators
  const g = ticker("manual", 5);
  mark(`next: ${JSON.stringify(await g.next())}`);
  mark(`return: ${JSON.stringify(await g.return("R"))}`);
  mark(`next after return: ${JSON.stringify(await g.next())}`);

  async function* catching() {
    try {
      yield 1;
    } catch (e) {
      mark(`catching got ${e}`);
      yield 2;
    }
  }
  const cg = catching();
  await cg.next();
  mark(`throw: ${JSON.stringify(await cg.throw("oops"))}`);

  // queued next() calls resolve in order
  const q = ticker("queued", 3);
  const all = await Promise.all([q.next(), q.next(), q.next(), q.next()]);
  mark(`queued: ${all.map((r) => (r.done ? "done:" : "") + r.value).join(",")}`);

  // errors thrown in an async generator reject the for await
  async function* failing() {
    yield "ok";
    throw new Error("gen failed");
  }
  try {
    for await (const v of failing()) mark(`failing yielded ${v}`);
  } catch (e) {
    mark(`caught ${e.message}`);
  }
}

// two consumers interleaving
async function interleave() {
  const a = (async () => {
    for await (const v of ticker("A", 2)) mark(`consumer A got ${v}`);
  })();
  const b = (async () => {
    for await (const v of ticker("B", 2)) mark(`consumer B got ${v}`);
  })();
  await Promise.all([a, b]);
}

await consume();
await interleave();
console.log(log.join("\n"));
