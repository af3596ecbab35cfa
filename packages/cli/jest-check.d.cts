// Types of jest-check.cjs (`codetracer-js-recorder/jest-check`): a module loaded for its check only, with no exports.
export {};
