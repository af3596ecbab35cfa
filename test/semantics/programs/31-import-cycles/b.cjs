const a = require("./a.cjs");
exports.sawAtLoad = {
  stage: a.stage,
  keys: Object.keys(a),
  early: typeof a.early === "function" ? a.early() : "missing",
  hasLate: Object.keys(a).includes("late"),
};
exports.callA = function callA() {
  return a.late() + " / " + a.stage;
};
