/**
 * `trace()`: wraps a function so each call runs in a span, or decorates a class method the
 * same way, as a standard (TC39, TypeScript 5) method decorator or as a legacy one
 * (TypeScript's `experimentalDecorators`, Babel's `legacy` decorators: `(target, key,
 * descriptor)`). See docs/spans.md, "The API".
 */
import { TracingError } from "./errors.js";
import type { SpanKind } from "./span-context.js";
import { getTracer, type Tracer } from "./tracer.js";

/** Options of {@link trace}. */
export interface TraceOptions {
  /** The span name. Default: the function's name (`Class.method` for a method), else `anonymous`. */
  name?: string;
  kind?: SpanKind;
  /** The tracer. Default: `getTracer(tracerName)`, looked up at each call. */
  tracer?: Tracer;
  /** The name of the tracer (the specification's `tracer_name`), when `tracer` is not given. Default: `"default"`. */
  tracerName?: string;
}

type AnyFunction = (this: unknown, ...args: never[]) => unknown;

/**
 * What `trace(options)` and `trace(name)` return: a function wrapper, a standard method
 * decorator, and a legacy (`experimentalDecorators`) method decorator in one.
 */
export interface TraceDecorator {
  /** Wraps `fn`, or (with a standard decorator `context`) decorates the method `fn`. */
  <F extends AnyFunction>(fn: F, context?: ClassMethodDecoratorContext): F;
  /** A legacy method decorator: returns the descriptor with its `value` wrapped. */
  <T>(target: object, key: string | symbol, descriptor: TypedPropertyDescriptor<T>): TypedPropertyDescriptor<T>;
}

const OPTION_NAMES = ["name", "kind", "tracer", "tracerName"];

/** `value` as {@link TraceOptions}, checked. */
function traceOptions(value: unknown): TraceOptions {
  if (value === undefined) return {};
  if (typeof value === "string") return { name: value };
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw new TracingError(
      "ERR_INVALID_TRACER_ARGUMENT",
      `trace(): the options are an object (${OPTION_NAMES.join(", ")}) or a span name, got ${value === null ? "null" : typeof value}`,
    );
  const unknown = Object.keys(value).filter((key) => !OPTION_NAMES.includes(key));
  if (unknown.length > 0)
    throw new TracingError("ERR_INVALID_TRACER_ARGUMENT", `trace(): unknown option ${unknown.join(", ")} (the options are ${OPTION_NAMES.join(", ")})`);
  return value as TraceOptions;
}

/** A function that runs `fn` in a span named by `name()` at each call; `this`, arguments, result, `name` and `length` kept. */
function wrap(fn: AnyFunction, name: () => string, options: TraceOptions): AnyFunction {
  const spanOptions = options.kind !== undefined ? { kind: options.kind } : {};
  const wrapped = function (this: unknown, ...args: never[]): unknown {
    const tracer = options.tracer ?? getTracer(options.tracerName ?? "default");
    return tracer.span(name(), () => fn.apply(this, args), spanOptions);
  };
  Object.defineProperty(wrapped, "name", { value: fn.name, configurable: true });
  Object.defineProperty(wrapped, "length", { value: fn.length, configurable: true });
  return wrapped;
}

/** Whether `value` is a standard decorator's context object (its `kind` is a string; a span kind is a number). */
function isDecoratorContext(value: unknown): value is DecoratorContext {
  return value !== null && typeof value === "object" && typeof (value as { kind?: unknown }).kind === "string" && "name" in value;
}

/** Whether `fn` is a `class` (calling it without `new` would throw). */
function isClass(fn: AnyFunction): boolean {
  try {
    return /^class[\s{]/.test(Function.prototype.toString.call(fn));
  } catch {
    return false;
  }
}

function unsupported(what: string): never {
  throw new TracingError("ERR_TRACE_UNSUPPORTED_TARGET", `trace() wraps a function or decorates a method, not ${what}`);
}

/** `trace(fn, options)`: the function wrapper. */
function wrapFunction(fn: AnyFunction, options: TraceOptions): AnyFunction {
  if (isClass(fn)) unsupported(`a class (${fn.name || "anonymous"})`);
  const name = options.name ?? (fn.name || "anonymous");
  return wrap(fn, () => name, options);
}

/** A standard (TC39) decorator applied to `value` with `context`. */
function decorateStandard(value: unknown, context: DecoratorContext, options: TraceOptions): AnyFunction {
  if (context.kind !== "method" || typeof value !== "function") unsupported(`a ${context.kind} (${String(context.name)})`);
  const method = String(context.name);
  let name = options.name;
  // The class's name is known when an instance or the class itself first exists.
  context.addInitializer(function (this: unknown) {
    if (name !== undefined) return;
    const owner = context.static ? (this as { name?: string }) : (this as { constructor?: { name?: string } }).constructor;
    name = `${owner?.name || "anonymous"}.${method}`;
  });
  return wrap(value as AnyFunction, () => name ?? method, options);
}

/** A legacy decorator (`experimentalDecorators`): `target` is the prototype, or the class for a static method. */
function decorateLegacy(target: unknown, key: string | symbol, descriptor: unknown, options: TraceOptions): PropertyDescriptor {
  const method = String(key);
  const d = descriptor as PropertyDescriptor | undefined;
  if (d === undefined || d === null || typeof d !== "object") unsupported(`a field (${method})`);
  if (typeof d.get === "function" || typeof d.set === "function") unsupported(`an accessor (${method})`);
  if (typeof d.value !== "function") unsupported(`a field (${method})`);
  const owner = typeof target === "function" ? (target as { name?: string }) : (target as { constructor?: { name?: string } } | null)?.constructor;
  const name = options.name ?? `${owner?.name || "anonymous"}.${method}`;
  return { ...d, value: wrap(d.value as AnyFunction, () => name, options) };
}

/** The decorator/wrapper `trace(options)` returns. */
function decorator(options: TraceOptions): TraceDecorator {
  return function traceDecorator(target: unknown, key?: unknown, descriptor?: unknown): unknown {
    if (typeof key === "string" || typeof key === "symbol") return decorateLegacy(target, key, descriptor, options);
    if (isDecoratorContext(key)) return decorateStandard(target, key, options);
    if (typeof target === "function" && key === undefined) return wrapFunction(target as AnyFunction, options);
    return unsupported(target === null ? "null" : typeof target);
  } as TraceDecorator;
}

/**
 * Wraps `fn` so each call runs in a span of that name (see `Tracer.span`: ended on return, throw
 * or rejection, exceptions recorded). `this`, the arguments, the result, `fn.name` and
 * `fn.length` are kept.
 * @throws TracingError `ERR_TRACE_UNSUPPORTED_TARGET` for a class; `ERR_INVALID_TRACER_ARGUMENT` for options that are not an object of {@link TraceOptions}
 */
export function trace<F extends AnyFunction>(fn: F, options?: TraceOptions): F;
/**
 * A function wrapper or method decorator with options, or with the span name (the
 * specification's `trace(name)`): `trace({ name })(fn)`, `@trace({ kind })`, `@trace("load")`.
 * Works as a standard and as a legacy (`experimentalDecorators`) decorator.
 */
export function trace(options: TraceOptions | string): TraceDecorator;
/** The standard method decorator without options: `@trace` (span name `Class.method`). */
export function trace<F extends AnyFunction>(method: F, context: ClassMethodDecoratorContext): F;
/**
 * The legacy method decorator without options (`experimentalDecorators: true`): `@trace` (span
 * name `Class.method`); returns the descriptor with its method wrapped.
 * @throws TracingError `ERR_TRACE_UNSUPPORTED_TARGET` on a field, getter, setter or accessor
 */
export function trace<T>(target: object, key: string | symbol, descriptor: TypedPropertyDescriptor<T>): TypedPropertyDescriptor<T>;
export function trace(first: unknown, second?: unknown, third?: unknown): unknown {
  if (typeof second === "string" || typeof second === "symbol") return decorateLegacy(first, second, third, {});
  if (isDecoratorContext(second)) return decorateStandard(first, second, {});
  if (typeof first === "function") return wrapFunction(first as AnyFunction, traceOptions(second));
  if (first === undefined || first === null || (typeof first !== "object" && typeof first !== "string")) unsupported(first === null ? "null" : typeof first);
  return decorator(traceOptions(first));
}
