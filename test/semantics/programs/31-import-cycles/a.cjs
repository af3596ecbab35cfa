exports.stage = "a started";
exports.early = function early() {
  return "early from a";
};
const b = require("./b.cjs");
exports.stage = "a finished";
exports.late = function late() {
  return "late from a";
};
exports.summary = function summary() {
  return { stage: exports.stage, bSaw: b.sawAtLoad.stage, keys: Object.keys(exports) };
};
