const assert = require("node:assert/strict");
const { mean } = require("../src/stats.js");

describe("mean", () => {
  it("divides the sum by the count", () => {
    assert.equal(mean([2, 4, 6]), 4);
  });

  it("of nothing throws", () => {
    assert.throws(() => mean([]), RangeError);
  });
});
