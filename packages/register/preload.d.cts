// Types of the CommonJS front doors, preload.cjs and preload-instrument.cjs
// (`node --require @codetracer/register app.js`): they start the recorder when loaded and export
// nothing. Programs that use the loader's functions import the ES module entries.
export {};
