// TypeScript legacy decorators (`experimentalDecorators: true` in tsconfig.json): class,
// method, accessor, property and parameter decorators, decorator factories, and the order in
// which TypeScript evaluates and applies them.
const log: string[] = [];

function classTag(label: string) {
  log.push(`evaluate class ${label}`);
  return function <T extends Function>(target: T): T | void {
    log.push(`apply class ${label} to ${target.name}`);
  };
}

function frozenClass<T extends new (...args: any[]) => object>(target: T): T {
  log.push(`apply frozenClass to ${target.name}`);
  return class extends target {
    frozen = true;
  };
}

function method(label: string) {
  log.push(`evaluate method ${label}`);
  return function (target: object, key: string | symbol, descriptor: PropertyDescriptor): PropertyDescriptor | void {
    const where = typeof target === "function" ? "static" : "prototype";
    log.push(`apply method ${label} to ${where}.${String(key)} writable=${descriptor.writable}`);
  };
}

function traced(target: object, key: string, descriptor: PropertyDescriptor): PropertyDescriptor {
  const original = descriptor.value as (...args: unknown[]) => unknown;
  descriptor.value = function (this: unknown, ...args: unknown[]) {
    log.push(`enter ${key}(${args.join(",")})`);
    const result = original.apply(this, args);
    log.push(`leave ${key} = ${String(result)}`);
    return result;
  };
  return descriptor;
}

function prop(label: string) {
  log.push(`evaluate prop ${label}`);
  return function (target: object, key: string | symbol): void {
    log.push(`apply prop ${label} to ${String(key)} (descriptor on prototype: ${Object.getOwnPropertyDescriptor(target, key) !== undefined})`);
  };
}

function param(label: string) {
  log.push(`evaluate param ${label}`);
  return function (target: object, key: string | symbol | undefined, index: number): void {
    log.push(`apply param ${label} to ${String(key)}[${index}]`);
  };
}

function accessor(target: object, key: string, descriptor: PropertyDescriptor): void {
  log.push(`apply accessor to ${key} get=${typeof descriptor.get} set=${typeof descriptor.set}`);
}

@frozenClass
@classTag("outer")
@classTag("inner")
class Service {
  @prop("name") name = "svc";
  @prop("static") static registry = "global";

  constructor(@param("ctor0") public url: string, @param("ctor1a") @param("ctor1b") retries = 1) {
    log.push(`constructor url=${url} retries=${retries}`);
  }

  @method("first")
  @method("second")
  @traced
  fetch(@param("path") path: string, @param("attempt") attempt = 1): string {
    return `${this.url}${path}#${attempt}`;
  }

  @accessor
  get endpoint(): string {
    return this.url + "/api";
  }

  @method("static")
  static create(@param("static url") url: string): Service {
    return new Service(url);
  }
}

class Plain {
  greet(@param("plain") who: string): string {
    return `hi ${who}`;
  }
}

log.push("--- class defined");
log.push(new Plain().greet("you"));
const svc = Service.create("http://x");
log.push(`fetch: ${svc.fetch("/a", 2)}`);
log.push(`endpoint: ${svc.endpoint} frozen: ${(svc as Service & { frozen: boolean }).frozen} name: ${svc.name}`);
for (const line of log) console.log(line);
