/**
 * The Babel 7 visitor that instruments one file. It runs its own traversal from
 * `Program.enter`, so it sees the original AST (TypeScript and JSX included) before any other
 * plugin in the same pass changes it, and every line it records is a line of the original file.
 *
 * What it inserts (see `@codetracer/runtime/abi` for the contract):
 * - a file prologue registering the function and site tables built during the visit;
 * - in every function: `enter` with the parameter values, and a `try/catch/finally` that
 *   reports a throw (`threw`) and always `exit`s, so calls and returns balance;
 * - before every statement: `step` with the locals that are visible and initialised there;
 * - `return e` → `return ret(frame, e)`; `await e` / `yield e` → suspend and resume.
 */
import { types as t, type NodePath, type PluginObj, type PluginPass } from "@babel/core";
import {
  ABI_VERSION,
  INSTRUMENTED_MARKER,
  RUNTIME_GLOBAL,
  type FileTable,
  type FunctionEntry,
  type SiteEntry,
} from "@codetracer/runtime/abi";
import { visibleLocals, type FrameOwner } from "./locals.js";
import { parameterNames, qualifiedFunctionName } from "./names.js";

/** Options of {@link codetracerBabelPlugin}. */
export interface CodetracerPluginOptions {
  /** Absolute path of the original file, written into the table (POSIX separators). */
  filename: string;
  /**
   * The file runs as CommonJS (a top-level `return` leaves the module frame).
   * @default false
   */
  commonjs?: boolean;
}

/** What the plugin reports back through `file.metadata.codetracer`. */
export interface CodetracerPluginMetadata {
  /** `false` when the file was already instrumented and left unchanged. */
  instrumented: boolean;
  /** Number of functions in the table (the module body included). */
  functions: number;
  /** Number of step sites. */
  sites: number;
}

interface FrameInfo {
  frame: t.Identifier;
  fnId: number;
}

interface VisitState {
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
  program: NodePath<t.Program>;
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
  if (path.listKey === "body") return parent.isProgram() || parent.isBlockStatement();
  return path.listKey === "consequent" && parent.isSwitchCase();
}

function ownerOf(path: NodePath, state: VisitState): { owner: FrameOwner; info: FrameInfo } | null {
  const owner: FrameOwner = (path.getFunctionParent() as NodePath<t.Function> | null) ?? state.program;
  const info = state.frames.get(owner.node);
  return info ? { owner, info } : null;
}

function call(state: VisitState, method: string, args: t.Expression[]): t.CallExpression {
  return t.callExpression(t.memberExpression(t.cloneNode(state.ct), t.identifier(method)), args);
}

/**
 * `(_ct || _ctInit()).enter(...)`: a function may run before its module's body (import cycles,
 * hoisted declarations called by a module that imports this one), when `_ct` is not set yet.
 */
function enterCall(state: VisitState, args: t.Expression[]): t.CallExpression {
  const runtime = t.logicalExpression("||", t.cloneNode(state.ct), t.callExpression(t.cloneNode(state.init), []));
  return t.callExpression(t.memberExpression(runtime, t.identifier("enter")), args);
}

function ensureBlock(path: NodePath<t.Statement | null | undefined>): void {
  const node = path.node;
  if (!node || t.isBlockStatement(node)) return;
  path.replaceWith(t.blockStatement([node]));
}

const visitor = {
  // Code under `with` resolves names through an object: leave it as it is (documented).
  WithStatement(path: NodePath<t.WithStatement>) {
    path.skip();
  },
  // TS namespaces and class static blocks are left uninstrumented in this version.
  TSModuleDeclaration(path: NodePath<t.TSModuleDeclaration>) {
    path.skip();
  },
  StaticBlock(path: NodePath<t.StaticBlock>) {
    path.skip();
  },

  IfStatement(path: NodePath<t.IfStatement>) {
    ensureBlock(path.get("consequent"));
    ensureBlock(path.get("alternate"));
  },
  Loop(path: NodePath<t.Loop>) {
    ensureBlock(path.get("body") as NodePath<t.Statement>);
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
      const fnId =
        this.fns.push([qualifiedFunctionName(path), node.loc.start.line, ...parameterNames(node.params)]) - 1;
      const frame = path.scope.generateUidIdentifier("f");
      this.generated.add(frame.name);
      this.frames.set(node, { frame, fnId });
      if (node.async && !node.generator) this.asyncFns.add(fnId);
    },
    exit(this: VisitState, path: NodePath<t.Function>) {
      const info = this.frames.get(path.node);
      const body = path.node.body;
      if (!info || !t.isBlockStatement(body)) return;
      const params = (this.fns[info.fnId]!.slice(2) as string[]).map((n) => t.identifier(n));
      const err = path.scope.generateUidIdentifier("e");
      this.generated.add(err.name);
      const enter = t.variableDeclaration("const", [
        t.variableDeclarator(info.frame, enterCall(this, [t.numericLiteral(info.fnId), ...params])),
      ]);
      // Function declarations of the body would become block-scoped inside the `try`
      // (clashing with a `var` of the same name, duplicate names in strict code, parameter
      // shadowing). Keep them function-scoped and hoisted: `var g = function () {…}` at the top
      // of the block, in source order (the name is still inferred as `g`).
      const hoisted: t.Statement[] = [];
      const rest: t.Statement[] = [];
      for (const stmt of body.body) {
        if (t.isFunctionDeclaration(stmt) && stmt.id) {
          const fn = t.functionExpression(null, stmt.params, stmt.body, stmt.generator, stmt.async);
          fn.loc = stmt.loc ?? null;
          const decl = t.variableDeclaration("var", [t.variableDeclarator(stmt.id, fn)]);
          decl.loc = stmt.loc ?? null;
          hoisted.push(decl);
        } else rest.push(stmt);
      }
      const guarded = t.tryStatement(
        t.blockStatement([...hoisted, ...rest]),
        t.catchClause(
          err,
          t.blockStatement([
            t.expressionStatement(call(this, "threw", [t.cloneNode(info.frame), t.cloneNode(err)])),
            t.throwStatement(t.cloneNode(err)),
          ]),
        ),
        t.blockStatement([t.expressionStatement(call(this, "exit", [t.cloneNode(info.frame)]))]),
      );
      body.body = [enter, guarded];
    },
  },

  Statement(this: VisitState, path: NodePath<t.Statement>) {
    const node = path.node;
    if (!node.loc || this.done.has(node) || !isStatementListItem(path) || !isSteppable(node)) return;
    this.done.add(node);
    const found = ownerOf(path, this);
    if (!found) return;
    const names = visibleLocals(path, found.owner, this.generated);
    const site = this.sites.push([node.loc.start.line, ...names]) - 1;
    const step = t.expressionStatement(
      call(this, "step", [t.cloneNode(found.info.frame), t.numericLiteral(site), ...names.map((n) => t.identifier(n))]),
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
      node.argument = node.argument
        ? t.sequenceExpression([call(this, "ret", [frame(), node.argument]), exit])
        : exit;
    } else if (node.argument) {
      node.argument = call(this, "ret", [frame(), node.argument]);
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
    path.replaceWith(call(this, "resume", [frame(), awaited]));
  },

  ForOfStatement(this: VisitState, path: NodePath<t.ForOfStatement>) {
    if (path.node.await && !path.getFunctionParent()) this.asyncFns.add(0);
  },

  YieldExpression(this: VisitState, path: NodePath<t.YieldExpression>) {
    if (this.done.has(path.node) || path.node.delegate) return;
    const found = ownerOf(path, this);
    if (!found) return;
    const frame = () => t.cloneNode(found.info.frame);
    const arg = path.node.argument ?? t.identifier("undefined");
    const yielded = t.yieldExpression(call(this, "suspend", [frame(), arg]));
    this.done.add(yielded);
    path.replaceWith(call(this, "resume", [frame(), yielded]));
  },
};

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
    return t.isReturnStatement(first) && t.isAssignmentExpression(first.argument) && isFileCall(first.argument.right);
  });
}

/**
 * The Babel plugin. Use it through {@link instrument} (which also strips TypeScript and JSX and
 * attaches the source map), or directly in a Babel config with {@link CodetracerPluginOptions}.
 * A file that already carries the instrumentation marker is left unchanged.
 */
export function codetracerBabelPlugin(
  _api: unknown,
  options: CodetracerPluginOptions,
): PluginObj<PluginPass> {
  return {
    name: "codetracer-instrument",
    visitor: {
      Program: {
        enter(program, pass) {
          const meta: CodetracerPluginMetadata = { instrumented: false, functions: 0, sites: 0 };
          (pass.file.metadata as unknown as Record<string, unknown>).codetracer = meta;
          if (isAlreadyInstrumented(program, pass.file)) return;
          const state: VisitState = {
            ct: program.scope.generateUidIdentifier("ct"),
            init: program.scope.generateUidIdentifier("ctInit"),
            asyncFns: new Set(),
            frames: new Map(),
            fns: [["<module>", 1]],
            sites: [],
            generated: new Set(),
            done: new WeakSet(),
            program,
          };
          state.generated.add(state.ct.name);
          state.generated.add(state.init.name);
          const moduleFrame = program.scope.generateUidIdentifier("f");
          state.generated.add(moduleFrame.name);
          state.frames.set(program.node, { frame: moduleFrame, fnId: 0 });

          program.traverse(visitor, state);

          const table: FileTable = {
            v: ABI_VERSION,
            path: options.filename,
            fns: state.fns,
            sites: state.sites,
          };
          if (state.asyncFns.size > 0) table.async = [...state.asyncFns].sort((a, b) => a - b);
          const fileCall = t.callExpression(
            t.memberExpression(
              t.memberExpression(t.identifier("globalThis"), t.identifier(RUNTIME_GLOBAL)),
              t.identifier("file"),
            ),
            [t.valueToNode(table)],
          );
          // var _ct; function _ctInit() { return (_ct = globalThis.__codetracer__.file(TABLE)); }
          const prologue = [
            t.variableDeclaration("var", [t.variableDeclarator(t.cloneNode(state.ct))]),
            t.functionDeclaration(
              t.cloneNode(state.init),
              [],
              t.blockStatement([t.returnStatement(t.assignmentExpression("=", t.cloneNode(state.ct), fileCall))]),
            ),
            t.variableDeclaration("const", [
              t.variableDeclarator(moduleFrame, enterCall(state, [t.numericLiteral(0)])),
            ]),
          ];
          t.addComment(prologue[0]!, "leading", ` ${INSTRUMENTED_MARKER} `);
          program.node.body.unshift(...prologue);
          program.node.body.push(t.expressionStatement(call(state, "exit", [t.cloneNode(moduleFrame)])));
          program.scope.crawl();
          meta.instrumented = true;
          meta.functions = state.fns.length;
          meta.sites = state.sites.length;
        },
      },
    },
  };
}
