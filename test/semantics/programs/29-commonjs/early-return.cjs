exports.before = true;
function shouldStop() {
  return true;
}
if (shouldStop()) return;
exports.after = true;
