export const events = [];
events.push("dep start");
export let loadedAt = "not yet";

async function fetchConfig() {
  events.push("fetchConfig start");
  await new Promise((resolve) => setTimeout(resolve, 10));
  events.push("fetchConfig end");
  return { mode: "test", retries: 3 };
}

export const config = await fetchConfig();
await Promise.resolve();
events.push("dep after second await");
loadedAt = "yes";
