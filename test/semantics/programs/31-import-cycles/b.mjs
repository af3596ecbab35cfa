import { order } from "./order.mjs";
import { isEven, greet, counter, constant } from "./a.mjs";

order.push("b body");

function tryRead(read) {
  try {
    return String(read());
  } catch (e) {
    return e.name;
  }
}

// a.mjs has not run yet: its function declarations exist, its let/const are in the TDZ.
export const fromB = greet("b") + "; isEven(4)=" + isEven(4);
export const probe = {
  counter: tryRead(() => counter),
  constant: tryRead(() => constant),
};
order.push("b done");
