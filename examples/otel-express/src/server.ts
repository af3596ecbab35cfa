// An express server answering one request, then exiting. Its spans come from OpenTelemetry's
// http and express instrumentations (src/telemetry.mjs); the handler adds a @codetracer/tracing
// span, whose parent is the OpenTelemetry span the handler runs in.
import express from "express";
import type { AddressInfo } from "node:net";
import { getTracer } from "@codetracer/tracing";
import { priceOf } from "./prices.js";

const tracer = getTracer("shop-server");
const app = express();

app.get("/price/:item/:quantity", (req, res) => {
  const { item, quantity } = req.params;
  const price = tracer.span("priceOf", (span) => {
    span.setAttribute("shop.item", item);
    return priceOf(item, Number(quantity));
  });
  res.json({ item, price });
  server.close();
});

const server = app.listen(0, "127.0.0.1", () => {
  console.log(`listening on ${(server.address() as AddressInfo).port}`);
});
