/**
 * `trace()`: wraps a function so each call runs in a span, or decorates a class method the
 * same way (a standard TypeScript 5 / TC39 method decorator).
 */
import type { SpanKind } from "./span-context.js";
import { getTracer, type Tracer } from "./tracer.js";

/** Options of {@link trace}. */
export interface TraceOptions {
  /** The span name. Default: the function's name (`Class.method` for a method), else `anonymous`. */
  name?: string;
  kind?: SpanKind;
  /** The tracer. Default: `getTracer("default")`. */
  tracer?: Tracer;
}

type AnyFunction = (this: unknown, ...args: never[]) => unknown;

function wrap<F extends AnyFunction>(fn: F, name: string, options: TraceOptions): F {
  const wrapped = function (this: unknown, ...args: Parameters<F>): ReturnType<F> {
    const tracer = options.tracer ?? getTracer("default");
    return tracer.span(name, () => fn.apply(this, args), options.kind !== undefined ? { kind: options.kind } : {}) as ReturnType<F>;
  };
  Object.defineProperty(wrapped, "name", { value: fn.name, configurable: true });
  Object.defineProperty(wrapped, "length", { value: fn.length, configurable: true });
  return wrapped as unknown as F;
}

function isMethodContext(value: unknown): value is ClassMethodDecoratorContext {
  return value !== null && typeof value === "object" && (value as { kind?: unknown }).kind === "method";
}

/**
 * Wraps `fn` so each call runs in a span of that name (see `Tracer.span`: ended on return, throw
 * or rejection, exceptions recorded). `this`, the arguments, the result and `fn.name` are kept.
 */
export function trace<F extends AnyFunction>(fn: F, options?: TraceOptions): F;
/** A function wrapper or method decorator with options: `trace({ name })(fn)`, `@trace({ kind })`. */
export function trace(options: TraceOptions): <F extends AnyFunction>(fn: F, context?: ClassMethodDecoratorContext) => F;
/** The method decorator without options: `@trace` (span name `Class.method`). */
export function trace<F extends AnyFunction>(method: F, context: ClassMethodDecoratorContext): F;
export function trace(first: AnyFunction | TraceOptions, second?: TraceOptions | ClassMethodDecoratorContext): unknown {
  if (typeof first !== "function") {
    const options = first;
    return (fn: AnyFunction, context?: ClassMethodDecoratorContext) => decorateOrWrap(fn, context, options);
  }
  return isMethodContext(second) ? decorateOrWrap(first, second, {}) : decorateOrWrap(first, undefined, second ?? {});
}

function decorateOrWrap(fn: AnyFunction, context: ClassMethodDecoratorContext | undefined, options: TraceOptions): AnyFunction {
  if (typeof fn !== "function") throw new TypeError("trace() wraps a function or decorates a method");
  if (!context) return wrap(fn, options.name ?? (fn.name || "anonymous"), options);
  const method = String(context.name);
  let name = options.name;
  // The class's name is known when an instance or the class itself first exists.
  context.addInitializer(function (this: unknown) {
    if (name !== undefined) return;
    const owner = context.static ? (this as { name?: string }) : (this as { constructor?: { name?: string } }).constructor;
    name = `${owner?.name || "anonymous"}.${method}`;
  });
  const wrapped = function (this: unknown, ...args: never[]): unknown {
    const tracer = options.tracer ?? getTracer("default");
    return tracer.span(name ?? method, () => fn.apply(this, args), options.kind !== undefined ? { kind: options.kind } : {});
  };
  Object.defineProperty(wrapped, "name", { value: fn.name, configurable: true });
  return wrapped;
}
