// Asks the server for a price. OpenTelemetry's http instrumentation (src/telemetry.mjs) makes the
// CLIENT span and sends its context as traceparent; it runs inside a @codetracer/tracing span,
// which is its parent.
import http from "node:http";
import { getTracer } from "@codetracer/tracing";

const tracer = getTracer("shop-client");
const port = Number(process.argv[2]);

function get(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: "127.0.0.1", port, path }, (res) => {
        let body = "";
        res.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
        res.on("end", () => resolve(body));
      })
      .on("error", reject);
  });
}

await tracer.span("buy tea", async () => {
  const answer = JSON.parse(await get("/price/tea/2")) as { item: string; price: number };
  console.log(`${answer.item} costs ${answer.price}`);
});
