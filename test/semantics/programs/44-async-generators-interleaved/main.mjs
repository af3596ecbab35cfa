// Async and generator frames interleaved: two async generators consumed alternately, an async
// function awaiting inside a for...of over a sync generator, yield* delegation three levels deep
// (sync and async), values sent in with next(v), early return() and throw() into delegation.
const log = [];

async function* letters(tag) {
  try {
    for (const ch of "abc") {
      await null;
      const reply = yield `${tag}:${ch}`;
      if (reply) log.push(`${tag} got ${reply}`);
    }
    return `${tag} done`;
  } finally {
    log.push(`${tag} finally`);
  }
}

async function* numbers(tag) {
  let n = 0;
  while (n < 4) {
    await new Promise((r) => setImmediate(r));
    yield `${tag}:${n++}`;
  }
}

async function alternate() {
  const a = letters("L");
  const b = numbers("N");
  const out = [];
  for (let i = 0; i < 5; i++) {
    const x = await a.next(i > 0 ? `ack${i}` : undefined);
    const y = await b.next();
    out.push(x.done ? `(${x.value})` : x.value, y.done ? "(N end)" : y.value);
  }
  await b.return("stopped");
  log.push(`alternate: ${out.join(" ")}`);
}

function* syncSteps() {
  const first = yield 1;
  log.push(`sync gen received ${first}`);
  yield first * 10;
  yield 3;
}

async function awaitInsideForOf() {
  const seen = [];
  for (const step of syncSteps()) {
    const doubled = await Promise.resolve(step * 2);
    seen.push(`${step}->${doubled}`);
    if (step === 3) break;
  }
  const it = syncSteps();
  it.next();
  const second = it.next(7).value;
  const closed = it.return("early");
  log.push(`for-of with await: ${seen.join(",")}; manual next(7)=${second} return=${JSON.stringify(closed)}`);
}

function* level3(prefix) {
  try {
    const got = yield `${prefix}3a`;
    yield `${prefix}3b(${got})`;
    return "r3";
  } finally {
    log.push(`level3 ${prefix} finally`);
  }
}
function* level2(prefix) {
  const r3 = yield* level3(prefix);
  yield `${prefix}2(${r3})`;
  return "r2";
}
function* level1(prefix) {
  const r2 = yield* level2(prefix);
  yield `${prefix}1(${r2})`;
}

async function* asyncLevel3() {
  yield "A3";
  await null;
  yield* ["A3x", "A3y"];
}
async function* asyncLevel2() {
  yield* asyncLevel3();
  yield "A2";
}
async function* asyncLevel1() {
  yield* asyncLevel2();
  yield "A1";
}

async function delegation() {
  const it = level1("s");
  const vals = [it.next().value, it.next("sent").value, it.next().value, it.next().value, it.next().done];
  log.push(`yield* sync: ${vals.join(" ")}`);

  const early = level1("e");
  early.next();
  log.push(`return through delegation: ${JSON.stringify(early.return("bye"))}`);

  const thrown = level1("t");
  thrown.next();
  try {
    thrown.throw(new Error("boom"));
  } catch (e) {
    log.push(`throw through delegation: ${e.message}`);
  }

  const asyncVals = [];
  for await (const v of asyncLevel1()) asyncVals.push(v);
  log.push(`yield* async: ${asyncVals.join(" ")}`);
}

await Promise.all([alternate(), awaitInsideForOf()]);
await delegation();
for (const line of log) console.log(line);
