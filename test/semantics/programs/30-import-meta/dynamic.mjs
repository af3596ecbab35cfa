export const named = "named export";
export default function defaultExport() {
  return "default from " + import.meta.url.split("/").pop();
}
