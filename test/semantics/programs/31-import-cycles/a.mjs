import { order } from "./order.mjs";
import { fromB, probe } from "./b.mjs";

order.push("a body");

export let counter = 0;
export function bump() {
  counter += 1;
}

// Hoisted: callable from b.mjs before this module's body has run.
export function isEven(n) {
  return n === 0 ? true : isOdd(n - 1);
}
export function isOdd(n) {
  return n === 0 ? false : isEven(n - 1);
}
export function greet(who) {
  return "hello " + who + " from a";
}

export const constant = "a constant";
export function seenByB() {
  return { fromB, probe };
}
