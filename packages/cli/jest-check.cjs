// `codetracer-js-recorder/jest-check`: what the Jest transformer (dist/jest.js) makes every file
// it instruments load first, in the test file's own context. A recorded file calls the runtime
// that the test environment `codetracer-js-recorder/jest-environment` puts on the context's
// global; without that environment the file would fail with a TypeError naming `file`, so this
// says what is missing instead. See docs/ci.md ("Jest").
"use strict";
if (globalThis.__codetracer__ === undefined) {
  // Shaped as the recorder's UsageError (`[CODE] message`, `code`, `kind`): docs/errors.md.
  const error = new Error(
    "[ERR_INVALID_POLICY_VALUE] codetracer-js-recorder/jest: recording is on (CODETRACER_TRACE is set), but the test environment is not the recorder's: " +
      'add testEnvironment: "codetracer-js-recorder/jest-environment" to the Jest config ' +
      '(for another base environment: withCodetracer of "codetracer-js-recorder/jest-environment"), or run without CODETRACER_TRACE',
  );
  error.name = "UsageError";
  error.code = "ERR_INVALID_POLICY_VALUE";
  error.kind = "Usage";
  error.context = { option: "testEnvironment" };
  throw error;
}
