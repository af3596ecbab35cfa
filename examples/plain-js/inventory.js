// An inventory and order report: plain CommonJS JavaScript, run with `node inventory.js`.
"use strict";

const { format } = require("node:util");

class OutOfStockError extends Error {
  constructor(sku, wanted, available) {
    super(`not enough ${sku}: wanted ${wanted}, have ${available}`);
    this.name = "OutOfStockError";
    this.sku = sku;
  }
}

class Inventory {
  constructor() {
    this.items = {}; // sku -> { name, price, qty }
  }

  addItem(sku, name, price, qty) {
    this.items[sku] = { name, price, qty };
    return Object.keys(this.items).length;
  }

  reserve(sku, qty) {
    const item = this.items[sku];
    if (!item) throw new Error(`unknown sku ${sku}`);
    if (item.qty < qty) {
      throw new OutOfStockError(sku, qty, item.qty); // ct-marker: throw-out-of-stock
    }
    item.qty -= qty;
    return item.price * qty;
  }

  totalValue() {
    return Object.values(this.items).reduce((sum, item) => sum + item.price * item.qty, 0);
  }
}

function makeDiscount(percent) {
  // A closure: the returned function remembers `percent`.
  return function applyDiscount(amount) {
    return Math.round(amount * (100 - percent)) / 100;
  };
}

function priceOrder(inventory, order) {
  let subtotal = 0;
  for (const line of order.lines) {
    subtotal += inventory.reserve(line.sku, line.qty); // ct-marker: reserve-call
  }
  return subtotal;
}

function processOrders(inventory, orders, discount) {
  const results = [];
  for (const order of orders) {
    try {
      const subtotal = priceOrder(inventory, order);
      const total = discount(subtotal); // ct-marker: discounted-total
      results.push({ id: order.id, status: "ok", total });
    } catch (error) {
      results.push({ id: order.id, status: "rejected", reason: error.message });
    }
  }
  return results;
}

function main() {
  const inventory = new Inventory();
  inventory.addItem("apple", "Apple", 3, 10);
  inventory.addItem("pear", "Pear", 4, 2);
  inventory.addItem("plum", "Plum", 5, 8);

  const orders = [
    { id: 1, lines: [{ sku: "apple", qty: 4 }, { sku: "plum", qty: 2 }] },
    { id: 2, lines: [{ sku: "pear", qty: 5 }] },
    { id: 3, lines: [{ sku: "pear", qty: 2 }, { sku: "apple", qty: 1 }] },
  ];

  const results = processOrders(inventory, orders, makeDiscount(10));
  const accepted = results.filter((r) => r.status === "ok");
  const revenue = accepted.map((r) => r.total).reduce((a, b) => a + b, 0);

  console.log("Order report");
  for (const r of results) {
    console.log(r.status === "ok" ? format("  #%d ok %s", r.id, r.total.toFixed(2)) : format("  #%d rejected (%s)", r.id, r.reason));
  }
  console.log(format("accepted %d of %d, revenue %s", accepted.length, results.length, revenue.toFixed(2)));
  console.log(format("stock left: %s", Object.entries(inventory.items).map(([sku, it]) => `${sku}=${it.qty}`).join(", ")));
  console.log(format("stock value: %d", inventory.totalValue()));
}

main();
