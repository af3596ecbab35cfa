// RegExp lastIndex state of global/sticky regexes held in locals across steps, and
// String.prototype.replace with callbacks. Recording locals must not touch lastIndex.
function execAll(re, text) {
  const found = [];
  let m;
  let guard = 0;
  while ((m = re.exec(text)) !== null && guard++ < 20) {
    found.push(`${m[0]}@${m.index}/last=${re.lastIndex}`);
  }
  return found;
}

const text = "a1 b22 c333 d4444";
const globalRe = /([a-z])(\d+)/g;
console.log("global exec:", execAll(globalRe, text), "after:", globalRe.lastIndex);

const stickyRe = /\w+\s?/y;
const sticky = [];
let step = 0;
while (step < 6) {
  const before = stickyRe.lastIndex;
  const m = stickyRe.exec(text);
  sticky.push(`${before}->${m ? JSON.stringify(m[0]) : "null"}->${stickyRe.lastIndex}`);
  step++;
}
console.log("sticky:", sticky);

// test() advances lastIndex too: alternating results on the same string
const testRe = /x/g;
const testResults = [];
for (let i = 0; i < 4; i++) testResults.push(`${testRe.test("xx-")}:${testRe.lastIndex}`);
console.log("test() alternation:", testResults);

// lastIndex set manually, and a regex passed into functions as an argument
function fromIndex(re, s, idx) {
  re.lastIndex = idx;
  const m = re.exec(s);
  return [m && m.index, re.lastIndex];
}
const digits = /\d/g;
console.log("fromIndex:", fromIndex(digits, text, 5), fromIndex(digits, text, 100), digits.lastIndex);

// matchAll clones the regex: the original lastIndex is unchanged
const cloneRe = /\d+/g;
cloneRe.lastIndex = 3;
const all = [...text.matchAll(cloneRe)].map((m) => m[0]);
console.log("matchAll:", all, "original lastIndex:", cloneRe.lastIndex);

// replace with callbacks: arguments, named groups, $-patterns, replaceAll
const calls = [];
const replaced = text.replace(/(?<letter>[a-z])(?<num>\d+)/g, function (match, letter, num, offset, whole, groups) {
  calls.push(`${match}|${letter}|${num}|${offset}|${whole.length}|${groups.letter}${groups.num.length}`);
  return letter.toUpperCase() + num.length;
});
console.log("replace callback:", replaced, calls);
console.log("replace patterns:", text.replace(/(\w)(\d)/g, "$2$1"), "x-y-z".replaceAll("-", (m, off) => `[${off}]`));
const counter = { n: 0 };
console.log("replace arrow with counter:", "aaa".replace(/a/g, () => ++counter.n), counter.n);
// non-global replace only once and leaves lastIndex untouched
const once = /b/;
once.lastIndex = 7;
console.log("once:", "abcb".replace(once, "B"), once.lastIndex);
// global replace resets lastIndex to 0
const resetRe = /c/g;
resetRe.lastIndex = 2;
console.log("reset:", "cacc".replace(resetRe, "C"), resetRe.lastIndex);

// split, search, and sticky + global with String.prototype.match
console.log("split:", "a,b;c".split(/[,;]/), "search:", text.search(/\d{3}/));
const gy = /\d/gy;
console.log("gy match:", "12a3".match(gy), gy.lastIndex);

// a tokenizer closure holding a sticky regex across calls
function tokenizer(src) {
  const re = /\s*(\d+|[+*()-])/y;
  return () => {
    const start = re.lastIndex;
    const m = re.exec(src);
    return m ? { tok: m[1], start, end: re.lastIndex } : null;
  };
}
const next = tokenizer("12 + (3*45) - 6");
const toks = [];
for (let t = next(); t !== null; t = next()) toks.push(`${t.tok}[${t.start},${t.end}]`);
console.log("tokens:", toks.join(" "));

// regex with a getter-patched lastIndex-like property: flags via getters
const flagsRe = /q/gimsuy;
console.log("flags:", flagsRe.flags, flagsRe.source, String(flagsRe));

// legacy static RegExp properties reflect the last successful match of the program;
// a recorder that runs regexes of its own between the steps would change them
function matchThenWork(s) {
  /(\w+)@(\w+)/.exec(s);
  const parts = { user: RegExp.$1, host: RegExp.$2 };
  let n = 0;
  for (let i = 0; i < 3; i++) n += i;
  return [parts, n, new Error("message with / and @ signs")];
}
const [parts, n, err] = matchThenWork("mail me: ann@example please");
const afterCall = [RegExp.$1, RegExp.$2, RegExp.lastMatch, RegExp.leftContext, RegExp.rightContext, RegExp.input];
console.log("legacy statics:", parts, n, err.message.length, afterCall);
