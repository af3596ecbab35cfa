import { discount } from "../src/cart";

it("halves with HALF", () => {
  const price = discount(20, "HALF");
  expect(price).toBe(10);
});

it("takes a tenth off with TENTH", () => {
  // EXAMPLE_FAIL=1 makes this test fail on purpose, to show a kept trace of a failing file.
  const expected = process.env.EXAMPLE_FAIL === "1" ? 17 : 18;
  expect(discount(20, "TENTH")).toBe(expected);
});
