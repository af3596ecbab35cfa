// process.exitCode = 4 and then a normal end: every pending timer, promise and finally block
// still runs, beforeExit fires (and may schedule more work once), and the process ends with 4.
let beforeExitRuns = 0;

process.on("beforeExit", function onBeforeExit(code) {
  beforeExitRuns++;
  console.log(`beforeExit #${beforeExitRuns}: code=${code}`);
  if (beforeExitRuns === 1) {
    setTimeout(function lateTimer() {
      console.log("timer scheduled from beforeExit ran");
      process.exitCode = 4; // set again: still 4
    }, 1);
  }
});
process.on("exit", (code) => console.log(`exit: code=${code}`));

function fail(reason) {
  try {
    console.log(`setting exitCode because ${reason}`);
    process.exitCode = 4;
    return "set";
  } finally {
    console.log("finally after setting exitCode runs");
  }
}

async function work() {
  await new Promise((r) => setTimeout(r, 5));
  console.log("async work before exitCode is set:", process.exitCode);
  return fail("work found a problem");
}

console.log("initial exitCode:", process.exitCode);
process.exitCode = 1;
process.exitCode = undefined;
console.log("reset exitCode:", process.exitCode);
const result = await work();
console.log("work result:", result, "exitCode:", process.exitCode);
setImmediate(() => console.log("immediate after exitCode still runs"));
