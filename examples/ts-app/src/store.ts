// Domain types and a generic in-memory repository.

export const Category = {
  Book: "book",
  Game: "game",
  Music: "music",
} as const;
export type Category = (typeof Category)[keyof typeof Category];

export enum Priority {
  Low = 1,
  Normal = 2,
  High = 3,
}

export interface Entity {
  id: string;
}

export interface Product extends Entity {
  title: string;
  category: Category;
  priceCents: number;
}

export type Review = Entity & { productId: string; stars: 1 | 2 | 3 | 4 | 5 };

export class Repository<T extends Entity> {
  private readonly rows = new Map<string, T>();

  constructor(readonly label: string) {}

  add(row: T): T {
    if (this.rows.has(row.id)) {
      throw new Error(`${this.label}: duplicate id ${row.id}`);
    }
    this.rows.set(row.id, row);
    return row;
  }

  find(predicate: (row: T) => boolean): T[] {
    return [...this.rows.values()].filter(predicate);
  }

  get size(): number {
    return this.rows.size;
  }
}

export class Store {
  readonly products: Repository<Product>;
  readonly reviews = new Repository<Review>("reviews");

  constructor(public name: string) {
    this.products = new Repository<Product>("products");
  }

  averageStars(productId: string): number {
    const stars = this.reviews.find((r) => r.productId === productId).map((r) => r.stars);
    if (stars.length === 0) return 0;
    const avg = stars.reduce((a, b) => a + b, 0) / stars.length; // ct-marker: average
    return avg;
  }

  totalCents(category: Category): number {
    return this.products
      .find((p) => p.category === category)
      .reduce((sum, p) => sum + p.priceCents, 0);
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function formatCents(cents: number): string {
  return `$${(cents / 100).toFixed(2)}`;
}
