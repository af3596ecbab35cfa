/**
 * `node --import @codetracer/register/instrument app.ts` (also
 * `codetracer-js-recorder/register/instrument`) instruments the program exactly as
 * `@codetracer/register` does, but records nothing by itself: the program records what it wants
 * with the session API (`start`, `stop`, `trace` of `codetracer-js-recorder`). When
 * `CODETRACER_TRACE` is set, a session starts at once into that folder and is finished at exit
 * (auto-start; `CODETRACER_FORMAT`, `CODETRACER_TRACE_FILTER` apply).
 * @packageDocumentation
 */
import { startLoader } from "./core.js";

startLoader("instrument");
