/**
 * Paths as written into the trace (`/`-separated on every platform), made without RegExp or
 * `split`: their methods are the program's to replace (see primordials.ts).
 */
import { StringPrototypeIndexOf, StringPrototypeSlice } from "../primordials.js";

/** `p` with every `\` made `/` (Windows paths; a POSIX path is returned as it is). */
export function toPosix(p: string): string {
  let out = "";
  let from = 0;
  for (let at = StringPrototypeIndexOf(p, "\\"); at !== -1; at = StringPrototypeIndexOf(p, "\\", from)) {
    out += `${StringPrototypeSlice(p, from, at)}/`;
    from = at + 1;
  }
  return from === 0 ? p : out + StringPrototypeSlice(p, from);
}
