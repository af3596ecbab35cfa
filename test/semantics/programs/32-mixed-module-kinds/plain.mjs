export const plainKind = "plain ESM";
export function plainDouble(n) {
  return n * 2;
}
