// The server's logic: what the recording shows step by step.
const PRICES: Record<string, number> = { tea: 350, coffee: 420 };

export function priceOf(item: string, quantity: number): number {
  const unit = PRICES[item] ?? 0;
  const total = unit * quantity;
  return total;
}
