/**
 * The lint behind the `no-program-builtins` tests of `packages/runtime` and
 * `packages/trace-format`: code that runs while a recorded program runs never depends on what the
 * program can change (see packages/trace-format/src/primordials.ts). With TypeScript's type
 * checker it finds, inside functions (code outside functions runs when the module loads, before
 * the program):
 * - array spread and spread arguments, `for…of`, array destructuring (they run the program's
 *   `Array.prototype[Symbol.iterator]` and `%ArrayIteratorPrototype%.next`);
 * - a call of a built-in looked up at run time (`map.get(k)`, `s.slice(1)`, `Object.keys(o)`,
 *   `new Map()`, `String(x)`): only built-ins captured at load (primordials.ts) may be called, or
 *   methods of the `SafeMap`/`SafeSet`/`SafeWeakMap`/`SafeWeakSet`/`SafeArray` objects;
 * - storing into an index of an ordinary array (`a[i] = v` reaches a setter of the program's on
 *   `Array.prototype` or `Object.prototype` when `a` does not own index `i`): only into a
 *   `SafeArray`, or where the line says why the index is the array's own (`// own index: …`).
 *
 * - Node's `path.join`, even captured at load: it collects its arguments into a new array with
 *   `push`, so a program's index accessor runs inside it (use trace-format's `joinPath`).
 *
 * A line ending with `// builtins-ok: <reason>`, or below such a whole-line comment, is not checked.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/** One place that breaks the rule. */
export interface BuiltinsFinding {
  /** Path relative to the package's `src/`, with `/`. */
  file: string;
  /** 1-based line. */
  line: number;
  what: string;
}

/** Receiver types whose methods are the runtime's own copies (primordials.ts). */
const SAFE_TYPES = new Set(["SafeMap", "SafeSet", "SafeWeakMap", "SafeWeakSet", "SafeArray", "SafeDataView"]);

/** Globals a function may use as they are: not built-ins with methods the program could replace. */
const PLAIN_GLOBALS = new Set(["undefined", "NaN", "Infinity", "globalThis", "process"]);

function isLibDeclaration(decl: ts.Declaration): boolean {
  const file = decl.getSourceFile().fileName;
  return /[\\/]typescript[\\/]lib[\\/]lib\.[^\\/]*\.d\.ts$/.test(file) || /[\\/]@types[\\/]node[\\/]/.test(file);
}

function typeName(checker: ts.TypeChecker, node: ts.Node): string | undefined {
  const type = checker.getNonNullableType(checker.getTypeAtLocation(node));
  return (type.aliasSymbol ?? type.getSymbol())?.getName();
}

/**
 * Lints the sources of the package at `root` (its `tsconfig.json`), except the files of
 * `allowed` (paths relative to `src/`, each with the reason it is not checked).
 */
export function lintProgramBuiltins(root: string, allowed: Readonly<Record<string, string>>): BuiltinsFinding[] {
  const ROOT = root;
  const config = ts.getParsedCommandLineOfConfigFile(
    path.join(ROOT, "tsconfig.json"),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
      },
    },
  )!;
  const program = ts.createProgram({ rootNames: config.fileNames, options: { ...config.options, noEmit: true } });
  const checker = program.getTypeChecker();
  const findings: BuiltinsFinding[] = [];
  for (const sf of program.getSourceFiles()) {
    const rel = path.relative(path.join(ROOT, "src"), sf.fileName).split(path.sep).join("/");
    if (rel.startsWith("..") || sf.isDeclarationFile || rel in allowed) continue;
    const lines = sf.text.split("\n");
    // Node's own functions that store into a new array (so a program's index accessor runs in
    // them) even when captured at load: `path.join` (use `joinPath` of trace-format).
    for (let i = 0; i < lines.length; i++) {
      if (/\bjoin\b[^;=]*\}\s*=\s*(path|posix|win32)\b/.test(lines[i]!) && !/\/\/ builtins-ok: \S/.test(lines[i]!)) {
        findings.push({ file: rel, line: i + 1, what: "Node's path.join captured (it stores into a new array): use joinPath" });
      }
    }
    // A marker applies to its own line, or, as a whole-line comment, to the line below it.
    const marked = (line: number, marker: RegExp): boolean =>
      marker.test(lines[line] ?? "") || (/^\s*\/\//.test(lines[line - 1] ?? "") && marker.test(lines[line - 1] ?? ""));
    const report = (node: ts.Node, what: string) => {
      const line = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
      if (marked(line, /\/\/ builtins-ok: \S/)) return;
      if (what.startsWith("index store") && marked(line, /\/\/ own index: \S/)) return;
      findings.push({ file: rel, line: line + 1, what });
    };
    const libSymbol = (node: ts.Node): boolean => {
      let sym = checker.getSymbolAtLocation(node);
      if (sym && sym.flags & ts.SymbolFlags.Alias) sym = checker.getAliasedSymbol(sym);
      return !!sym?.declarations?.length && sym.declarations.every(isLibDeclaration);
    };
    const visit = (node: ts.Node, inFunction: boolean): void => {
      const inside = inFunction || ts.isFunctionLike(node) || ts.isClassStaticBlockDeclaration(node);
      if (inside) {
        if (ts.isSpreadElement(node)) report(node, "spread (iterator protocol)");
        else if (ts.isForOfStatement(node)) report(node, "for…of (iterator protocol)");
        else if (ts.isArrayBindingPattern(node)) report(node, "array destructuring (iterator protocol)");
        else if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
          if (ts.isArrayLiteralExpression(node.left)) report(node, "array destructuring (iterator protocol)");
          else if (ts.isElementAccessExpression(node.left)) {
            const target = checker.getNonNullableType(checker.getTypeAtLocation(node.left.expression));
            if ((checker.isArrayType(target) || checker.isTupleType(target)) && !SAFE_TYPES.has(typeName(checker, node.left.expression) ?? "")) {
              report(node, `index store into an ordinary array: ${node.left.getText(sf)}`);
            }
          }
        } else if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
          const callee = node.expression;
          if (ts.isPropertyAccessExpression(callee) || ts.isElementAccessExpression(callee)) {
            const name = ts.isPropertyAccessExpression(callee) ? callee.name : callee.argumentExpression;
            if (libSymbol(name) && !SAFE_TYPES.has(typeName(checker, callee.expression) ?? "")) {
              report(node, `run-time built-in: ${callee.getText(sf).slice(0, 60)}`);
            }
          } else if (ts.isIdentifier(callee) && !PLAIN_GLOBALS.has(callee.text) && libSymbol(callee)) {
            report(node, `run-time global: ${callee.text}`);
          }
        } else if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression) && !PLAIN_GLOBALS.has(node.expression.text)) {
          // `Symbol.iterator`, `Number.MAX_SAFE_INTEGER`: a global the program can replace.
          if (!ts.isCallExpression(node.parent) || node.parent.expression !== node) {
            if (libSymbol(node.expression) && !ts.isTypeNode(node.parent) && !ts.isTypeQueryNode(node.parent)) {
              report(node, `run-time global: ${node.getText(sf)}`);
            }
          }
        }
      }
      ts.forEachChild(node, (child) => visit(child, inside));
    };
    visit(sf, false);
  }
  return findings;
}

/**
 * The vitest suite of a package's lint test: no finding in the package at `root` outside
 * `allowed`, and every allowed file exists.
 */
export function describeProgramBuiltinsLint(title: string, root: string, allowed: Readonly<Record<string, string>>): void {
  describe(title, () => {
    it("finds no spread, for…of, array destructuring, run-time built-in call or unowned index store", () => {
      const findings = lintProgramBuiltins(root, allowed);
      expect(findings.map((f) => `src/${f.file}:${f.line}: ${f.what}`)).toEqual([]);
    }, 120_000);

    it("every allowed file exists", () => {
      for (const file of Object.keys(allowed)) expect(fs.existsSync(path.join(root, "src", file)), file).toBe(true);
    });
  });
}
