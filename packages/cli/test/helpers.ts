/** What the `codetracer-trace` tests share. */

/**
 * The test runner's environment without what would change how a recorded child records or
 * prints (inherited `CODETRACER_*`, `NODE_OPTIONS`, colours), with the CLI's summary line off;
 * `extra` goes on top.
 */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith("CODETRACER_") || key === "NODE_OPTIONS" || key === "FORCE_COLOR") continue;
    env[key] = value;
  }
  return { ...env, CODETRACER_QUIET: "1", ...extra };
}
