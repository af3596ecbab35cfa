// A small TypeScript store: classes, generics, async loading across two modules.
import { Category, Priority, Store, delay, formatCents, type Product, type Review } from "./store.js";

async function loadProducts(): Promise<Product[]> {
  await delay(5);
  return [
    { id: "p1", title: "Dune", category: Category.Book, priceCents: 1299 },
    { id: "p2", title: "Tetris", category: Category.Game, priceCents: 499 },
    { id: "p3", title: "Neuromancer", category: Category.Book, priceCents: 999 },
  ];
}

async function loadReviews(): Promise<Review[]> {
  await delay(1);
  return [
    { id: "r1", productId: "p1", stars: 5 },
    { id: "r2", productId: "p1", stars: 4 },
    { id: "r3", productId: "p2", stars: 3 },
  ];
}

function priorityFor(product: Product): Priority {
  return product.priceCents >= 1000 ? Priority.High : Priority.Normal;
}

async function main(): Promise<void> {
  const store = new Store("Corner Shop");
  const [products, reviews] = await Promise.all([loadProducts(), loadReviews()]);
  for (const p of products) store.products.add(p);
  for (const r of reviews) store.reviews.add(r);

  console.log(`${store.name}: ${store.products.size} products, ${store.reviews.size} reviews`);
  for (const p of products) {
    const stars = store.averageStars(p.id);
    const priority = Priority[priorityFor(p)];
    console.log(`- ${p.title} (${p.category}) ${formatCents(p.priceCents)} stars=${stars} priority=${priority}`);
  }
  const books = store.totalCents(Category.Book); // ct-marker: books-total
  console.log(`books total: ${formatCents(books)}`);

  try {
    store.products.add(products[0]!);
  } catch (error) {
    console.log(`rejected: ${(error as Error).message}`);
  }
}

await main();
