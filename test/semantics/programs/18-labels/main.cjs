// Labeled break/continue: nested loops, labeled blocks, labels on every loop kind.
function findPair(grid, target) {
  let found = null;
  let visited = 0;
  outer: for (let r = 0; r < grid.length; r++) {
    for (let c = 0; c < grid[r].length; c++) {
      visited++;
      if (grid[r][c] === target) {
        found = [r, c];
        break outer;
      }
    }
  }
  return { found, visited };
}
const grid = [
  [1, 2, 3],
  [4, 5, 6],
  [7, 8, 9],
];
console.log(findPair(grid, 5), findPair(grid, 42));

function skipRows() {
  const out = [];
  rows: for (const row of grid) {
    for (const cell of row) {
      if (cell % 2 === 0) continue rows;
      out.push(cell);
    }
    out.push("|");
  }
  return out.join(" ");
}
console.log("skipRows:", skipRows());

function labeledBlock(flag) {
  const out = [];
  foo: {
    out.push("start");
    if (flag) break foo;
    out.push("not skipped");
  }
  out.push("after block");
  bar: if (flag) {
    out.push("in labeled if");
    break bar;
  }
  return out;
}
console.log(labeledBlock(true), labeledBlock(false));

function whileLabels() {
  const out = [];
  let i = 0;
  loopA: while (i < 5) {
    i++;
    let j = 0;
    loopB: do {
      j++;
      if (j === 2) continue loopB;
      if (i === 2) continue loopA;
      if (i === 4 && j === 3) break loopA;
      out.push(`${i}.${j}`);
    } while (j < 3);
  }
  return out;
}
console.log("whileLabels:", whileLabels());

function forInLabels() {
  const out = [];
  const obj = { a: { x: 1, y: 2 }, b: { x: 3, stop: true, y: 4 }, c: { x: 5 } };
  keys: for (const k in obj) {
    for (const inner in obj[k]) {
      if (inner === "stop") break keys;
      out.push(`${k}.${inner}`);
    }
  }
  return out;
}
console.log("forInLabels:", forInLabels());

// same label name reused in sibling statements, nested labeled blocks
function reuse() {
  const out = [];
  same: for (let i = 0; i < 2; i++) {
    if (i === 1) break same;
    out.push(`first ${i}`);
  }
  same: for (let i = 0; i < 3; i++) {
    if (i === 1) continue same;
    out.push(`second ${i}`);
  }
  a: {
    b: {
      c: {
        out.push("in c");
        break b;
      }
      out.push("never");
    }
    out.push("after b");
  }
  return out;
}
console.log("reuse:", reuse());

// labeled continue inside switch inside loop, and break out of switch via label
function switchInLoop() {
  const out = [];
  loop: for (let i = 0; i < 6; i++) {
    switch (i % 3) {
      case 0:
        out.push(`zero ${i}`);
        continue loop;
      case 1:
        if (i > 3) break loop;
        out.push(`one ${i}`);
        break;
      default:
        out.push(`two ${i}`);
    }
    out.push(`end ${i}`);
  }
  return out;
}
console.log("switchInLoop:", switchInLoop());

// label on single-statement bodies and closures created before a labeled break
function closuresAndLabels() {
  const fns = [];
  outer: for (let i = 0; i < 3; i++)
    inner: for (let j = 0; j < 3; j++) {
      fns.push(() => `${i}${j}`);
      if (j === 1) continue outer;
      if (i === 2) break outer;
    }
  return fns.map((f) => f()).join(",");
}
console.log("closuresAndLabels:", closuresAndLabels());
