/**
 * Behaviour spec: each case is a small program, run instrumented with a real `Recorder`, and the
 * events it must record, written out by hand in the rendering of `./render-events.ts` (`Step:3`,
 * `Call:make(n=1)`, `Value:x=1`, `Return:3`, `Event:11:…`). The expected renderings follow
 * docs/recording.md ("Events"); `why` says which rule each case shows. Every stream is also
 * checked to be valid (entry steps as errors) and balanced.
 *
 * Programs run as CommonJS unless `format: "module"` (then as a native ES module, logging with
 * `globalThis.__ctlog`); `log(...)` is the harness's logger. Line 1 is the first line of `code`.
 * Each run starts with the recorder's `Call:<top-level>()`, then the module body's entry
 * `Step:1` and `Call:<module>()`, and ends with `Return:<exit code>` of `<top-level>`.
 */
import { validateEvents } from "@codetracer/trace-format";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { instrument, NATIVE_USING } from "../src/instrument.js";
import type { ScopeFilter } from "../src/plugin.js";
import { cleanupTemp, dedent, dump, runRecorded, VIRTUAL, type Format } from "./helpers.js";
import { renderEvents } from "./render-events.js";

interface Case {
  name: string;
  /** The rule of docs/recording.md the case shows, and how to read its events. */
  why: string;
  code: string;
  format?: Format;
  /** Default `/virtual/case.js`; a `.ts` name compiles TypeScript. */
  filename?: string;
  /** The trace filter's decisions, passed to `instrument()`. */
  scopes?: ScopeFilter;
  /** The expected rendering, one event a line (indentation and `  # comments" are ignored). */
  events: string;
  /**
   * A known discrepancy: `events` is what docs/recording.md says, the recorder does otherwise
   * today, and the case passes while they differ (it fails once fixed: then drop the flag).
   */
  knownBug?: {
    what: string;
    /** What the recorder writes today (pinned, so a change is seen). */
    recorded: string;
  };
  /** Run only when this is true (an engine-dependent compile). */
  runIf?: boolean;
}

afterEach(() => {
  delete (globalThis as Record<string, unknown>).__codetracer__;
});
afterAll(cleanupTemp);

const cases: Case[] = [
  {
    name: "call-return",
    why: "entry Step at the definition line, Call with the arguments, one Step per statement with the locals initialised there, Return with the value",
    code: `
    function add(a, b) {
      const c = a + b;
      return c;
    }
    add(1, 2);
  `,
    events: `
      Call:<top-level>()
      Step:1
      Call:<module>()
      Step:5
      Step:1
      Call:add(a=1,b=2)
      Step:2
      Value:a=1
      Value:b=2
      Step:3
      Value:a=1
      Value:b=2
      Value:c=3
      Return:3
      Return:None
      Return:0
    `,
  },
  {
    name: "void-return",
    why: "falling off the end returns None",
    code: `
    function hello(name) {
      log(name);
    }
    hello("x");
  `,
    events: `
      Call:<top-level>()
      Step:1
      Call:<module>()
      Step:4
      Step:1
      Call:hello(name="x")
      Step:2
      Value:name="x"
      Return:None
      Return:None
      Return:0
    `,
  },
  {
    name: "nested",
    why: "the callee's Call nests inside the caller's step; the caller's next step comes after the callee's Return",
    code: `
    function inner(n) {
      return n * 2;
    }
    function outer(n) {
      const m = inner(n) + 1;
      return m;
    }
    outer(3);
  `,
    events: `
      Call:<top-level>()
      Step:1
      Call:<module>()
      Step:8
      Step:4
      Call:outer(n=3)
      Step:5
      Value:n=3
      Step:1
      Call:inner(n=3)
      Step:2
      Value:n=3
      Return:6
      Step:6
      Value:n=3
      Value:m=7
      Return:7
      Return:None
      Return:0
    `,
  },
  {
    name: "defaults-destructuring",
    why: "Call args are the pattern leaves, after defaults (d = a + c = 3); rest is an array",
    code: `
    function f({ a, b: [c] }, d = a + c, ...rest) {
      return d;
    }
    f({ a: 1, b: [2] }, undefined, 9);
  `,
    events: `
      Call:<top-level>()
      Step:1
      Call:<module>()
      Step:4
      Step:1
      Call:f(a=1,c=2,d=3,rest=Sequence)
      Step:2
      Value:a=1
      Value:c=2
      Value:d=3
      Value:rest=Sequence
      Return:3
      Return:None
      Return:0
    `,
  },
  {
    name: "throw-caught-by-caller",
    why: "fail's Return is the exception, written when guard's catch runs (just before the catch's first step)",
    code: `
    function fail(n) {
      throw new RangeError("bad " + n);
    }
    function guard() {
      try {
        fail(1);
      } catch (e) {
        return e.message;
      }
    }
    guard();
  `,
    events: `
      Call:<top-level>()
      Step:1
      Call:<module>()
      Step:11
      Step:4
      Call:guard()
      Step:5
      Step:6
      Step:1
      Call:fail(n=1)
      Step:2
      Value:n=1
      Return:Raw(RangeError: bad 1)
      Step:8
      Value:e=Raw(RangeError: bad 1)
      Return:"bad 1"
      Return:None
      Return:0
    `,
  },
  {
    name: "throw-caught-in-frame-finally",
    why: "a throw caught in its own frame leaves no Return; catch and finally bodies are stepped",
    code: `
    function f() {
      try {
        throw new Error("x");
      } catch {
        log("caught");
      } finally {
        log("fin");
      }
      return 1;
    }
    f();
  `,
    events: `
      Call:<top-level>()
      Step:1
      Call:<module>()
      Step:11
      Step:1
      Call:f()
      Step:2
      Step:3
      Step:5
      Step:7
      Step:9
      Return:1
      Return:None
      Return:0
    `,
  },
  {
    name: "throw-caught-by-unrecorded",
    why: "the Promise constructor (not recorded code) catches boom's throw: boom returns <exception>, written at the caller's next step; the .catch callback runs later, from the top level",
    code: `
    function boom() {
      throw new Error("in executor");
    }
    new Promise(boom).catch(() => {});
    log("after");
  `,
    events: `
      Call:<top-level>()
      Step:1
      Call:<module>()
      Step:4
      Step:1
      Call:boom()
      Step:2
      Return:Error(<exception>)  # no recorded catch saw the error
      Step:5  # log("after")
      Return:None
      Step:4
      Call:<anonymous>()  # the .catch callback, from the event loop
      Return:None
      Return:0
    `,
  },
  {
    name: "uncaught",
    why: "the function and the module frame return the exception, <top-level> returns exit code 1, then the Error event (kind 11)",
    code: `
    function fail() {
      throw new TypeError("boom");
    }
    fail();
  `,
    events: `
      Call:<top-level>()
      Step:1
      Call:<module>()
      Step:4
      Step:1
      Call:fail()
      Step:2
      Return:Raw(TypeError: boom)
      Return:Raw(TypeError: boom)
      Return:1
      Event:11:Uncaught TypeError: boom
    `,
  },
  {
    name: "await",
    why: "await suspends load (Return with the awaited value 1); the module goes on; load resumes from the event loop (entry Step, Call without args)",
    code: `
    async function load(x) {
      const v = await x;
      return v + 1;
    }
    load(1).then((r) => log(r));
    log("sync");
  `,
    events: `
      Call:<top-level>()
      Step:1
      Call:<module>()
      Step:5
      Step:1
      Call:load(x=1)
      Step:2
      Value:x=1
      Return:1  # load suspends at "await x" (x = 1)
      Step:6  # the module goes on: log("sync")
      Return:None
      Step:1
      Call:load()  # load resumes from the event loop
      Step:3
      Value:x=1
      Value:v=1
      Return:2
      Step:5
      Call:<anonymous>(r=2)  # the then() callback
      Step:5
      Value:r=2
      Return:None
      Return:0
    `,
  },
  {
    name: "await-rejection",
    why: "fails suspends at await null (None), main at await fails() (the promise); fails resumes and throws; main's catch closes fails with the error and main resumes",
    code: `
    async function fails() {
      await null;
      throw new Error("late");
    }
    async function main() {
      try {
        await fails();
      } catch (e) {
        log(e.message);
      }
    }
    main();
  `,
    events: `
      Call:<top-level>()
      Step:1
      Call:<module>()
      Step:12
      Step:5
      Call:main()
      Step:6
      Step:7
      Step:1
      Call:fails()
      Step:2
      Return:None  # fails suspends at "await null"
      Return:Raw(Promise { <state not captured> })  # main suspends at "await fails()"
      Return:None
      Step:1
      Call:fails()
      Step:3
      Return:Raw(Error: late)  # fails threw; closed when main's catch sees the error
      Step:5
      Call:main()  # main resumes into its catch
      Step:9
      Value:e=Raw(Error: late)
      Return:None
      Return:0
    `,
  },
  {
    name: "generator",
    why: "the body starts at the first next(), not at gen(1) (so that next() has the Call with n); yield suspends with the yielded value; next(5) resumes with got = 5",
    code: `
    function* gen(n) {
      const got = yield n;
      return got * 2;
    }
    const it = gen(1);
    it.next();
    it.next(5);
  `,
    events: `
      Call:<top-level>()
      Step:1
      Call:<module>()
      Step:5
      Step:6
      Value:it=Struct
      Step:1
      Call:gen(n=1)
      Step:2
      Value:n=1
      Return:1
      Step:7
      Value:it=Struct
      Step:1
      Call:gen()
      Step:3
      Value:n=1
      Value:got=5
      Return:10
      Return:None
      Return:0
    `,
  },
  {
    name: "generator-return",
    why: "return() at a yield resumes the frame, runs the finally, and closes it with <closed by return()>",
    code: `
    function* gen() {
      try {
        yield 1;
        yield 2;
      } finally {
        log("cleanup");
      }
    }
    const it = gen();
    it.next();
    it.return(7);
  `,
    events: `
      Call:<top-level>()
      Step:1
      Call:<module>()
      Step:9
      Step:10
      Value:it=Struct
      Step:1
      Call:gen()
      Step:2
      Step:3
      Return:1  # suspended at "yield 1"
      Step:11
      Value:it=Struct
      Step:1
      Call:gen()  # return(7) resumes it
      Step:6  # the finally
      Return:Raw(<closed by return()>)  # closed
      Return:None
      Return:0
    `,
  },
  {
    name: "yield-star",
    why: "outer is re-entered around each next() into inner, and returns the delegate's result object after it; it resumes for good when inner returns 2",
    code: `
    function* inner() {
      yield 1;
      return 2;
    }
    function* outer() {
      const r = yield* inner();
      return r;
    }
    const it = outer();
    it.next();
    it.next();
  `,
    events: `
      Call:<top-level>()
      Step:1
      Call:<module>()
      Step:9
      Step:10
      Value:it=Struct
      Step:5
      Call:outer()
      Step:6
      Step:1
      Call:inner()
      Step:2
      Return:1  # inner yields 1
      Return:Struct  # outer returns { value: 1, done: false } after next() into inner
      Step:11  # the second it.next()
      Value:it=Struct
      Step:5
      Call:outer()
      Step:1
      Call:inner()
      Step:3
      Return:2
      Return:Struct
      Step:5
      Call:outer()  # the delegation is over: outer resumes for good
      Step:7
      Value:r=2
      Return:2
      Return:None
      Return:0
    `,
  },
  {
    name: "async-generator-return",
    why: "`return 2` in an async generator suspends with 2 (JS awaits it), then resumes for the finally and returns 2",
    format: "module",
    code: `
    async function* agen() {
      try {
        yield 1;
        return 2;
      } finally {
        globalThis.__ctlog("fin");
      }
    }
    const it = agen();
    await it.next();
    await it.next();
  `,
    events: `
      Call:<top-level>()
      Step:1
      Call:<module>()
      Step:9
      Step:10
      Value:it=Struct
      Step:1
      Call:agen()
      Step:2
      Step:3
      Return:1
      Return:Raw(Promise { <state not captured> })
      Step:1
      Call:<module>()
      Step:11
      Value:it=Struct
      Step:1
      Call:agen()
      Step:4
      Return:2  # "return 2" awaits 2: suspended
      Return:Raw(Promise { <state not captured> })
      Step:1
      Call:agen()
      Step:6  # the finally, after the await
      Return:2  # the final Return
      Step:1
      Call:<module>()
      Return:None
      Return:0
    `,
  },
  {
    name: "for-await",
    why: "for await suspends (None) before the loop and at the end of each iteration; the frame resumes at each body and after the loop",
    format: "module",
    code: `
    async function sum(list) {
      let s = 0;
      for await (const v of list) {
        s += v;
      }
      return s;
    }
    export const result = await sum([1, Promise.resolve(2)]);
  `,
    events: `
      Call:<top-level>()
      Step:1
      Call:<module>()
      Step:8
      Step:1
      Call:sum(list=Sequence)
      Step:2
      Value:list=Sequence
      Step:3
      Value:list=Sequence
      Value:s=0
      Return:None  # before the loop
      Return:Raw(Promise { <state not captured> })
      Step:1
      Call:sum()
      Step:4
      Value:list=Sequence
      Value:s=0
      Value:v=1
      Return:None  # end of iteration 1
      Step:1
      Call:sum()
      Step:4
      Value:list=Sequence
      Value:s=1
      Value:v=2
      Return:None  # end of iteration 2
      Step:1
      Call:sum()
      Step:6
      Value:list=Sequence
      Value:s=3
      Return:3
      Step:1
      Call:<module>()
      Return:None
      Return:0
    `,
  },
  {
    name: "top-level-await",
    why: "the module frame suspends at a top-level await and resumes like a function",
    format: "module",
    code: `
    const a = 1;
    const b = await Promise.resolve(a + 1);
    export const result = b;
  `,
    events: `
      Call:<top-level>()
      Step:1
      Call:<module>()
      Step:1
      Step:2
      Value:a=1
      Return:Raw(Promise { <state not captured> })
      Step:1
      Call:<module>()
      Step:3
      Value:a=1
      Value:b=2
      Return:None
      Return:0
    `,
  },
  {
    name: "fields-with-constructor",
    why: "field steps (lines 2, 3) run in the constructor's frame before its body, without values (z is not bound yet)",
    code: `
    class P {
      x = 1;
      y = this.x + 1;
      constructor(z) {
        this.z = z;
      }
    }
    new P(3);
  `,
    events: `
      Call:<top-level>()
      Step:1
      Call:<module>()
      Step:1
      Step:8
      Step:4
      Call:P.constructor(z=3)
      Step:2
      Step:3
      Step:5
      Value:z=3
      Return:None
      Return:None
      Return:0
    `,
  },
  {
    name: "field-initialiser-calls",
    why: "the constructor frame opens at the first field initialiser; its Call (with a = 5) comes first, then the field's step and the call it makes, then the body",
    code: `
    function make(k) {
      return k * 2;
    }
    class P {
      x = make(1);
      constructor(a) {
        this.a = a;
      }
    }
    new P(5);
  `,
    events: `
      Call:<top-level>()
      Step:1
      Call:<module>()
      Step:4
      Step:10
      Step:6
      Call:P.constructor(a=5)  # written when the body starts, before what the initialisers did
      Step:5  # x = make(1)
      Step:1
      Call:make(k=1)
      Step:2
      Value:k=1
      Return:2
      Step:7  # the constructor body
      Value:a=5
      Return:None
      Return:None
      Return:0
    `,
  },
  {
    name: "rethrow",
    why: "inner returns the error when middle's catch runs; middle returns it (rethrown) when outer's catch runs",
    code: `
    function inner() {
      throw new Error("deep");
    }
    function middle() {
      try {
        inner();
      } catch (e) {
        throw e;
      }
    }
    function outer() {
      try {
        middle();
      } catch (e) {
        return "handled";
      }
    }
    outer();
  `,
    events: `
      Call:<top-level>()
      Step:1
      Call:<module>()
      Step:18
      Step:11
      Call:outer()
      Step:12
      Step:13
      Step:4
      Call:middle()
      Step:5
      Step:6
      Step:1
      Call:inner()
      Step:2
      Return:Raw(Error: deep)
      Step:8
      Value:e=Raw(Error: deep)
      Return:Raw(Error: deep)
      Step:15
      Value:e=Raw(Error: deep)
      Return:"handled"
      Return:None
      Return:0
    `,
  },
  {
    name: "fields-without-constructor",
    why: "an implicit constructor gets a frame P.constructor at the class line",
    code: `
    class P {
      x = 1;
      y = 2;
    }
    new P();
  `,
    events: `
      Call:<top-level>()
      Step:1
      Call:<module>()
      Step:1
      Step:5
      Step:1
      Call:P.constructor()
      Step:2
      Step:3
      Return:None
      Return:None
      Return:0
    `,
  },
  {
    name: "derived-fields",
    why: "a derived class runs its field initialisers after super() returns, in its own constructor frame",
    code: `
    class A {
      constructor(v) {
        this.v = v;
      }
    }
    class B extends A {
      w = 2;
      constructor() {
        super(1);
        this.u = 3;
      }
    }
    new B();
  `,
    events: `
      Call:<top-level>()
      Step:1
      Call:<module>()
      Step:1
      Step:6
      Step:13
      Step:8
      Call:B.constructor()
      Step:9
      Step:2
      Call:A.constructor(v=1)
      Step:3
      Value:v=1
      Return:None
      Step:7
      Step:10
      Return:None
      Return:None
      Return:0
    `,
  },
  {
    name: "static-block",
    why: "a static block is a frame C.<static_initializer>; a static field has no step of its own",
    code: `
    class C {
      static n = 1;
      static {
        const m = C.n + 1;
        C.m = m;
      }
    }
  `,
    events: `
      Call:<top-level>()
      Step:1
      Call:<module>()
      Step:1
      Step:3
      Call:C.<static_initializer>()
      Step:4
      Step:5
      Value:m=2
      Return:None
      Return:None
      Return:0
    `,
  },
  {
    name: "accessors",
    why: "getters and setters are frames named o.get v / o.set v",
    code: `
    const o = {
      _v: 1,
      get v() {
        return this._v;
      },
      set v(x) {
        this._v = x;
      },
    };
    o.v = o.v + 1;
  `,
    events: `
      Call:<top-level>()
      Step:1
      Call:<module>()
      Step:1
      Step:10
      Value:o=Struct
      Step:3
      Call:o.get v()
      Step:4
      Return:1
      Step:6
      Call:o.set v(x=2)
      Step:7
      Value:x=2
      Return:None
      Return:None
      Return:0
    `,
  },
  {
    name: "callback-from-builtin",
    why: "callbacks called by builtins nest in the step that called the builtin",
    code: `
    const out = [1, 2].map((v) => v * 10);
  `,
    events: `
      Call:<top-level>()
      Step:1
      Call:<module>()
      Step:1
      Step:1
      Call:<anonymous>(v=1)
      Step:1
      Value:v=1
      Return:10
      Step:1
      Call:<anonymous>(v=2)
      Step:1
      Value:v=2
      Return:20
      Return:None
      Return:0
    `,
  },
  {
    name: "loop-steps",
    why: "a single-statement loop body gets a step per iteration with the loop variable",
    code: `
    let s = 0;
    for (let i = 0; i < 2; i++) s += i;
  `,
    events: `
      Call:<top-level>()
      Step:1
      Call:<module>()
      Step:1
      Step:2
      Value:s=0
      Step:2
      Value:s=0
      Value:i=0
      Step:2
      Value:s=0
      Value:i=1
      Return:None
      Return:0
    `,
  },
  {
    name: "commonjs-top-level-return",
    why: "a top-level return in CommonJS returns the module frame",
    code: `
    exports.a = 1;
    if (exports.a) return;
    exports.b = 2;
  `,
    events: `
      Call:<top-level>()
      Step:1
      Call:<module>()
      Step:1
      Step:2
      Step:2
      Return:None
      Return:0
    `,
  },
  {
    name: "filter-skip-redact",
    why: "a skipped function has no frame (its callee nests in the module frame); a redacted argument is <redacted>",
    code: `
    function skipped(n) {
      return kept(n + 1, "secret");
    }
    function kept(m, password) {
      return m;
    }
    skipped(1);
  `,
    scopes: (name) => ({ exec: name === "skipped" ? "skip" : "trace", valueAction: (kind, v) => (kind === "arg" && v === "password" ? "redact" : "allow") }),
    events: `
      Call:<top-level>()
      Step:1
      Call:<module>()
      Step:7
      Step:4
      Call:kept(m=2,password=Error(<redacted>))
      Step:5
      Value:m=2
      Value:password=Error(<redacted>)
      Return:2
      Return:None
      Return:0
    `,
  },
  {
    name: "await-using-lowered",
    why: "await suspends a frame (Return with the awaited value) and it resumes from the event loop: here the await is the disposal of `await using` at the end of f's block",
    knownBug: {
      what: "on engines without `using` (Node 20, 22), instrument() lowers `await using` after the recorder's pass, so the disposal's `await` in the generated finally has no suspend/resume: f is closed as <unwound> when the module takes its next step, and re-entered later only to return 1",
      recorded: `
        Call:<top-level>()
        Step:1
        Call:<module>()
        Step:5
        Step:1
        Call:f()
        Step:2
        Step:3
        Value:r=Struct
        Step:2
        Call:f.r.[Symbol.asyncDispose]()
        Step:2
        Return:None
        Return:Error(<unwound>)
        Step:6
        Return:None
        Step:1
        Call:f()
        Return:1
        Return:0
      `,
    },
    runIf: !NATIVE_USING,
    filename: "/virtual/case.ts",
    code: `
    async function f() {
      await using r = { async [Symbol.asyncDispose]() { log("disposed"); } };
      return 1;
    }
    f();
    log("after");
  `,
    events: `
      Call:<top-level>()
      Step:1
      Call:<module>()
      Step:5
      Step:1
      Call:f()
      Step:2
      Step:3
      Value:r=Struct
      Step:2
      Call:f.r.[Symbol.asyncDispose]()
      Step:2
      Return:None
      Return:Raw(Promise { <state not captured> })  # f suspends at the disposal's await
      Step:6
      Return:None
      Step:1
      Call:f()  # f resumes after the disposal
      Return:1
      Return:0
    `,
  },
];

/** An expected rendering without indentation and `  # comments". */
function expectedLines(text: string): string {
  return dedent(text)
    .trim()
    .split("\n")
    .map((l) => l.replace(/\s+#.*$/, ""))
    .join("\n");
}

async function record(c: Case): Promise<string> {
  const format = c.format ?? "commonjs";
  const code = dedent(c.code);
  const filename = c.filename ?? VIRTUAL;
  const options =
    c.scopes || c.filename
      ? { filename, code: instrument(code, { filename, format, inlineSourceMap: false, ...(c.scopes ? { scopes: c.scopes } : {}) }).code }
      : {};
  const rec = await runRecorded(code, format, options);
  expect(rec.internalErrors).toEqual([]);
  const report = validateEvents(rec.events as unknown[], { entryStepRule: "error" });
  expect(
    report.errors.map((e) => e.message),
    dump(rec.events),
  ).toEqual([]);
  expect(report.stats.calls).toBe(report.stats.returns);
  return renderEvents(rec.events).join("\n");
}

describe("behaviour: snippet → events (docs/recording.md)", () => {
  it("has the cases", () => expect(cases.length).toBeGreaterThanOrEqual(25));
  for (const c of cases) {
    const expected = expectedLines(c.events);
    if (c.runIf === false) it.skip(c.name, () => {});
    else if (c.knownBug) {
      const bug = c.knownBug;
      it(`${c.name} (known bug)`, async () => {
        const got = await record(c);
        expect(got, `fixed? ${c.name} now records what docs/recording.md says: drop its knownBug`).not.toBe(expected);
        expect(got, bug.what).toBe(expectedLines(bug.recorded));
      });
    } else {
      it(c.name, async () => {
        expect(await record(c), c.why).toBe(expected);
      });
    }
  }
});
