// TypeScript namespaces: nested (dotted and explicit), merged across declarations, merged
// with a function, a class and an enum, exported members used from outside, and non-exported
// members kept private.
namespace Geometry {
  const PRECISION = 2; // not exported: private to the namespace body
  export function round(n: number): number {
    return Number(n.toFixed(PRECISION));
  }
  export namespace Shapes {
    export class Circle {
      constructor(public r: number) {}
      area(): number {
        return round(Math.PI * this.r * this.r);
      }
    }
    export const unit = new Circle(1);
  }
  // (`export let` in a namespace is not supported by Babel's TS transform: use an object.)
  export const stats = { created: 0 };
  export function track(): number {
    return ++stats.created;
  }
}

namespace Geometry {
  // A second declaration of the same namespace: sees exported members of the first only, through
  // the namespace object (Babel does not resolve unqualified references across declarations).
  export function describe(): string {
    return `round(1.005)=${Geometry.round(1.005)} unitArea=${Geometry.Shapes.unit.area()} private=${typeof (Geometry as any).PRECISION}`;
  }
}

namespace Outer.Middle.Inner {
  export const depth = 3;
  export function path(): string {
    return "Outer.Middle.Inner";
  }
}

function format(value: number): string {
  return format.prefix + value.toFixed(format.settings.digits);
}
namespace format {
  export const prefix = "$";
  export const settings = { digits: 1 };
}

class Temperature {
  constructor(readonly celsius: number) {}
  toString(): string {
    return `${this.celsius}C`;
  }
}
namespace Temperature {
  export function fromFahrenheit(f: number): Temperature {
    return new Temperature(Math.round(((f - 32) * 5) / 9));
  }
  export const freezing = new Temperature(0);
}

enum Level {
  Low = 1,
  High = 3,
}
namespace Level {
  export function parse(s: string): Level {
    return s === "high" ? Level.High : Level.Low;
  }
}

console.log("nested class:", new Geometry.Shapes.Circle(2).area());
console.log("merged namespace:", Geometry.describe());
console.log("mutable export:", Geometry.track(), Geometry.track(), Geometry.stats.created);
console.log("dotted namespace:", Outer.Middle.Inner.path(), Outer.Middle.Inner.depth, Object.keys(Outer).join(","));
console.log("function + namespace:", format(3.14159), format.prefix);
format.settings.digits = 3;
console.log("after changing digits:", format(3.14159));
console.log("class + namespace:", String(Temperature.fromFahrenheit(212)), String(Temperature.freezing));
console.log("enum + namespace:", Level.parse("high"), Level.parse("low"), Object.keys(Level).join(","));

import Circle = Geometry.Shapes.Circle;
console.log("import alias:", new Circle(3).area());
