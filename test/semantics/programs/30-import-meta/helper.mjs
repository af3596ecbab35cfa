import * as path from "node:path";

export function describeMeta() {
  return { same: import.meta.url === new URL("./main.mjs", import.meta.url).href, file: path.basename(import.meta.filename ?? new URL(import.meta.url).pathname) };
}

export const whoAmI = () => path.basename(new URL(import.meta.url).pathname) + " (this=" + typeof this + ")";
