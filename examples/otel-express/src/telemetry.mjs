// OpenTelemetry set-up, preloaded before the program (node --import ./src/telemetry.mjs): the SDK
// with the http and express auto-instrumentations (through OpenTelemetry's ES module hook, which
// intercepts only the modules an instrumentation hooks), and @codetracer/opentelemetry's span processor
// (each span's start and end in the CodeTracer recording) and context manager (spans of
// @codetracer/tracing and of OpenTelemetry parent each other).
import { register } from "node:module";
import { createAddHookMessageChannel } from "import-in-the-middle";
import { CodeTracerContextManager, CodeTracerSpanProcessor } from "@codetracer/opentelemetry";
import { registerInstrumentations } from "@opentelemetry/instrumentation";
import { ExpressInstrumentation } from "@opentelemetry/instrumentation-express";
import { HttpInstrumentation } from "@opentelemetry/instrumentation-http";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";

// The ES module hook first, told which modules the instrumentations hook (express, node:http),
// so only those are intercepted.
const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
register("import-in-the-middle/hook.mjs", import.meta.url, registerOptions);

const provider = new NodeTracerProvider({
  // Add your exporter's processor here too, e.g. new BatchSpanProcessor(new OTLPTraceExporter()).
  spanProcessors: [new CodeTracerSpanProcessor()],
});
provider.register({ contextManager: new CodeTracerContextManager() });
registerInstrumentations({ instrumentations: [new HttpInstrumentation(), new ExpressInstrumentation()] });
await waitForAllMessagesAcknowledged();
