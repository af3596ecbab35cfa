/**
 * `node --import codetracer-js-recorder/register app.ts`: the same loader as
 * `@codetracer/register`, reachable from the CLI package.
 */
import "@codetracer/register";
