// `emitDecoratorMetadata`: TypeScript's design-type metadata read by a tiny dependency-injection
// container (the pattern of NestJS, tsyringe, TypeORM), with constructor parameter decorators.
// A minimal `Reflect.metadata` polyfill stands in for the `reflect-metadata` package.
const store = new WeakMap<object, Map<string, unknown>>();
const keyed = (target: object, key?: string | symbol) => (key === undefined ? target : Object.getOwnPropertyDescriptor(target, key) ?? target);
const R = Reflect as unknown as {
  metadata(k: string, v: unknown): (target: object, key?: string | symbol) => void;
  getMetadata(k: string, target: object, key?: string | symbol): unknown;
};
R.metadata = (k, v) => (target, key) => {
  const owner = key === undefined ? target : (target as Record<string | symbol, object>)[key as string] ?? target;
  if (!store.has(owner)) store.set(owner, new Map());
  store.get(owner)!.set(k, v);
};
R.getMetadata = (k, target, key) => {
  const owner = key === undefined ? target : (target as Record<string | symbol, object>)[key as string] ?? keyed(target, key);
  return store.get(owner)?.get(k);
};

type Ctor<T = object> = new (...args: any[]) => T;
const tokens = new Map<Ctor, Map<number, string>>();
const registry = new Map<string, unknown>();

function Injectable(): ClassDecorator {
  return (target) => console.log(`injectable ${target.name}`);
}
function Inject(token: string): ParameterDecorator {
  return (target, _key, index) => {
    const map = tokens.get(target as unknown as Ctor) ?? new Map<number, string>();
    map.set(index, token);
    tokens.set(target as unknown as Ctor, map);
  };
}
function Log(): MethodDecorator {
  return (target, key) => {
    const types = R.getMetadata("design:paramtypes", target, key) as Ctor[] | undefined;
    console.log(`method ${String(key)} takes`, types?.map((t) => t.name).join(", "));
  };
}
function Column(): PropertyDecorator {
  return (target, key) => console.log(`column ${String(key)}:`, (R.getMetadata("design:type", target, key) as Ctor | undefined)?.name);
}

@Injectable()
class Clock {
  now(): number {
    return 1700000000;
  }
}

@Injectable()
class Repo {
  @Column() table: string = "users";
  @Column() size: number = 3;
  constructor(public clock: Clock) {}
  @Log()
  find(id: number, verbose: boolean): string {
    return `${this.table}#${id}@${this.clock.now()}${verbose ? "!" : ""}`;
  }
}

@Injectable()
class Service {
  constructor(private repo: Repo, @Inject("greeting") private greeting: string) {}
  run(): string {
    return `${this.greeting}: ${this.repo.find(7, true)}`;
  }
}

function resolve<T>(ctor: Ctor<T>): T {
  const types = (R.getMetadata("design:paramtypes", ctor) as Ctor[] | undefined) ?? [];
  const named = tokens.get(ctor);
  const args = types.map((t, i) => (named?.has(i) ? registry.get(named.get(i)!) : resolve(t)));
  console.log(`resolve ${ctor.name}(${types.map((t) => t.name).join(", ")})`);
  return new ctor(...args);
}

registry.set("greeting", "hello");
console.log(resolve(Service).run());
