import { quadruple } from "./helper.cjs";
console.log("never", quadruple);
