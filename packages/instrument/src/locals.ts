/**
 * Which locals a step may read: the bindings of the current function (or module) that are
 * visible at a statement AND certainly initialised before it runs, so that reading them can
 * never throw (temporal dead zone) and never resolves to a different binding.
 */
import type { NodePath, types as t } from "@babel/core";

type Binding = NonNullable<ReturnType<NodePath["scope"]["getBinding"]>>;

/** The function, class static block or program path whose frame a statement belongs to. */
export type FrameOwner = NodePath<t.Function> | NodePath<t.StaticBlock> | NodePath<t.Program>;

/**
 * Names of the locals to capture before `stmt` runs, in declaration order (outer scopes first).
 *
 * Rules:
 * - parameters and `var`s of the owner are always initialised (`var` may be `undefined`);
 * - a `let`/`const`/`using` is taken only if its declaration statement is an earlier sibling of
 *   an ancestor of `stmt` in the same statement list, or it is declared in the head of a loop
 *   whose body contains `stmt`, or it is a `catch` parameter whose body contains `stmt`;
 * - a name whose innermost binding at `stmt` fails those rules is left out entirely (reading it
 *   would hit the TDZ of the inner binding, not the outer one);
 * - imports, functions, classes, enums, TS `declare`d names and `this` are never captured.
 */
export function visibleLocals(stmt: NodePath<t.Statement>, owner: FrameOwner, exclude: ReadonlySet<string>): string[] {
  const seen = new Set<string>();
  const layers: string[][] = [];
  const extraPositions = new Map<string, number>();
  let scope: NodePath["scope"] | undefined = stmt.scope;
  while (scope) {
    const layer: string[] = [];
    for (const name of Object.keys(scope.bindings)) {
      if (seen.has(name)) continue;
      seen.add(name);
      if (exclude.has(name)) continue;
      const binding = scope.bindings[name]!;
      if (isReadable(binding, stmt)) layer.push(name);
    }
    if (scope.path.node === owner.node && owner.isFunction()) {
      // Babel registers no binding for TS parameter properties (`constructor(private x)`).
      for (const param of owner.node.params) {
        if (param.type !== "TSParameterProperty") continue;
        const id = param.parameter.type === "AssignmentPattern" ? param.parameter.left : param.parameter;
        if (id.type === "Identifier" && !seen.has(id.name) && !exclude.has(id.name)) {
          seen.add(id.name);
          layer.push(id.name);
          extraPositions.set(id.name, id.start ?? 0);
        }
      }
    }
    layers.push(sortByPosition(layer, scope, extraPositions));
    if (scope.path.node === owner.node) break;
    scope = scope.parent;
  }
  return layers.reverse().flat();
}

function sortByPosition(names: string[], scope: NodePath["scope"], extra: ReadonlyMap<string, number>): string[] {
  const pos = (n: string) => scope.bindings[n]?.identifier.start ?? extra.get(n) ?? 0;
  return names.sort((a, b) => pos(a) - pos(b));
}

function isReadable(binding: Binding, stmt: NodePath<t.Statement>): boolean {
  const node = binding.identifier;
  if (node.name === "this" || !node.loc) return false;
  switch (binding.kind) {
    case "param":
      return true;
    case "var": {
      const decl = binding.path.parentPath;
      return binding.path.isVariableDeclarator() && !(decl?.node as t.VariableDeclaration).declare;
    }
    case "let":
    case "const":
    case "using" as Binding["kind"]:
      return lexicalInitialised(binding, stmt);
    default:
      return false; // module (imports), hoisted (functions), local (fn/class expr names), unknown
  }
}

function lexicalInitialised(binding: Binding, stmt: NodePath<t.Statement>): boolean {
  const bpath = binding.path;
  if (bpath.isCatchClause()) return stmt.isDescendant(bpath.get("body"));
  if (!bpath.isVariableDeclarator()) return false; // class declarations, enums
  const declaration = bpath.parentPath as NodePath<t.VariableDeclaration>;
  if (declaration.node.declare) return false;
  const holder = declaration.parentPath;
  if (!holder) return false;
  if (holder.isForStatement() || holder.isForInStatement() || holder.isForOfStatement()) {
    return stmt.isDescendant(holder.get("body") as NodePath);
  }
  const declStmt: NodePath = holder.isExportNamedDeclaration() ? holder : declaration;
  const list = declStmt.parentPath;
  const listKey = declStmt.listKey;
  if (!list || listKey === undefined) return false;
  let cur: NodePath | null = stmt;
  while (cur && cur !== list) {
    if (cur.parentPath === list && cur.listKey === listKey) {
      return (cur.key as number) > (declStmt.key as number);
    }
    cur = cur.parentPath;
  }
  return false;
}
