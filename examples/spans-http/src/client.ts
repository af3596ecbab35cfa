// Asks the server for a price, passing its span's context as traceparent.
import * as http from "node:http";
import { ConsoleExporter, SpanKind, configureTracers, getTracer } from "@codetracer/tracing";

configureTracers({ exporter: new ConsoleExporter({ stream: process.stderr }) });
const tracer = getTracer("shop-client");
const port = Number(process.argv[2]);

function get(path: string, headers: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: "127.0.0.1", port, path, headers }, (res) => {
        let body = "";
        res.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
        res.on("end", () => resolve(body));
      })
      .on("error", reject);
  });
}

await tracer.span(
  "GET /price",
  async (span) => {
    const body = await get("/price/tea/2", span.context.toHeaders());
    const answer = JSON.parse(body) as { item: string; price: number };
    console.log(`${answer.item} costs ${answer.price}`);
  },
  { kind: SpanKind.CLIENT },
);
await tracer.shutdown();
