exports.a = 1;
module.exports.b = 2;
this.c = 3;
exports.both = function both() {
  return exports === module.exports && this === exports ? "aliases intact" : "aliases broken";
};
