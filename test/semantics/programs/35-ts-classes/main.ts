// TypeScript class features the recorder must strip without changing what runs: parameter
// properties (base and derived), `declare` fields, definite assignment, `override`, abstract
// classes and members, overloads, `import type` / `export type`, access modifiers.
import type { Named } from "./types.js";
import { type Tagged, makeTag } from "./types.js";
import * as typesModule from "./types.js";

const order: string[] = [];

abstract class Base implements Named {
  static instances = 0;
  protected readonly created = order.push("Base field initializer");
  abstract readonly kind: string;
  declare readonly brand: "base"; // no field emitted
  definite!: number; // a real field (undefined until set)

  constructor(private secret: number, public name = "anonymous") {
    order.push(`Base constructor secret=${secret} name=${name}`);
    Base.instances++;
  }

  abstract area(): number;

  describe(): string {
    return `${this.kind} ${this.name} area=${this.area()} secret=${this.secret}`;
  }

  protected hook(): string {
    return "base hook";
  }
}

class Rect extends Base {
  readonly kind = "rect";
  label = order.push("Rect field initializer");

  constructor(public w: number, public h: number, name?: string) {
    order.push("Rect constructor before super");
    super(w * h, name);
    order.push(`Rect constructor after super w=${this.w}`);
  }

  override area(): number {
    return this.w * this.h;
  }

  protected override hook(): string {
    return "rect hook + " + super.hook();
  }

  callHook(): string {
    return this.hook();
  }
}

class Square extends Rect {
  declare kind: "rect";
  constructor(side: number) {
    super(side, side, "square");
  }
  override describe(): string {
    return "[square] " + super.describe();
  }
}

const r = new Rect(2, 3, "r1");
console.log("construction order:", order.join(" | "));
console.log("describe:", r.describe(), "|", r.callHook());
console.log("own keys:", Object.keys(r).join(","));
console.log("declare field absent:", "brand" in r, "definite present:", "definite" in r, r.definite);
const s = new Square(4);
console.log("square:", s.describe(), "instances:", Base.instances);
console.log("abstract base is a real class:", typeof Base, Base.name, Object.getPrototypeOf(Square) === Rect);

function pad(value: number): string;
function pad(value: string, width: number): string;
function pad(value: string | number, width = 4): string {
  return String(value).padStart(width, ".");
}
console.log("overloads:", pad(7), pad("ab", 5), "length:", pad.length);

class Parser {
  parse(input: string): number;
  parse(input: string[]): number[];
  parse(input: string | string[]): number | number[] {
    return Array.isArray(input) ? input.map((x) => this.parse(x)) : Number.parseInt(input, 10);
  }
}
console.log("method overloads:", new Parser().parse("12"), new Parser().parse(["1", "2"]));

let lateInit!: string;
function initLate(): void {
  lateInit = "initialised later";
}
initLate();
console.log("definite assignment:", lateInit);

const tagged: Tagged<number> = makeTag(5);
const named: Named = { name: "plain object" };
console.log("type-only imports erased:", tagged.tag, named.name, Object.keys(typesModule).sort().join(","));

class Accessors {
  #hidden = 1;
  private _value = 10;
  get value(): number {
    return this._value + this.#hidden;
  }
  set value(v: number) {
    this._value = v;
  }
  static create<T extends Accessors>(this: new () => T): T {
    return new this();
  }
}
const acc = Accessors.create();
acc.value = 20;
console.log("accessors + this parameter:", acc.value, Accessors.create.length);
