// The program prints a few lines, then dies of an Error thrown three calls deep.
// Exit code, stdout and stderr (without stack frames and carets) must match plain Node.
class InventoryError extends Error {
  constructor(item, needed, available) {
    super(`not enough ${item}: needed ${needed}, available ${available}`);
    this.name = "InventoryError";
    this.item = item;
  }
}

const stock = { apples: 3, pears: 0 };

function take(item, count) {
  const available = stock[item] ?? 0;
  if (available < count) throw new InventoryError(item, count, available);
  stock[item] = available - count;
  return stock[item];
}

function prepareOrder(order) {
  const left = [];
  for (const [item, count] of Object.entries(order)) left.push(`${item} left ${take(item, count)}`);
  return left;
}

function processOrders(orders) {
  const done = [];
  for (const order of orders) {
    console.log("processing", JSON.stringify(order));
    done.push(prepareOrder(order));
    console.log("done:", done.at(-1).join(", "));
  }
  return done;
}

console.log("start");
process.on("exit", (code) => console.log(`exit handler sees code ${code}`));
processOrders([{ apples: 1 }, { apples: 2 }, { apples: 1, pears: 1 }]);
console.log("never printed");
