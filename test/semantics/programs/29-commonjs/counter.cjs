globalThis.__counterEvaluations = (globalThis.__counterEvaluations || 0) + 1;
let count = 0;
exports.increment = function increment() {
  count += 1;
};
exports.value = () => count;
exports.evaluations = () => globalThis.__counterEvaluations;
