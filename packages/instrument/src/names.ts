/**
 * Display names of functions, built at compile time: the qualified name within the module
 * (`UserService.login`, `outer.inner`, `api.get`), as trace-filter `obj:` selectors and the
 * debugger's call stack show them.
 */
import { types as t, type NodePath } from "@babel/core";

/** Name used for a function no name can be inferred for. */
export const ANONYMOUS = "<anonymous>";

const cache = new WeakMap<t.Node, string>();

/** The qualified name of a function: enclosing functions and classes joined with `.`. */
export function qualifiedFunctionName(path: NodePath<t.Function>): string {
  const hit = cache.get(path.node);
  if (hit !== undefined) return hit;
  const own = ownFunctionName(path);
  const container = containerName(path);
  const name = container ? `${container}.${own}` : own;
  cache.set(path.node, name);
  return name;
}

/** The object literal `path` is a member (method, or property value) of, if any. */
function enclosingObject(path: NodePath): NodePath<t.ObjectExpression> | null {
  const parent = path.parentPath;
  if (parent?.isObjectExpression()) return parent;
  if (parent?.isObjectProperty() && parent.parentPath.isObjectExpression()) return parent.parentPath;
  return null;
}

/** `outer.nested` for an object literal written as the `nested` property of `outer`. */
function objectChain(objectPath: NodePath<t.ObjectExpression>): string {
  const own = inferredName(objectPath) ?? "";
  const outer = enclosingObject(objectPath);
  if (!outer) return own;
  const prefix = objectChain(outer);
  return prefix && own ? `${prefix}.${own}` : own;
}

function containerName(path: NodePath): string {
  // Object literal members are named after the object when it has a name.
  const objectPath = enclosingObject(path);
  const objectName = objectPath ? objectChain(objectPath) : "";

  let cur: NodePath | null = path.parentPath;
  while (cur) {
    if (cur.isFunction()) {
      const outer = qualifiedFunctionName(cur);
      return objectName ? `${outer}.${objectName}` : outer;
    }
    if (cur.isClass()) return className(cur);
    cur = cur.parentPath;
  }
  return objectName;
}

/** The qualified name of a class (`Outer.Inner`, `make.<anonymous>`), as used for its methods. */
export function classQualifiedName(path: NodePath<t.Class>): string {
  return className(path);
}

function className(path: NodePath<t.Class>): string {
  const own = path.node.id?.name ?? inferredName(path) ?? ANONYMOUS;
  const outer = containerName(path);
  return outer ? `${outer}.${own}` : own;
}

function keyName(key: t.Node, computed: boolean): string {
  if (computed) {
    if (t.isStringLiteral(key)) return key.value;
    // `[Symbol.iterator]() {}` is named "[Symbol.iterator]" by JS too.
    const chain = t.isMemberExpression(key) ? memberChain(key) : undefined;
    return chain?.startsWith("Symbol.") ? `[${chain}]` : "[computed]";
  }
  if (t.isIdentifier(key)) return key.name;
  if (t.isStringLiteral(key)) return key.value;
  if (t.isNumericLiteral(key)) return String(key.value);
  if (t.isPrivateName(key)) return `#${key.id.name}`;
  return "[computed]";
}

function ownFunctionName(path: NodePath<t.Function>): string {
  const node = path.node;
  if (t.isClassMethod(node) || t.isClassPrivateMethod(node) || t.isObjectMethod(node)) {
    const base = keyName(node.key, "computed" in node && node.computed === true);
    if (node.kind === "get") return `get ${base}`;
    if (node.kind === "set") return `set ${base}`;
    return base;
  }
  if ((t.isFunctionDeclaration(node) || t.isFunctionExpression(node)) && node.id) {
    return node.id.name;
  }
  return inferredName(path) ?? ANONYMOUS;
}

/** The name JS would infer for an anonymous function or class from where it is written. */
function inferredName(path: NodePath): string | undefined {
  const parent = path.parentPath;
  if (!parent) return undefined;
  const p = parent.node;
  if (t.isVariableDeclarator(p) && p.init === path.node && t.isIdentifier(p.id)) return p.id.name;
  if (t.isAssignmentExpression(p) && p.right === path.node) return memberChain(p.left);
  if (t.isAssignmentPattern(p) && p.right === path.node && t.isIdentifier(p.left)) return p.left.name;
  if ((t.isObjectProperty(p) || t.isClassProperty(p) || t.isClassPrivateProperty(p)) && p.value === path.node) {
    return keyName(p.key, "computed" in p && p.computed === true);
  }
  if (t.isExportDefaultDeclaration(p)) return "default";
  // `<button onClick={() => …}>` compiles to a `{ onClick: … }` property.
  if (t.isJSXExpressionContainer(p) && t.isJSXAttribute(parent.parent) && t.isJSXIdentifier(parent.parent.name)) {
    return parent.parent.name.name;
  }
  if (t.isTSAsExpression(p) || t.isTSSatisfiesExpression(p) || t.isParenthesizedExpression(p)) {
    return inferredName(parent);
  }
  return undefined;
}

function memberChain(node: t.Node): string | undefined {
  if (t.isIdentifier(node)) return node.name;
  if (t.isMemberExpression(node) && !node.computed && t.isIdentifier(node.property)) {
    const obj = t.isThisExpression(node.object) ? "this" : memberChain(node.object);
    return obj ? `${obj}.${node.property.name}` : undefined;
  }
  return undefined;
}

/** Names bound by a parameter list, pattern leaves flattened in source order; `this` excluded. */
export function parameterNames(params: ReadonlyArray<t.Node>): string[] {
  const names: string[] = [];
  const visit = (node: t.Node | null | undefined): void => {
    if (!node) return;
    if (t.isIdentifier(node)) {
      if (node.name !== "this") names.push(node.name);
    } else if (t.isAssignmentPattern(node)) visit(node.left);
    else if (t.isRestElement(node)) visit(node.argument);
    else if (t.isArrayPattern(node)) node.elements.forEach(visit);
    else if (t.isObjectPattern(node)) {
      for (const prop of node.properties) visit(t.isRestElement(prop) ? prop : prop.value);
    } else if (t.isTSParameterProperty(node)) visit(node.parameter);
  };
  params.forEach(visit);
  return names;
}
