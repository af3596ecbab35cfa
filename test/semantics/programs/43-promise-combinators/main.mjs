// Promise.all / allSettled / race / any over async functions that settle in different orders
// (timers with different delays, microtask-only, already settled, thenables), with every
// rejection handled. The order of events is printed at the end. Timers that race each other are
// created shortest first: a timer created later waits longer than every pending one, so the
// order never depends on how fast the code between them runs (Node takes a timer's start time
// when it is created: a recorded run, slower between two creations, must not reorder them).
const events = [];
const log = (e) => events.push(e);

const sleep = (ms, value) => new Promise((resolve) => setTimeout(() => resolve(value), ms));

async function timed(label, ms, fail = false) {
  log(`start ${label}`);
  await sleep(ms);
  log(`${fail ? "reject" : "resolve"} ${label}`);
  if (fail) throw new Error(`${label} failed`);
  return label;
}

async function microtaskOnly(label, hops, fail = false) {
  log(`start ${label}`);
  for (let i = 0; i < hops; i++) await null;
  log(`${fail ? "reject" : "resolve"} ${label} after ${hops} hops`);
  if (fail) throw new TypeError(`${label} bad`);
  return label;
}

const thenable = (label) => ({
  then(onFulfilled) {
    log(`thenable ${label} then() called`);
    onFulfilled(label);
  },
});

async function runAll() {
  const result = await Promise.all([timed("all-fast", 10), microtaskOnly("all-micro", 3), "plain value", thenable("all-thenable"), timed("all-slow", 30)]);
  log(`all -> ${JSON.stringify(result)}`);
  try {
    await Promise.all([timed("all-ok", 20), microtaskOnly("all-bad", 2, true), timed("all-later", 25)]);
  } catch (e) {
    log(`all rejected early: ${e.message}`);
  }
}

async function runAllSettled() {
  const results = await Promise.allSettled([
    timed("settled-d", 5),
    microtaskOnly("settled-b", 1),
    Promise.reject(new RangeError("settled-c")),
    timed("settled-a", 15, true),
  ]);
  log(`allSettled -> ${results.map((r) => (r.status === "fulfilled" ? `ok:${r.value}` : `err:${r.reason.name}:${r.reason.message}`)).join(", ")}`);
}

async function runRace() {
  const winner = await Promise.race([timed("race-fast", 5), microtaskOnly("race-micro", 4), timed("race-slow", 20)]);
  log(`race -> ${winner}`);
  await sleep(25); // the losers (5 ms, 20 ms) finish before the next race starts
  try {
    await Promise.race([timed("race-ok", 10), microtaskOnly("race-fail", 1, true)]);
  } catch (e) {
    log(`race rejected: ${e.name}`);
  }
  await sleep(15);
  log(`race with a never-settling race: ${await Promise.race([Promise.race([]), microtaskOnly("race-after-empty", 2)])}`);
}

async function runAny() {
  const first = await Promise.any([timed("any-fail-fast", 5, true), timed("any-ok", 15), microtaskOnly("any-fail-micro", 1, true)]);
  log(`any -> ${first}`);
  try {
    await Promise.any([microtaskOnly("any-x", 1, true), timed("any-y", 5, true)]);
  } catch (e) {
    log(`any rejected: ${e.constructor.name} ${e.errors.map((x) => x.message).join(" + ")}`);
  }
  try {
    await Promise.any([]);
  } catch (e) {
    log(`any of nothing: ${e.name} errors=${e.errors.length}`);
  }
}

process.on("unhandledRejection", (reason) => log(`UNHANDLED ${reason}`));

log("sync start");
const phases = [runAll, runAllSettled, runRace, runAny];
for (const phase of phases) {
  log(`--- ${phase.name}`);
  await phase();
  await sleep(40); // let the losers of races finish before the next phase
}
log("sync parts done");
for (const e of events) console.log(e);
