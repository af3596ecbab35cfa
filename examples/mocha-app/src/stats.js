/** Sum of the numbers in `values`. */
function sum(values) {
  let total = 0;
  for (const value of values) total += value; // ct-marker: sum-loop
  return total;
}

/** Arithmetic mean of `values`; throws a RangeError for an empty array. */
function mean(values) {
  if (values.length === 0) throw new RangeError("mean of no values");
  return sum(values) / values.length;
}

module.exports = { sum, mean };
