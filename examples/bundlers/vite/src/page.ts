// The browser page (`npm run dev`): the button runs the shared inventory code. With the plugin
// on, the page records itself and the Vite dev server writes trace-out/<page session>/.
import { stockShelf, Unit } from "../../shared/src/inventory.js";

const button = document.querySelector<HTMLButtonElement>("#count")!;
const result = document.querySelector<HTMLParagraphElement>("#result")!;

button.addEventListener("click", () => {
  const shelf = stockShelf();
  const kilograms = shelf.total(Unit.Kilogram);
  result.textContent = `${shelf.describe()}; ${kilograms} kg in all`;
});
