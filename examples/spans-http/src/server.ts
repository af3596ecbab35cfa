// Answers one request, then exits. Its span continues the caller's trace (traceparent).
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { ConsoleExporter, SpanContext, SpanKind, configureTracers, getTracer } from "@codetracer/tracing";
import { priceOf } from "./prices.js";

configureTracers({ exporter: new ConsoleExporter({ stream: process.stderr }) });
const tracer = getTracer("shop-server");

const server = http.createServer((req, res) => {
  const parent = SpanContext.fromHeaders(req.headers);
  const [, , item = "", quantity = "1"] = (req.url ?? "").split("/");
  tracer.span(
    `${req.method} /price`,
    (span) => {
      const price = priceOf(item, Number(quantity));
      span.setAttribute("shop.item", item).setAttribute("http.status_code", 200);
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ item, price }));
    },
    { kind: SpanKind.SERVER, parent },
  );
  server.close(() => void tracer.shutdown());
});

server.listen(0, "127.0.0.1", () => {
  console.log(`listening on ${(server.address() as AddressInfo).port}`);
});
