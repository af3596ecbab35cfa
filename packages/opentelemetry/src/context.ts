/**
 * Context shared both ways between `@codetracer/tracing` and OpenTelemetry in one process
 * (docs/spans.md, "OpenTelemetry or @codetracer/tracing?"): a span started with one API is the
 * child of the nearer (most recently started) of the current span of each API.
 *
 * - OpenTelemetry → CodeTracer: {@link installParentProvider} installs a provider in
 *   `@codetracer/tracing` (`setParentContextProvider`) that gives a CodeTracer span started without
 *   an explicit parent the active OpenTelemetry span as parent, when that one is nearer.
 * - CodeTracer → OpenTelemetry: {@link CodeTracerContextManager} wraps OpenTelemetry's context
 *   manager so its active context holds the current CodeTracer span (as a non-recording span with
 *   its ids, `trace.setSpan`) when that one is nearer; OpenTelemetry spans started there are its
 *   children, and OpenTelemetry's propagators send its ids.
 */
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import {
  context as otelContext,
  createTraceState,
  isSpanContextValid,
  propagation,
  trace,
  TraceFlags,
  type Context,
  type ContextManager,
  type Span as OtelSpan,
  type SpanContext as OtelSpanContext,
} from "@opentelemetry/api";
import {
  SpanContext,
  formatTracestate,
  getCurrentSpan,
  parseTracestate,
  setParentContextProvider,
  type ParentContextProvider,
  type Span,
} from "@codetracer/tracing";
import { markStarted, orderOf } from "./order.js";

/** CodeTracer spans → the OpenTelemetry span that stands for each in an OpenTelemetry context. */
const wrappers = new WeakMap<Span, OtelSpan>();
/** Those OpenTelemetry spans → their CodeTracer span. */
const wrapped = new WeakMap<OtelSpan, Span>();

/**
 * The OpenTelemetry stand-in of a CodeTracer span: a non-recording span with its trace and span
 * ids, sampled flag and trace state (one per span, so it is the same object every time).
 */
export function otelSpanOf(span: Span): OtelSpan {
  let stand = wrappers.get(span);
  if (stand === undefined) {
    const c = span.context;
    const state = formatTracestate(c.traceState);
    const sc: OtelSpanContext = {
      traceId: c.traceId,
      spanId: c.spanId,
      traceFlags: c.sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
      isRemote: false,
      ...(state !== undefined ? { traceState: createTraceState(state) } : {}),
    };
    stand = trace.wrapSpanContext(sc);
    wrappers.set(span, stand);
    wrapped.set(stand, span);
  }
  return stand;
}

/** When an OpenTelemetry span (or the stand-in of a CodeTracer span) started or was first entered; -1 if never seen. */
function otelOrder(span: OtelSpan): number {
  const own = wrapped.get(span);
  return own !== undefined ? orderOf(own) : orderOf(span);
}

/**
 * `@codetracer/tracing`'s context for an OpenTelemetry span context, as the parent of a new
 * span: its ids (lowercased), sampled flag, trace state, and the OpenTelemetry baggage of
 * `ctx` (values only). Undefined for an invalid context.
 */
export function spanContextOf(sc: OtelSpanContext, ctx?: Context): SpanContext | undefined {
  if (!isSpanContextValid(sc)) return undefined;
  const baggage: Record<string, string> = {};
  const bag = ctx === undefined ? undefined : propagation.getBaggage(ctx);
  if (bag !== undefined) for (const [key, entry] of bag.getAllEntries()) baggage[key] = entry.value;
  try {
    return new SpanContext({
      traceId: sc.traceId.toLowerCase(),
      spanId: sc.spanId.toLowerCase(),
      sampled: (sc.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED,
      traceState: (sc.traceState === undefined ? null : parseTracestate(sc.traceState.serialize())) ?? [],
      baggage,
    });
  } catch {
    return undefined;
  }
}

/**
 * The parent provider for `@codetracer/tracing`: a span started there without an explicit parent
 * gets the active OpenTelemetry span as parent when that one started after the current CodeTracer
 * span (or there is none), else the current CodeTracer span.
 */
const provider: ParentContextProvider = {
  parentFor(current) {
    const active = otelContext.active();
    const otelSpan = trace.getSpan(active);
    if (otelSpan === undefined) return current;
    const own = wrapped.get(otelSpan);
    if (own !== undefined) return current !== undefined && orderOf(current) > orderOf(own) ? current : own;
    if (current !== undefined && orderOf(current) > otelOrder(otelSpan)) return current;
    return spanContextOf(otelSpan.spanContext(), active) ?? current;
  },
  spanStarted(span) {
    markStarted(span);
  },
};

let installed = false;

/**
 * Installs the OpenTelemetry → CodeTracer direction: `@codetracer/tracing`'s parent provider
 * (`setParentContextProvider`), which reads the active OpenTelemetry span through
 * `@opentelemetry/api`'s global context. Idempotent; `CodeTracerSpanProcessor` calls it.
 * @returns a function that removes it again (if it is still the installed provider)
 */
export function installParentProvider(): () => void {
  if (!installed) {
    setParentContextProvider(provider);
    installed = true;
  }
  return () => {
    if (!installed) return;
    const previous = setParentContextProvider(undefined);
    if (previous !== provider) setParentContextProvider(previous);
    else installed = false;
  };
}

/**
 * An OpenTelemetry `ContextManager` that adds the current `@codetracer/tracing` span to
 * OpenTelemetry's active context when it is nearer than the active OpenTelemetry span (it started
 * later), so OpenTelemetry spans started inside a CodeTracer span are its children and
 * OpenTelemetry's propagators (`traceparent`) carry its ids; its baggage too, when the context has
 * no OpenTelemetry baggage. It wraps another manager (default: `AsyncLocalStorageContextManager`,
 * the one `@opentelemetry/sdk-trace-node` uses), which keeps OpenTelemetry's own context.
 *
 * Install it as the SDK's context manager: `new NodeSDK({ contextManager: new
 * CodeTracerContextManager(), … })` or `provider.register({ contextManager: new
 * CodeTracerContextManager() })`.
 */
export class CodeTracerContextManager implements ContextManager {
  /**
   * @param inner - the manager that keeps OpenTelemetry's context (enabled and disabled with this one)
   */
  constructor(readonly inner: ContextManager = new AsyncLocalStorageContextManager()) {}

  /** The active context: the inner manager's, with the current CodeTracer span when that one is nearer. */
  active(): Context {
    const ctx = this.inner.active();
    const current = getCurrentSpan();
    if (current === undefined) return ctx;
    const otelSpan = trace.getSpan(ctx);
    if (otelSpan !== undefined && (wrapped.get(otelSpan) === current || otelOrder(otelSpan) >= orderOf(current))) return ctx;
    let next = trace.setSpan(ctx, otelSpanOf(current));
    const baggage = current.context.baggage;
    const keys = Object.keys(baggage);
    if (keys.length > 0 && propagation.getBaggage(ctx) === undefined) {
      const entries: Record<string, { value: string }> = {};
      for (const key of keys) entries[key] = { value: baggage[key]! };
      next = propagation.setBaggage(next, propagation.createBaggage(entries));
    }
    return next;
  }

  /**
   * Runs `fn` with `context` active (through the inner manager). A span in `context` that was not
   * started through the SDK's processors (a remote parent from a propagator) counts as started now.
   */
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(context: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    const span = trace.getSpan(context);
    if (span !== undefined && !wrapped.has(span)) markStarted(span);
    return this.inner.with(context, fn, thisArg, ...args);
  }

  /** The inner manager's `bind`. */
  bind<T>(context: Context, target: T): T {
    return this.inner.bind(context, target);
  }

  /** Enables the inner manager. */
  enable(): this {
    this.inner.enable();
    return this;
  }

  /** Disables the inner manager. */
  disable(): this {
    this.inner.disable();
    return this;
  }
}
