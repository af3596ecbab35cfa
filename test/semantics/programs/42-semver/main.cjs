// The real `semver` package (from the repository's node_modules) through its public API:
// parsing, comparing, sorting, ranges (caret, tilde, x-ranges, hyphens, unions), increments,
// coercion, diff, invalid input and the SemVer/Range classes. semver's code is recorded through
// --include. (picomatch was tried first: recording it took over 20 s.)
const semver = require("semver");
const { SemVer, Range } = semver;

const versions = ["1.2.3", "1.10.0", "2.0.0-rc.1", "2.0.0", "1.2.3-beta.10", "0.9.0+build.5"];
console.log("sort:", semver.sort(versions.slice()).join(" < "));
console.log("rsort:", semver.rsort(versions.slice()).join(" > "));
console.log("includePrerelease:", semver.satisfies("2.0.0-rc.1", "^1.0.0 || >=1.5.0", { includePrerelease: true }), semver.satisfies("2.0.0-rc.1", ">=1.5.0"));
console.log("compare:", semver.compare("1.2.3", "1.2.4"), semver.compare("2.0.0", "2.0.0-rc.1"), semver.compareBuild("1.0.0+a", "1.0.0+b"));

const ranges = ["^1.2.0", "~1.2.3", "1.2.3 - 1.10.0", "^0.9.0 || >=2.0.0", ">=2.0.0-rc.0"];
for (const r of ranges) {
  const matching = versions.filter((v) => semver.satisfies(v, r));
  console.log(`${r.padEnd(20)} max=${semver.maxSatisfying(versions, r)} n=${matching.length} valid=${semver.validRange(r)}`);
}

console.log("inc:", ["major", "minor", "patch", "premajor", "preminor", "prepatch", "prerelease"].map((t) => semver.inc("1.2.3-alpha.1", t, "beta")).join(" "));
console.log("coerce:", ["v2", "3.4 final", "version 1.2.3.4", "nothing"].map((s) => String(semver.coerce(s))).join(" "));
console.log("diff:", semver.diff("1.2.3", "2.0.0"), semver.diff("1.2.3", "1.2.4-rc.1"), semver.diff("1.2.3", "1.2.3"));
console.log("valid/clean:", semver.valid("v1.2.3"), semver.valid("1.2"), semver.clean("  =v1.2.3  "));
console.log("prerelease:", JSON.stringify(semver.prerelease("1.2.3-beta.4")), semver.major("4.5.6"), semver.minor("4.5.6"), semver.patch("4.5.6"));
console.log("intersects:", semver.intersects("^1.2.0", "~1.3.0"), semver.intersects("^1.0.0", "^2.0.0"));
console.log("gtr/ltr/outside:", semver.gtr("3.0.0", "^2.0.0"), semver.ltr("0.1.0", "^1.0.0"), semver.outside("1.5.0", "~1.2.0", ">"));
console.log("subset:", semver.subset("~1.2.3", "^1.0.0"), semver.subset("^1.0.0", "~1.2.3"));

const v = new SemVer("1.2.3-beta.1+build.7");
console.log("SemVer object:", v.major, v.minor, v.patch, JSON.stringify(v.prerelease), JSON.stringify(v.build), v.format(), String(v.inc("minor")));
const range = new Range(">=1.2.3 <1.5.0 || 2.x");
console.log("Range object:", range.range, range.set.length, range.test("1.4.9"), range.test("1.5.0"), range.test("2.9.9"));

try {
  new SemVer("not.a.version");
} catch (e) {
  console.log("invalid:", e.name, e.message);
}
const byMajor = {};
for (const ver of versions) (byMajor[semver.major(ver)] ??= []).push(ver);
console.log("grouped:", JSON.stringify(byMajor));
console.log("sorted by callback:", versions.slice().sort((a, b) => semver.compare(b, a)).slice(0, 3).join(","));
