import { Cart } from "../src/cart";

describe("Cart", () => {
  it("adds up its lines", () => {
    const cart = new Cart();
    cart.add({ sku: "tea", price: 4, quantity: 2 });
    cart.add({ sku: "cup", price: 3, quantity: 1 });
    expect(cart.subtotal()).toBe(11);
  });

  it("merges lines of the same item", () => {
    const cart = new Cart();
    cart.add({ sku: "tea", price: 4, quantity: 1 });
    cart.add({ sku: "tea", price: 4, quantity: 2 });
    expect(cart.subtotal()).toBe(12);
  });
});
