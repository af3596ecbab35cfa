const value = await Promise.resolve("lazy value");
export function lazy() {
  return value + " via dynamic import";
}
