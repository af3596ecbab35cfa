"use strict";
exports.name = "helper.cjs";
exports.triple = function triple(n) {
  return n * 3;
};
