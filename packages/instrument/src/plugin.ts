/**
 * The Babel 7 visitor that instruments one file. It runs its own traversal from
 * `Program.enter`, so it sees the original AST (TypeScript and JSX included) before any other
 * plugin in the same pass changes it, and every line it records is a line of the original file.
 *
 * What it inserts (see `@codetracer/runtime/abi` for the contract):
 * - a file prologue registering the function and site tables built during the visit;
 * - in every function: `enter` with the parameter values, and a `try/finally` whose `finally`
 *   always calls `exit`, so calls and returns balance. There is no `catch` of our own: a frame
 *   that `exit`s without a `ret` was left by an exception, and the runtime writes its `Return`
 *   (the exception) when a recorded `catch` reports it with `caught(frame, e)` at its first
 *   statement, or at the end of the run;
 * - before every statement: `step` with the locals that are visible and initialised there;
 * - `return e` → `return ret(frame, e)`; `await e` / `yield e` →
 *   `resume(frame, await suspend(frame, e))`; `yield* e` → `delegate(frame, e)`.
 *
 * The generated code for each construct is pinned by `test/fixtures/`.
 */
import { types as t, type NodePath, type PluginObj, type PluginPass } from "@babel/core";
import {
  ABI_VERSION,
  INIT_FUNCTION_PREFIX,
  INSTRUMENTED_MARKER,
  RUNTIME_GLOBAL,
  type FileTable,
  type FunctionEntry,
  type SiteEntry,
} from "@codetracer/runtime/abi";
import { stricter, type ScopePolicy } from "@codetracer/trace-filter/decision";
import { visibleLocals, type FrameOwner } from "./locals.js";
import { classQualifiedName, parameterNames, qualifiedFunctionName } from "./names.js";

/** Options of {@link codetracerBabelPlugin}. */
export interface CodetracerPluginOptions {
  /** Absolute path of the original file, written into the table (POSIX separators). */
  filename: string;
  /**
   * The file runs as CommonJS (a top-level `return` leaves the module frame).
   * @default false
   */
  commonjs?: boolean;
  /**
   * Put the original source positions of functions and classes into the table (`src`), so
   * the runtime's `Function.prototype.toString` shows the text as written. Only for files that
   * run as written: plain JavaScript (no TypeScript, no JSX); a file with decorators gets none.
   * @default false
   */
  sourceRanges?: boolean;
  /**
   * The line of the original file for a position (1-based line, 0-based column) of the code
   * being instrumented, when that code is not the file as written (another tool compiled it
   * first). Default: the code's own lines.
   */
  originalLine?: (line: number, column: number) => number;
  /**
   * Whether the code starting at a position (1-based line, 0-based column of the code being
   * instrumented) is recorded: a statement where it says no gets no step, and a function that
   * starts where it says no, none of whose own statements it records, is left as written (no
   * table entry; its nested functions decide for themselves). Default: everything is.
   */
  recorded?: (line: number, column: number) => boolean;
  /**
   * A module specifier to import before anything else (`import "id"` in a module, `require("id")`
   * in a script): the module that installs `globalThis.__codetracer__` in a bundle.
   */
  runtimeImport?: string;
  /**
   * The trace filter's compile-time decisions for this file (see {@link ScopeFilter}). Without
   * it every function is recorded with every value.
   */
  scopes?: ScopeFilter;
}

/**
 * What the trace filter decides for one scope (a function, static block or module body): the
 * decision shape of `@codetracer/trace-filter` (its one home). A redacted value's name stays
 * and the generated code never passes the value; a dropped one is left out.
 */
export type ScopeDecision = ScopePolicy;

/**
 * Classifies the scopes of one file by qualified name (`UserService.login`, `outer.inner`,
 * `<module>` for the module body), e.g. `(obj) => chain.classify({ file, obj })` of
 * `@codetracer/trace-filter`.
 */
export type ScopeFilter = (qualifiedName: string) => ScopeDecision;

/**
 * The table name for a value under `action`: the name itself (allow: its value is passed),
 * `!name` (redact: no value is passed), `-name` (drop: no value is passed; the runtime counts it).
 */
function filteredName(name: string, action: "allow" | "redact" | "drop"): string {
  return action === "allow" ? name : action === "redact" ? `!${name}` : `-${name}`;
}

/** The names whose values generated code passes (those of {@link filteredName} with no prefix). */
function passedNames(names: readonly (string | number)[]): string[] {
  return (names as string[]).filter((n) => n[0] !== "!" && n[0] !== "-");
}

/** What the plugin reports back through `file.metadata.codetracer`. */
export interface CodetracerPluginMetadata {
  /** `false` when the file was already instrumented and left unchanged. */
  instrumented: boolean;
  /** Number of functions in the table (the module body included). */
  functions: number;
  /** Number of step sites. */
  sites: number;
  /** Number of scopes recorded (the module body included); 0 when the trace filter skipped them all. */
  traced: number;
  /** Number of scopes the trace filter skipped (they have no table entry). */
  skipped: number;
}

interface FrameInfo {
  frame: t.Identifier;
  fnId: number;
}

interface VisitState {
  /** See {@link CodetracerPluginOptions.originalLine}. */
  originalLine: ((line: number, column: number) => number) | null;
  /** See {@link CodetracerPluginOptions.recorded}. */
  recorded: ((line: number, column: number) => boolean) | null;
  ct: t.Identifier;
  /** Hoisted function that creates the file runtime on first use. */
  init: t.Identifier;
  /** Local ids of functions that resume only from the event loop (see `FileTable.async`). */
  asyncFns: Set<number>;
  frames: Map<t.Node, FrameInfo>;
  fns: FunctionEntry[];
  sites: SiteEntry[];
  generated: Set<string>;
  done: WeakSet<t.Node>;
  /** Classes (fields) and `for await` loops already rewritten (apart from their step). */
  rewritten: WeakSet<t.Node>;
  program: NodePath<t.Program>;
  /** `[start, end]` per function id, when source ranges are collected. */
  fnRanges: Map<number, [number, number]> | null;
  /** `[start, end]` of every class, when source ranges are collected. */
  classRanges: number[];
  /** A decorator was seen: the file's text is compiled, ranges are dropped. */
  decorated: boolean;
  /** The original source text. */
  code: string;
  /** The trace filter's decisions, or null (everything recorded). */
  scopes: ScopeFilter | null;
  /** Decisions of the registered frames, by frame owner node. */
  decisions: Map<t.Node, ScopeDecision>;
  /** Parameter names of the registered frames (matched as `arg` at their steps too). */
  paramNames: Map<t.Node, Set<string>>;
  /** Scopes the filter skipped. */
  skipped: number;
  /** Function ids whose return value is redacted / dropped. */
  redactReturn: number[];
  dropReturn: number[];
  /** Blocks {@link ensureBlock} made, with the statement each wraps. */
  wrapped: Array<[t.BlockStatement, t.Statement]>;
  /** Calls that replaced an `await` or `yield`, with its location. */
  replaced: Array<[t.Node, t.SourceLocation]>;
}

/** The line recorded for a node starting at `loc`: the original file's (see {@link CodetracerPluginOptions.originalLine}). */
function lineOf(state: VisitState, loc: t.SourceLocation): number {
  return state.originalLine ? state.originalLine(loc.start.line, loc.start.column) : loc.start.line;
}

/** Whether code starting at `loc` is recorded (see {@link CodetracerPluginOptions.recorded}). */
function isRecordedAt(state: VisitState, loc: t.SourceLocation | null | undefined): boolean {
  if (!state.recorded) return true;
  return loc != null && state.recorded(loc.start.line, loc.start.column);
}

/**
 * Whether a function (or static block) is recorded (see {@link CodetracerPluginOptions.recorded}):
 * where it starts, or where one of its own statements does (a compiler's wrapper around code
 * of the original file, such as the `setup()` of a Vue component, is unmapped itself).
 */
function isFrameRecorded(state: VisitState, node: t.Function | t.StaticBlock): boolean {
  if (!state.recorded || isRecordedAt(state, node.loc)) return true;
  const own = t.isStaticBlock(node) ? node.body : t.isBlockStatement(node.body) ? node.body.body : [];
  return own.some((stmt) => isRecordedAt(state, stmt.loc));
}

/** Statement kinds that run no code of their own and get no step. */
function isSteppable(node: t.Statement): boolean {
  switch (node.type) {
    case "FunctionDeclaration":
    case "EmptyStatement":
    case "ImportDeclaration":
    case "ExportAllDeclaration":
    case "TSDeclareFunction":
      return false;
    case "VariableDeclaration":
    case "ClassDeclaration":
      return !node.declare;
    case "TSEnumDeclaration":
      return !node.declare;
    case "ExportNamedDeclaration":
      if (node.exportKind === "type" || !node.declaration) return false;
      return isSteppable(node.declaration);
    case "ExportDefaultDeclaration":
      return !t.isFunctionDeclaration(node.declaration) && !t.isTSInterfaceDeclaration(node.declaration);
    default:
      return !node.type.startsWith("TS");
  }
}

function isStatementListItem(path: NodePath): boolean {
  const parent = path.parentPath;
  if (!parent) return false;
  if (path.listKey === "body") return parent.isProgram() || parent.isBlockStatement() || parent.isStaticBlock();
  return path.listKey === "consequent" && parent.isSwitchCase();
}

/** The function, class static block or program whose frame code at `path` runs in. */
function frameOwner(path: NodePath, program: NodePath<t.Program>): FrameOwner {
  let child: NodePath = path;
  for (let p = path.parentPath; p; child = p, p = p.parentPath) {
    if (!p.isFunction() && !p.isStaticBlock()) continue;
    // A method's computed key and decorators run in the enclosing function, before the method
    // exists (`function* g() { class C { get [yield]() {} } }`: the `yield` is g's).
    if ((p.isObjectMethod() || p.isClassMethod() || p.isClassPrivateMethod()) && (child.key === "key" || child.listKey === "decorators")) continue;
    return p as FrameOwner;
  }
  return program;
}

function ownerOf(path: NodePath, state: VisitState): { owner: FrameOwner; info: FrameInfo } | null {
  const owner = frameOwner(path, state.program);
  const info = state.frames.get(owner.node);
  return info ? { owner, info } : null;
}

/** `_ctRt.method(...args)`, for code that runs after its frame's `enter` created the runtime. */
function call(state: VisitState, method: string, args: t.Expression[]): t.CallExpression {
  return t.callExpression(t.memberExpression(t.cloneNode(state.ct), t.identifier(method)), args);
}

/**
 * `(_ctRt || _ctRtInit()).method(...args)`, creating the file runtime on first use: a function
 * may run before its module's body (import cycles, hoisted declarations called by a module that
 * imports this one), and a class's field initialisers before any frame of the file.
 */
function lazyCall(state: VisitState, method: string, args: t.Expression[]): t.CallExpression {
  const runtime = t.logicalExpression("||", t.cloneNode(state.ct), t.callExpression(t.cloneNode(state.init), []));
  return t.callExpression(t.memberExpression(runtime, t.identifier(method)), args);
}

/**
 * `_ctRtInit().method(...args)`: {@link lazyCall} without the `||`, for calls written on a line
 * of the original code (a field's initialiser): coverage tools would count that `||` as a
 * branch of the line (its second half not taken once the runtime exists). The init function
 * returns the file runtime when it exists already (see the prologue).
 */
function lazyCallInline(state: VisitState, method: string, args: t.Expression[]): t.CallExpression {
  return t.callExpression(t.memberExpression(t.callExpression(t.cloneNode(state.init), []), t.identifier(method)), args);
}

/** The filter's decision for scope `name`; everything is traced without a filter. */
function decide(state: VisitState, name: string): ScopeDecision | null {
  return state.scopes ? state.scopes(name) : null;
}

/** The table entry's parameter names, each as {@link filteredName} makes it. */
function filteredParams(decision: ScopeDecision | null, params: string[]): string[] {
  return decision ? params.map((p) => filteredName(p, decision.valueAction("arg", p))) : params;
}

/** Records a traced scope's return-value action. */
function noteReturnAction(state: VisitState, decision: ScopeDecision | null, name: string, fnId: number): void {
  const action = decision?.valueAction("ret", name) ?? "allow";
  if (action === "redact") state.redactReturn.push(fnId);
  else if (action === "drop") state.dropReturn.push(fnId);
}

/**
 * Adds a function (or static block) to the table and gives it a frame variable, unless the trace
 * filter skips it (then `null`: it is left as written). Idempotent.
 */
function registerFrame(path: NodePath<t.Function> | NodePath<t.StaticBlock>, state: VisitState, name: string, params: string[]): FrameInfo | null {
  const known = state.frames.get(path.node);
  if (known) return known;
  if (state.decisions.has(path.node)) return null; // skipped before
  if (!isFrameRecorded(state, path.node)) return null; // outside the recorded code
  const decision = decide(state, name);
  if (decision?.exec === "skip") {
    state.decisions.set(path.node, decision);
    state.skipped++;
    return null;
  }
  if (decision) {
    state.decisions.set(path.node, decision);
    state.paramNames.set(path.node, new Set(params));
  }
  const fnId = state.fns.push([name, lineOf(state, path.node.loc!), ...filteredParams(decision, params)]) - 1;
  noteReturnAction(state, decision, name, fnId);
  if (state.fnRanges) state.fnRanges.set(fnId, functionTextRange(path.node, state.code));
  const frame = path.scope.generateUidIdentifier("ctF");
  state.generated.add(frame.name);
  const info = { frame, fnId };
  state.frames.set(path.node, info);
  return info;
}

/**
 * Where `Function.prototype.toString` of `node` starts and ends in the original text: a class
 * member's text (ECMA-262 MethodDefinition) does not include `static`.
 */
function functionTextRange(node: t.Node, code: string): [number, number] {
  let start = node.start!;
  if ((t.isClassMethod(node) || t.isClassPrivateMethod(node)) && node.static) {
    const modifier = /^static(?:\s|\/\*[\s\S]*?\*\/|\/\/[^\n]*\n)*/.exec(code.slice(start, node.end!));
    if (modifier) start += modifier[0].length;
  }
  return [start, node.end!];
}

/**
 * `const _f = enter(id, ...params); try { hoisted; body; ret(_f); } finally { exit(_f); }`.
 * There is no `catch`: rethrowing would move the location Node prints for an uncaught exception
 * to the rethrow. A frame that reaches `exit` without `ret` was left by an exception; the value
 * comes from the `catch` clause that stops it (see {@link visitor} `CatchClause`).
 * Function declarations of the body would become block-scoped inside the `try` (clashing with
 * a `var` of the same name, duplicate names in strict code, parameter shadowing): they are kept
 * function-scoped and hoisted as `var g = function () {…}` at the top of the block, in source
 * order (the name is still inferred as `g`). They stay inside the `try`, where they see the
 * body's `let`/`const`/`class` bindings. The names in `keep` (see {@link keptDeclarations}) stay
 * function declarations, at the top of the `try` block; coverage tools count a `var` as one
 * statement more, and list its function as anonymous (see `docs/ci.md`).
 */
function guardedBody(state: VisitState, info: FrameInfo, params: t.Expression[], statements: t.Statement[], keep?: ReadonlySet<string>): t.Statement[] {
  const enter = t.variableDeclaration("const", [
    t.variableDeclarator(t.cloneNode(info.frame), lazyCall(state, "enter", [t.numericLiteral(info.fnId), ...params])),
  ]);
  const hoisted: t.Statement[] = [];
  const rest: t.Statement[] = [];
  for (const stmt of statements) {
    if (t.isFunctionDeclaration(stmt) && stmt.id && keep?.has(stmt.id.name)) hoisted.push(stmt);
    else if (t.isFunctionDeclaration(stmt) && stmt.id) {
      const fn = t.functionExpression(null, stmt.params, stmt.body, stmt.generator, stmt.async);
      fn.loc = stmt.loc ?? null;
      const decl = t.variableDeclaration("var", [t.variableDeclarator(stmt.id, fn)]);
      decl.loc = stmt.loc ?? null;
      hoisted.push(decl);
    } else rest.push(stmt);
  }
  const completed = t.expressionStatement(call(state, "ret", [t.cloneNode(info.frame)]));
  const guarded = t.tryStatement(
    t.blockStatement([...hoisted, ...rest, completed]),
    null,
    t.blockStatement([t.expressionStatement(call(state, "exit", [t.cloneNode(info.frame)]))]),
  );
  return [enter, guarded];
}

/**
 * The function declarations of a strict function's body that can stay declarations inside the
 * `try` block of {@link guardedBody}: there they are scoped to the block (ECMA-262
 * BlockDeclarationInstantiation), which holds the rest of the body, so the body sees them as
 * before. Left out (made `var`s): any name also declared by a `var` of the body (a syntax error
 * next to a block's function), declared twice, or a parameter's; every name of a sloppy
 * function (Annex B gives a block's function declarations other semantics).
 */
function keptDeclarations(path: NodePath<t.Function>): Set<string> {
  const kept = new Set<string>();
  const body = path.node.body;
  if (!t.isBlockStatement(body) || !path.isInStrictMode()) return kept;
  const declared = new Map<string, number>();
  for (const stmt of body.body) if (t.isFunctionDeclaration(stmt) && stmt.id) declared.set(stmt.id.name, (declared.get(stmt.id.name) ?? 0) + 1);
  if (declared.size === 0) return kept;
  const taken = new Set<string>(["arguments"]);
  for (const param of path.node.params) for (const name of Object.keys(t.getBindingIdentifiers(param))) taken.add(name);
  const walk = (node: t.Node): void => {
    if (t.isVariableDeclaration(node) && node.kind === "var") {
      for (const d of node.declarations) for (const name of Object.keys(t.getBindingIdentifiers(d.id))) taken.add(name);
    }
    for (const key of t.VISITOR_KEYS[node.type] ?? []) {
      const child = (node as unknown as Record<string, unknown>)[key];
      for (const c of Array.isArray(child) ? child : [child]) {
        if (c && typeof (c as t.Node).type === "string" && !t.isFunction(c as t.Node)) walk(c as t.Node);
      }
    }
  };
  for (const stmt of body.body) if (!t.isFunction(stmt)) walk(stmt);
  for (const [name, count] of declared) if (count === 1 && !taken.has(name)) kept.add(name);
  return kept;
}

/** `fn.name` is inferred from where an anonymous function or class is written: keep it there. */
function isAnonymousDefinition(node: t.Node): boolean {
  return t.isArrowFunctionExpression(node) || ((t.isFunctionExpression(node) || t.isClassExpression(node)) && !node.id);
}

/**
 * Instance field initialisers run as part of a construction, before the constructor body of a
 * base class and right after `super()` returns in a derived one. Each initialiser that runs code
 * becomes `(field(ctor, site, open), initialiser)`, so its line is stepped inside the
 * constructor's frame and its calls are nested in it (see `FileRuntime.field`). A class without
 * an explicit constructor gets a table entry for its implicit one; the frame ends after its last
 * such initialiser. Initialisers that are anonymous function or class definitions are left as
 * they are (wrapping them would change the inferred `name`; they run no code).
 */
function instrumentInstanceFields(path: NodePath<t.Class>, state: VisitState): void {
  const body = path.get("body").get("body");
  const fields = body.filter(
    (m) =>
      (m.isClassProperty() || m.isClassPrivateProperty() || m.isClassAccessorProperty()) &&
      !(m.node as t.ClassProperty).static &&
      !(m.node as t.ClassProperty).declare &&
      (m.node as t.ClassProperty).value != null &&
      !isAnonymousDefinition((m.node as t.ClassProperty).value!) &&
      (m.node as t.ClassProperty).value!.loc != null,
  ) as NodePath<t.ClassProperty>[];
  if (fields.length === 0) return;
  const ctor = body.find((m) => m.isClassMethod({ kind: "constructor" })) as NodePath<t.ClassMethod> | undefined;
  const derived = path.node.superClass != null;
  let fnId: number;
  if (ctor) {
    const info = registerFrame(ctor, state, qualifiedFunctionName(ctor), parameterNames(ctor.node.params));
    if (!info) return; // the constructor is skipped by the trace filter: so are its initialisers
    fnId = info.fnId;
  } else {
    const name = `${classQualifiedName(path)}.constructor`;
    if (!isRecordedAt(state, path.node.loc!)) return;
    const decision = decide(state, name);
    if (decision?.exec === "skip") {
      state.skipped++;
      return;
    }
    fnId = state.fns.push([name, lineOf(state, path.node.loc!)]) - 1;
    noteReturnAction(state, decision, name, fnId);
    state.fnRanges?.set(fnId, [path.node.start!, path.node.end!]);
  }
  fields.forEach((field, i) => {
    const value = field.node.value!;
    const site = state.sites.push([lineOf(state, value.loc!)]) - 1;
    const open = i === 0 && !(ctor && derived) ? 1 : 0;
    const mark = lazyCallInline(state, "field", [t.numericLiteral(fnId), t.numericLiteral(site), t.numericLiteral(open)]);
    const last = !ctor && i === fields.length - 1;
    const init = last ? lazyCallInline(state, "fieldsEnd", [t.numericLiteral(fnId), value]) : value;
    field.node.value = t.sequenceExpression([mark, init]);
  });
}

/**
 * A step site's names under the trace filter: each local is matched as `local`; a parameter of
 * the frame also as `arg`, and a binding of the module body also as `global`; the stricter
 * action wins.
 */
function siteNames(state: VisitState, owner: FrameOwner, names: string[]): string[] {
  const decision = state.decisions.get(owner.node);
  if (!decision) return names;
  const params = state.paramNames.get(owner.node);
  const isModule = owner.isProgram();
  return names.map((name) => {
    let action = decision.valueAction("local", name);
    if (params?.has(name)) action = stricter(action, decision.valueAction("arg", name));
    if (isModule) action = stricter(action, decision.valueAction("global", name));
    return filteredName(name, action);
  });
}

/**
 * Makes the statement at `path` a block (`if (a) b;` → `if (a) { b; }`), so a step can go
 * before it. The block is noted in `state.wrapped`: it is given the statement's location when
 * the file is generated (see {@link markInserted}), so coverage tools that read the source map
 * see the branch or loop body where the statement was written.
 */
function ensureBlock(path: NodePath<t.Statement | null | undefined>, state: VisitState): void {
  const node = path.node;
  if (!node || t.isBlockStatement(node)) return;
  const block = t.blockStatement([node]);
  state.wrapped.push([block, node]);
  path.replaceWith(block);
}

/**
 * A location whose line is unknown: Babel's generator then maps what it prints for the node to
 * no source (a source map segment without an original position), instead of repeating the last
 * original position it printed. Given to every node the recorder inserted, so the recording
 * calls, the `try`/`finally` around function bodies and the file prologue are not taken for
 * original statements, branches or functions by coverage tools that map the run code back to
 * the file (Vitest's `v8` and `istanbul` providers, c8, nyc). See `docs/ci.md`.
 */
function noSource(): t.SourceLocation {
  return {
    start: { line: undefined as unknown as number, column: 0, index: 0 },
    end: { line: undefined as unknown as number, column: 0, index: 0 },
    filename: undefined as unknown as string,
    identifierName: undefined,
  };
}

/** What {@link markInserted} applies when the file is generated, per Babel file: each node with its location. */
const insertedByFile = new WeakMap<object, Array<[t.Node, t.SourceLocation]>>();

/**
 * Notes the location each node the recorder inserted gets when the file is generated (see
 * {@link markInserted}); the inserted nodes are those without a location (the parser gives
 * every original node one), found after the recorder's own traversal, which tells its own
 * nodes from the original ones by that missing location:
 * - a block {@link ensureBlock} made: the statement it wraps (a branch or loop body stays where
 *   it was written);
 * - the call that replaced an `await` or `yield`: that expression's;
 * - an expression that holds original code (`ret(frame, e)`, `(field(…), e)`): from the start
 *   of the first original node in it to the end of the last, so the statement around it still
 *   starts and ends where it did in the file;
 * - a statement (the recording calls, the prologue, the `try`/`finally` around function
 *   bodies), a function or a logical expression: {@link noSource};
 * - any other expression (the callee and arguments of a recording call): none, so it is mapped
 *   where the code around it is (the start of the `return` it is in, say); except one that
 *   follows original code in an inserted expression: {@link noSource}.
 */
function noteInserted(program: t.Program, state: VisitState, file: object): void {
  const given = new Map<t.Node, t.SourceLocation>(state.replaced);
  for (const [block, statement] of state.wrapped) if (statement.loc) given.set(block, { ...statement.loc, end: noSource().end });
  const noted: Array<[t.Node, t.SourceLocation]> = [];
  type Span = { start: t.SourceLocation["start"]; end: t.SourceLocation["end"]; filename: string };
  /** Visits `node`; returns the span of the original code in it (or null). */
  const visit = (node: t.Node): Span | null => {
    let first: Span | null = null;
    let last: Span | null = null;
    /** Inserted children after the first original code (the `1` of `suspend(frame, e, 1)`). */
    const after: t.Node[] = [];
    for (const key of t.VISITOR_KEYS[node.type] ?? []) {
      const child = (node as unknown as Record<string, unknown>)[key];
      for (const c of Array.isArray(child) ? child : [child]) {
        if (!c || typeof (c as t.Node).type !== "string") continue;
        const span = visit(c as t.Node);
        if (span) {
          first ??= span;
          last = span;
        } else if (first && !(c as t.Node).loc) after.push(c as t.Node);
      }
    }
    if (node.loc) return { start: node.loc.start, end: node.loc.end, filename: node.loc.filename };
    // Mapped to nothing rather than to the end of the original code before them, which the
    // statement around would take for its own end.
    for (const c of after) noted.push([c, noSource()]);
    const own = given.get(node);
    if (own) noted.push([node, own]);
    else if (t.isStatement(node) || t.isFunction(node) || t.isLogicalExpression(node) || t.isConditionalExpression(node)) noted.push([node, noSource()]);
    else if (first && t.isExpression(node)) noted.push([node, { start: first.start, end: last!.end, filename: first.filename, identifierName: undefined }]);
    return first ? { start: first.start, end: last!.end, filename: first.filename } : null;
  };
  visit(program);
  insertedByFile.set(file, noted);
}

/** Gives the nodes noted by {@link noteInserted} their locations. */
function markInserted(file: object): void {
  const noted = insertedByFile.get(file);
  if (!noted) return;
  insertedByFile.delete(file);
  for (const [node, loc] of noted) if (!node.loc) node.loc = loc;
}

const visitor = {
  // Code under `with` resolves names through an object (a Proxy there would see every name
  // the recorder added): it is left as it is (documented). A `return` inside cannot call `ret`,
  // so when there is one, `ret` is called (with no value) before the statement: the frame is
  // then not mistaken for one left by an exception; its return value is not recorded.
  WithStatement(this: VisitState, path: NodePath<t.WithStatement>) {
    let returns = false;
    path.traverse({
      Function(inner) {
        inner.skip();
      },
      ReturnStatement() {
        returns = true;
      },
    });
    const found = returns ? ownerOf(path, this) : null;
    if (found && !found.owner.isProgram() && Array.isArray(path.container)) {
      path.insertBefore(t.expressionStatement(call(this, "ret", [t.cloneNode(found.info.frame)])));
    }
    path.skip();
  },
  Decorator(this: VisitState) {
    this.decorated = true;
  },
  Class(this: VisitState, path: NodePath<t.Class>) {
    if (!path.node.loc || this.rewritten.has(path.node)) return;
    this.rewritten.add(path.node);
    if (this.fnRanges) this.classRanges.push(path.node.start!, path.node.end!);
    instrumentInstanceFields(path, this);
  },

  // A class static block runs like a function called while the class is defined: its own frame.
  StaticBlock: {
    enter(this: VisitState, path: NodePath<t.StaticBlock>) {
      if (!path.node.loc || this.done.has(path.node)) return;
      this.done.add(path.node);
      const cls = path.parentPath.parentPath as NodePath<t.Class>;
      registerFrame(path, this, `${classQualifiedName(cls)}.<static_initializer>`, []);
    },
    exit(this: VisitState, path: NodePath<t.StaticBlock>) {
      const info = this.frames.get(path.node);
      if (info) path.node.body = guardedBody(this, info, [], path.node.body);
    },
  },

  /**
   * A `catch` clause stops an exception: `caught(_f, e)` first, so the frames it left return
   * the caught value. A clause without a binding gets one (unobservable); a destructuring one
   * reports no value.
   */
  CatchClause(this: VisitState, path: NodePath<t.CatchClause>) {
    const node = path.node;
    if (!node.loc || this.rewritten.has(node)) return;
    this.rewritten.add(node);
    const found = ownerOf(path, this);
    if (!found) return;
    const args: t.Expression[] = [t.cloneNode(found.info.frame)];
    if (!node.param) {
      node.param = path.scope.generateUidIdentifier("ctE");
      this.generated.add(node.param.name);
    }
    if (t.isIdentifier(node.param)) args.push(t.identifier(node.param.name));
    node.body.body.unshift(t.expressionStatement(call(this, "caught", args)));
  },

  IfStatement(this: VisitState, path: NodePath<t.IfStatement>) {
    ensureBlock(path.get("consequent"), this);
    ensureBlock(path.get("alternate"), this);
  },
  Loop(this: VisitState, path: NodePath<t.Loop>) {
    ensureBlock(path.get("body") as NodePath<t.Statement>, this);
  },

  Function: {
    enter(this: VisitState, path: NodePath<t.Function>) {
      const node = path.node;
      if (!node.loc || !node.body || this.done.has(node)) return;
      this.done.add(node);
      if (path.isArrowFunctionExpression() && !t.isBlockStatement(node.body)) {
        const expr = node.body as t.Expression;
        const ret = t.returnStatement(expr);
        ret.loc = expr.loc ?? null;
        const block = t.blockStatement([ret]);
        block.loc = expr.loc ?? null;
        path.get("body").replaceWith(block);
      }
      const info = registerFrame(path, this, qualifiedFunctionName(path), parameterNames(node.params));
      if (info && node.async && !node.generator) this.asyncFns.add(info.fnId);
    },
    exit(this: VisitState, path: NodePath<t.Function>) {
      const info = this.frames.get(path.node);
      const body = path.node.body;
      if (!info || !t.isBlockStatement(body)) return;
      const params = passedNames(this.fns[info.fnId]!.slice(2)).map((n) => t.identifier(n));
      body.body = guardedBody(this, info, params, body.body, keptDeclarations(path));
    },
  },

  Statement(this: VisitState, path: NodePath<t.Statement>) {
    const node = path.node;
    if (!node.loc || this.done.has(node) || !isStatementListItem(path) || !isSteppable(node) || !isRecordedAt(this, node.loc)) return;
    this.done.add(node);
    const found = ownerOf(path, this);
    if (!found) return;
    const names = siteNames(this, found.owner, visibleLocals(path, found.owner, this.generated));
    const site = this.sites.push([lineOf(this, node.loc), ...names]) - 1;
    const step = t.expressionStatement(
      call(this, "step", [t.cloneNode(found.info.frame), t.numericLiteral(site), ...passedNames(names).map((n) => t.identifier(n))]),
    );
    path.insertBefore(step);
  },

  ReturnStatement(this: VisitState, path: NodePath<t.ReturnStatement>) {
    const node = path.node;
    if (!node.loc || this.done.has(node.argument ?? node)) return;
    const found = ownerOf(path, this);
    if (!found) return;
    const frame = () => t.cloneNode(found.info.frame);
    if (found.owner.isProgram()) {
      // CommonJS top-level `return`: the module frame ends here.
      const exit = t.unaryExpression("void", call(this, "exit", [frame()]));
      const ret = call(this, "ret", node.argument ? [frame(), node.argument] : [frame()]);
      node.argument = t.sequenceExpression([ret, exit]);
    } else if (node.argument) {
      const fn = found.owner.node as t.Function;
      // In an async generator, `return x` awaits `x` (ECMA-262 ReturnStatement evaluation).
      const awaits = fn.async && fn.generator ? [t.numericLiteral(1)] : [];
      node.argument = call(this, "ret", [frame(), node.argument, ...awaits]);
    } else return;
    this.done.add(node.argument);
  },

  AwaitExpression(this: VisitState, path: NodePath<t.AwaitExpression>) {
    if (this.done.has(path.node)) return;
    const found = ownerOf(path, this);
    if (!found) return;
    const frame = () => t.cloneNode(found.info.frame);
    if (found.owner.isProgram()) this.asyncFns.add(0);
    const awaited = t.awaitExpression(call(this, "suspend", [frame(), path.node.argument, t.numericLiteral(1)]));
    this.done.add(awaited);
    const resumed = call(this, "resume", [frame(), awaited]);
    if (path.node.loc) this.replaced.push([resumed, path.node.loc]);
    path.replaceWith(resumed);
  },

  /**
   * `for await`: the frame suspends before every `next()` it awaits and resumes when the body
   * starts and after the loop. The iterable expression is left as written (Node's "is not async
   * iterable" message quotes it), so the suspension is placed before the loop statement and at
   * the end of each iteration (a `finally`, so `continue`, `break` and throws are covered: the
   * loop then awaits the iterator's `return()`).
   */
  ForOfStatement: {
    exit(this: VisitState, path: NodePath<t.ForOfStatement>) {
      const node = path.node;
      if (!node.await || this.rewritten.has(node) || !node.loc) return;
      this.rewritten.add(node);
      const found = ownerOf(path, this);
      if (!found) return;
      if (found.owner.isProgram()) this.asyncFns.add(0);
      const frame = () => t.cloneNode(found.info.frame);
      const suspend = () => t.expressionStatement(call(this, "suspend", [frame(), t.identifier("undefined"), t.numericLiteral(1)]));
      const resume = () => t.expressionStatement(call(this, "resume", [frame(), t.identifier("undefined")]));
      const body = t.isBlockStatement(node.body) ? node.body : t.blockStatement([node.body]);
      node.body = t.blockStatement([resume(), t.tryStatement(body, null, t.blockStatement([suspend()]))]);
      const target: NodePath<t.Statement> = path.parentPath.isLabeledStatement() ? path.parentPath : path;
      if (!Array.isArray(target.container)) return; // (bodies are blocks by now)
      target.insertBefore(suspend());
      target.insertAfter(resume());
    },
  },

  YieldExpression(this: VisitState, path: NodePath<t.YieldExpression>) {
    if (this.done.has(path.node)) return;
    const found = ownerOf(path, this);
    if (!found) return;
    const frame = () => t.cloneNode(found.info.frame);
    const { delegate } = path.node;
    let operand: t.Expression;
    if (delegate) {
      // `yield*`: the delegate's frames nest in this one (`FileRuntime.delegate`); the frame is
      // suspended while the delegation waits and resumes when it ends.
      const args: t.Expression[] = [frame(), path.node.argument!];
      if ((found.owner.node as t.Function).async) args.push(t.numericLiteral(1));
      operand = call(this, "delegate", args);
    } else operand = call(this, "suspend", [frame(), path.node.argument ?? t.identifier("undefined")]);
    const yielded = t.yieldExpression(operand, delegate);
    this.done.add(yielded);
    const resumed = call(this, "resume", [frame(), yielded]);
    if (path.node.loc) this.replaced.push([resumed, path.node.loc]);
    path.replaceWith(resumed);
  },
};

/**
 * A short name for a file path: 8 lowercase letters from two 32-bit FNV-1a hashes. Letters only,
 * because Babel strips trailing digits from the names it generates.
 */
export function fileKey(filename: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let i = 0; i < filename.length; i++) {
    const c = filename.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193) >>> 0;
    b = Math.imul(b ^ c, 0x811c9dc5) >>> 0;
  }
  let key = "";
  for (let i = 0; i < 4; i++) {
    key += String.fromCharCode(97 + (a % 26), 97 + (b % 26));
    a = Math.floor(a / 26);
    b = Math.floor(b / 26);
  }
  return key;
}

function isFileCall(node: t.Node | null | undefined): boolean {
  return (
    t.isCallExpression(node) &&
    t.isMemberExpression(node.callee) &&
    t.isMemberExpression(node.callee.object) &&
    t.isIdentifier(node.callee.object.property, { name: RUNTIME_GLOBAL })
  );
}

/** The marker comment, or (comments stripped) the prologue's `globalThis.__codetracer__.file(…)`. */
function isAlreadyInstrumented(program: NodePath<t.Program>, file: PluginPass["file"]): boolean {
  const comments = file.ast.comments ?? [];
  if (comments.some((c) => c.value.includes(INSTRUMENTED_MARKER))) return true;
  return program.node.body.some((s) => {
    if (!t.isFunctionDeclaration(s)) return false;
    const first = s.body.body[0];
    if (!t.isReturnStatement(first)) return false;
    // `return _ctRt || (_ctRt = file(…))`, or `return _ctRt = file(…)` (files instrumented before)
    const assigned = t.isLogicalExpression(first.argument) ? first.argument.right : first.argument;
    return t.isAssignmentExpression(assigned) && isFileCall(assigned.right);
  });
}

/**
 * The Babel plugin. Use it through {@link instrument} (which also strips TypeScript and JSX and
 * attaches the source map), or directly in a Babel config with {@link CodetracerPluginOptions}.
 * A file that already carries the instrumentation marker is left unchanged.
 */
export function codetracerBabelPlugin(_api: unknown, options: CodetracerPluginOptions): PluginObj<PluginPass> {
  return {
    name: "codetracer-instrument",
    // After every plugin of the pass, before the code and its source map are generated.
    post(file) {
      markInserted(file);
    },
    visitor: {
      Program: {
        enter(program, pass) {
          const meta: CodetracerPluginMetadata = { instrumented: false, functions: 0, sites: 0, traced: 0, skipped: 0 };
          (pass.file.metadata as unknown as Record<string, unknown>).codetracer = meta;
          if (isAlreadyInstrumented(program, pass.file)) return;
          const state: VisitState = {
            ct: program.scope.generateUidIdentifier("ctRt"),
            init: program.scope.generateUidIdentifier(INIT_FUNCTION_PREFIX.slice(1) + fileKey(options.filename)),
            asyncFns: new Set(),
            frames: new Map(),
            fns: [["<module>", 1]],
            sites: [],
            generated: new Set(),
            done: new WeakSet(),
            rewritten: new WeakSet(),
            program,
            originalLine: options.originalLine ?? null,
            recorded: options.recorded ?? null,
            fnRanges: options.sourceRanges ? new Map([[0, [-1, -1]]]) : null,
            classRanges: [],
            decorated: false,
            code: pass.file.code,
            scopes: options.scopes ?? null,
            decisions: new Map(),
            paramNames: new Map(),
            skipped: 0,
            redactReturn: [],
            dropReturn: [],
            wrapped: [],
            replaced: [],
          };
          state.generated.add(state.ct.name);
          state.generated.add(state.init.name);
          const moduleFrame = program.scope.generateUidIdentifier("ctF");
          state.generated.add(moduleFrame.name);
          // The module body is a scope of its own (`<module>`): when the filter skips it, its
          // statements are left as written and only its functions may be recorded.
          const moduleDecision = decide(state, "<module>");
          const moduleTraced = moduleDecision?.exec !== "skip";
          if (moduleTraced) {
            state.frames.set(program.node, { frame: moduleFrame, fnId: 0 });
            if (moduleDecision) state.decisions.set(program.node, moduleDecision);
          } else state.skipped++;

          program.traverse(visitor, state);

          const table: FileTable = {
            v: ABI_VERSION,
            path: options.filename,
            fns: state.fns,
            sites: state.sites,
          };
          if (state.asyncFns.size > 0) table.async = [...state.asyncFns].sort((a, b) => a - b);
          if (state.skipped > 0) table.skipped = state.skipped;
          if (state.redactReturn.length > 0) table.redactReturn = state.redactReturn;
          if (state.dropReturn.length > 0) table.dropReturn = state.dropReturn;
          if (state.fnRanges && !state.decorated) {
            const fns = state.fns.flatMap((_, id) => state.fnRanges!.get(id) ?? [-1, -1]);
            table.src = { key: fileKey(options.filename), fns, classes: state.classRanges };
          }
          const fileCall = t.callExpression(
            t.memberExpression(t.memberExpression(t.identifier("globalThis"), t.identifier(RUNTIME_GLOBAL)), t.identifier("file")),
            [t.valueToNode(table)],
          );
          // var _ctRt; function _ctRtInit() { return _ctRt || (_ctRt = globalThis.__codetracer__.file(TABLE)); }
          // (the `||`: field initialisers call it each time, see lazyCallInline)
          const prologue: t.Statement[] = [
            t.variableDeclaration("var", [t.variableDeclarator(t.cloneNode(state.ct))]),
            t.functionDeclaration(
              t.cloneNode(state.init),
              [],
              t.blockStatement([
                t.returnStatement(t.logicalExpression("||", t.cloneNode(state.ct), t.assignmentExpression("=", t.cloneNode(state.ct), fileCall))),
              ]),
            ),
          ];
          if (moduleTraced) {
            prologue.push(t.variableDeclaration("const", [t.variableDeclarator(moduleFrame, lazyCall(state, "enter", [t.numericLiteral(0)]))]));
          } else if (state.skipped > 0 && state.fns.length > 1) {
            // The table (and so its `skipped` count) reaches the runtime when the module loads,
            // as it does for a traced module body, even if none of its traced functions runs.
            prologue.push(t.expressionStatement(t.callExpression(t.cloneNode(state.init), [])));
          }
          t.addComment(prologue[0]!, "leading", ` ${INSTRUMENTED_MARKER} `);
          // Istanbul (nyc, Vitest's `istanbul` provider) numbers anonymous functions in the order
          // it meets functions: without the hint, the init function would shift every number.
          t.addComment(prologue[1]!, "leading", " istanbul ignore next ");
          if (options.runtimeImport !== undefined) {
            const id = t.stringLiteral(options.runtimeImport);
            prologue.unshift(
              program.node.sourceType === "module" ? t.importDeclaration([], id) : t.expressionStatement(t.callExpression(t.identifier("require"), [id])),
            );
          }
          program.node.body.unshift(...prologue);
          // The end of the module body: it returns (with no value), then its frame is left.
          if (moduleTraced) {
            program.node.body.push(
              t.expressionStatement(call(state, "ret", [t.cloneNode(moduleFrame)])),
              t.expressionStatement(call(state, "exit", [t.cloneNode(moduleFrame)])),
            );
          }
          program.scope.crawl();
          noteInserted(program.node, state, pass.file);
          meta.instrumented = true;
          meta.functions = state.fns.length;
          meta.sites = state.sites.length;
          meta.traced = state.fns.length - (moduleTraced ? 0 : 1);
          meta.skipped = state.skipped;
        },
      },
    },
  };
}
