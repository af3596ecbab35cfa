exports.viaExports = "this is lost";
module.exports = function double(n) {
  return n * 2;
};
exports.afterReplace = "also lost";
