// Standard (TC39 2023-05) decorators on a class, methods, fields, accessors, getters and static
// members: the order in which decorator expressions are evaluated, decorators are applied and
// initializers run, and what each decorator receives in its context.
const log: string[] = [];

function tag(label: string) {
  log.push(`evaluate ${label}`);
  return function (value: unknown, context: DecoratorContext) {
    const c = context as { kind: string; name?: string | symbol; static?: boolean; private?: boolean };
    log.push(`apply ${label}: kind=${c.kind} name=${String(c.name)} static=${c.static ?? "-"} private=${c.private ?? "-"}`);
    context.addInitializer(function (this: unknown) {
      log.push(`initializer ${label}`);
    });
    return undefined;
  };
}

function logged<This, Args extends unknown[], R>(method: (this: This, ...args: Args) => R, context: ClassMethodDecoratorContext<This>) {
  const name = String(context.name);
  return function (this: This, ...args: Args): R {
    log.push(`call ${name}(${args.join(",")})`);
    const result = method.call(this, ...args);
    log.push(`return ${name} -> ${String(result)}`);
    return result;
  };
}

function doubled(_value: undefined, context: ClassFieldDecoratorContext) {
  return (initial: number) => {
    log.push(`field init ${String(context.name)} with ${initial}`);
    return initial * 2;
  };
}

function clamped(target: ClassAccessorDecoratorTarget<unknown, number>, context: ClassAccessorDecoratorContext) {
  return {
    get(this: unknown) {
      const v = target.get.call(this);
      log.push(`get ${String(context.name)} = ${v}`);
      return v;
    },
    set(this: unknown, v: number) {
      log.push(`set ${String(context.name)} = ${v}`);
      target.set.call(this, Math.min(v, 100));
    },
    init(v: number) {
      log.push(`accessor init ${String(context.name)} = ${v}`);
      return v + 1;
    },
  };
}

function sealedClass<T extends new (...args: any[]) => object>(cls: T, context: ClassDecoratorContext) {
  log.push(`class decorator on ${String(context.name)}`);
  return class extends cls {
    decoratedBy = "sealedClass";
  };
}

@sealedClass
@tag("class")
class Counter {
  @tag("field") @doubled count = 5;
  @clamped accessor level = 1;
  @tag("static field") static created = 0;
  @tag("private method") #secret() {
    return "secret";
  }

  constructor() {
    log.push("constructor body");
    Counter.created++;
  }

  @logged
  @tag("method")
  add(n: number): number {
    this.count += n;
    return this.count;
  }

  @tag("getter")
  get summary(): string {
    return `count=${this.count} level=${this.level} ${this.#secret()}`;
  }

  @tag("static method") static make(): Counter {
    return new Counter();
  }
}

log.push("--- class defined");
const c = Counter.make();
log.push("--- instance created");
c.add(3);
c.level = 500;
log.push(`summary: ${c.summary}`);
log.push(`decoratedBy: ${(c as Counter & { decoratedBy: string }).decoratedBy}, created: ${Counter.created}, name: ${Counter.name}`);
for (const line of log) console.log(line);
