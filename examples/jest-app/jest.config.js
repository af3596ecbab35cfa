// `npm test` runs the tests as usual: recording is off unless asked (the transformer then only
// compiles TypeScript). `npm run test:record` (CODETRACER_TRACE=traces) records each test file
// into traces/<its path>/; with CODETRACER_KEEP=failed only the folders of failing files stay.
/** @type {import('jest').Config} */
module.exports = {
  testMatch: ["<rootDir>/test/**/*.test.ts"],
  transform: { "\\.[jt]sx?$": "codetracer-js-recorder/jest" },
  testEnvironment: "codetracer-js-recorder/jest-environment",
};
