// A small inventory, shared by the bundler examples: a generic class, an enum, an interface.
export enum Unit {
  Piece = "pc",
  Kilogram = "kg",
}

export interface Item {
  name: string;
  quantity: number;
  unit: Unit;
}

export class Shelf<T extends Item> {
  private items: T[] = [];

  add(item: T): number {
    this.items.push(item);
    return this.items.length;
  }

  total(unit: Unit): number {
    let sum = 0;
    for (const item of this.items) {
      if (item.unit === unit) sum += item.quantity;
    }
    return sum;
  }

  describe(): string {
    const parts = this.items.map((item) => `${item.quantity}${item.unit} ${item.name}`);
    return parts.join(", ");
  }
}

export function stockShelf(): Shelf<Item> {
  const shelf = new Shelf<Item>();
  shelf.add({ name: "apples", quantity: 3, unit: Unit.Kilogram });
  shelf.add({ name: "jars", quantity: 12, unit: Unit.Piece });
  shelf.add({ name: "pears", quantity: 2, unit: Unit.Kilogram });
  return shelf;
}
