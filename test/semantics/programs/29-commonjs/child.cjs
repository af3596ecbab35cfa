exports.isMain = require.main === module;
exports.parentIsMain = require.main === module.parent || module.parent === undefined ? "parent is main" : "other parent";
exports.filename = module.filename;
