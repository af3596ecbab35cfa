module.exports = { kind: "commonjs" };
module.exports.kind = "commonjs";
