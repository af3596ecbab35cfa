// process.exit(3) from deep inside nested calls: pending finally blocks never run, pending
// promises, timers and microtasks never settle, 'exit' listeners run with the code, and the
// output written so far is all there is. The recorder must still write a balanced trace.
let depth = 0;

process.on("exit", function onExit(code) {
  console.log(`exit listener: code=${code} exitCode=${process.exitCode} depth=${depth}`);
});
process.on("beforeExit", () => console.log("beforeExit must not run after process.exit"));

setTimeout(() => console.log("timer must not run"), 0);
setImmediate(() => console.log("immediate must not run"));
const pending = new Promise(() => {});
pending.then(() => console.log("never settles"));

function level(n) {
  depth = n;
  try {
    if (n === 5) {
      console.log("about to exit from depth", n);
      Promise.resolve().then(() => console.log("microtask must not run"));
      process.nextTick(() => console.log("nextTick must not run"));
      process.exit(3);
    }
    return level(n + 1) + 1;
  } finally {
    console.log(`finally at depth ${n} must not run`);
  }
}

class Worker {
  run() {
    return [1, 2].map((x) => (x === 2 ? level(1) : x));
  }
}

async function startAsync() {
  console.log("async function started");
  await null;
  console.log("after await: calling into the nested exit");
  try {
    new Worker().run();
  } finally {
    console.log("async finally must not run");
  }
}

function* gen() {
  try {
    yield "suspended generator";
  } finally {
    console.log("generator finally must not run");
  }
}
const g = gen();
console.log(g.next().value);

startAsync().then(() => console.log("async result must not be seen"));
console.log("main body done");
