// TypeScript enums (numeric with reverse mapping, string, computed, const enum, declaration
// merging), `as const` and `satisfies`: erased or compiled by the recorder's TS stripping.
enum Direction {
  Up = 1,
  Down,
  Left = 10,
  Right,
}

enum Color {
  Red = "RED",
  Green = "GREEN",
}

enum FileAccess {
  None = 0,
  Read = 1 << 1,
  Write = 1 << 2,
  ReadWrite = Read | Write,
  Length = "abc".length,
}

const enum Inlined {
  A = 100,
  B = A * 2,
}

enum Merged {
  First,
}
enum Merged {
  Second = 5,
}

function describeDirection(d: Direction): string {
  switch (d) {
    case Direction.Up:
      return "up";
    case Direction.Down:
      return "down";
    default:
      return `other(${Direction[d]})`;
  }
}

console.log("numeric:", Direction.Up, Direction.Down, Direction.Left, Direction.Right);
console.log("reverse mapping:", Direction[1], Direction[2], Direction[11], Direction[3]);
console.log("keys:", Object.keys(Direction).join(","));
console.log("string enum:", Color.Red, Object.keys(Color).join(","), (Color as Record<string, string>)["RED"]);
console.log("computed members:", FileAccess.ReadWrite, FileAccess[6], FileAccess.Length);
console.log("const enum:", Inlined.A, Inlined.B);
console.log("merged enum:", JSON.stringify(Merged));
for (const d of [Direction.Up, Direction.Down, Direction.Right]) {
  console.log("describe:", describeDirection(d));
}

const ROUTES = {
  home: "/",
  user: "/user/:id",
  nested: { deep: ["a", "b"] },
} as const;
type RouteName = keyof typeof ROUTES;

function route(name: RouteName): string {
  return ROUTES[name] === ROUTES.nested ? "nested" : String(ROUTES[name]);
}
console.log("as const:", route("home"), route("user"), route("nested"), Object.isFrozen(ROUTES));
const tuple = [1, "two", true] as const;
console.log("as const tuple:", tuple.length, tuple[1]);

interface Shape {
  kind: string;
  area(): number;
}
const square = {
  kind: "square",
  side: 3,
  area() {
    return this.side * this.side;
  },
} satisfies Shape;
console.log("satisfies keeps the narrow type:", square.side, square.area());

const palette = {
  primary: [255, 0, 0],
  secondary: "#00ff00",
} satisfies Record<string, string | number[]>;
console.log("satisfies:", palette.primary.length, palette.secondary.toUpperCase());

const checked = <T,>(value: T): T => value;
const angle = checked<number>(90) as unknown as string;
console.log("generic arrow + double assertion:", angle, typeof angle);
let maybe: string | undefined = "present";
console.log("non-null assertion:", maybe!.length);
