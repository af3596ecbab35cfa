/**
 * `@codetracer/instrument/files`: which files the instrumenter handles, and its error type,
 * without loading Babel (a loader asks this for every module; Babel is loaded only when a file
 * is compiled).
 *
 * @packageDocumentation
 */

export { InstrumentError } from "./errors.js";
export type { InstrumentErrorCode } from "./errors.js";

/** TypeScript extensions. */
export const TS_EXT = /\.(?:[cm]?ts|tsx)$/;
/** JSX extensions. */
export const JSX_EXT = /\.(?:jsx|tsx)$/;

/** True for the extensions this package can compile: `.js .mjs .cjs .jsx .ts .mts .cts .tsx`. */
export function isSupportedFile(filename: string): boolean {
  return /\.(?:[cm]?[jt]s|[jt]sx)$/.test(filename);
}

/** True when the file needs compiling even when it is not recorded (TypeScript, JSX). */
export function needsCompile(filename: string): boolean {
  return TS_EXT.test(filename) || JSX_EXT.test(filename);
}
