/**
 * `node --import codetracer-js-recorder/register/instrument app.ts`: the same loader as
 * `@codetracer/register/instrument` (instruments, records only through the session API or
 * `CODETRACER_TRACE` auto-start), reachable from the CLI package.
 */
import "@codetracer/register/instrument";
