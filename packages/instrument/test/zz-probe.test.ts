import { it, expect } from "vitest";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
it("probe", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ct-probe-"));
  const f = path.join(dir, "a.mjs");
  fs.writeFileSync(f, "export const s = (function foo(){ return 1 }).toString(); export const u = import.meta.url; await null; export const t = typeof require; export const stack = new Error().stack;\n");
  const dyn = new Function("u", "return import(u)") as (u: string) => Promise<any>;
  const m = await dyn(pathToFileURL(f).href);
  console.log(m);
  const m2 = await import(pathToFileURL(f).href + "?x=1");
  console.log(m2);
});
