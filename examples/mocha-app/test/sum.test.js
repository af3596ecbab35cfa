const assert = require("node:assert/strict");
const { sum } = require("../src/stats.js");

describe("sum", () => {
  it("adds the numbers", () => {
    assert.equal(sum([1, 2, 3]), 6);
  });

  it("of nothing is 0", () => {
    assert.equal(sum([]), 0);
  });
});
