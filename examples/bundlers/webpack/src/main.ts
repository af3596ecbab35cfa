// Built by webpack with unplugin-codetracer: a run records itself into trace-out/.
import { stockShelf, Unit } from "../../shared/src/inventory.js";

const shelf = stockShelf();
const kilograms: number = shelf.total(Unit.Kilogram);
console.log(`webpack: ${shelf.describe()}; ${kilograms} kg in all`);
// Where this line is, as the built program's stack trace says (through the source map).
const probe = new Error("probe");
console.log(`probe: ${probe.stack?.split("\n")[1]?.trim()}`);
