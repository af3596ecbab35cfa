/**
 * TypeScript's legacy parameter decorators (`constructor(@Inject() db: Db)`,
 * `m(@Body() dto)`), which Babel parses but does not compile. TypeScript (with
 * `experimentalDecorators`) compiles `@dec` on parameter `i` of a method to the extra method
 * decorator `__param(i, dec)`, i.e. `function (target, key) { dec(target, key, i); }`, placed
 * after the method's own decorators; on a constructor parameter it becomes such a decorator of
 * the class, with `key` undefined. The returned value of a parameter decorator is ignored.
 *
 * This plugin rewrites them so, before Babel's legacy decorators transform applies decorators
 * in TypeScript's order (last in the list first, so parameter decorators run before the
 * method's own, highest index first, and several on one parameter bottom-up). The decorator
 * expressions are evaluated where TypeScript evaluates them: with the other decorators of the
 * method or class, in source order.
 */
import { types as t, type NodePath, type PluginObj } from "@babel/core";

/**
 * `((d) => function (target, key) { d(target, key, index); })(dec)`: like TypeScript's
 * `__param(index, dec)`, the decorator expression is evaluated with the decorator list, and
 * applied later (key `undefined` for a constructor parameter).
 */
function parameterDecorator(expression: t.Expression, index: number, constructor: boolean): t.Decorator {
  const d = t.identifier("d");
  const target = t.identifier("target");
  const key = t.identifier("key");
  const apply = t.callExpression(t.cloneNode(d), [t.cloneNode(target), constructor ? t.identifier("undefined") : t.cloneNode(key), t.numericLiteral(index)]);
  const wrapper = t.functionExpression(null, [target, key], t.blockStatement([t.expressionStatement(apply)]));
  return t.decorator(t.callExpression(t.arrowFunctionExpression([d], wrapper), [expression]));
}

/** Moves the decorators of `method`'s parameters onto the method (or, for a constructor, the class). */
function moveParameterDecorators(cls: NodePath<t.Class>, method: t.ClassMethod | t.ClassPrivateMethod | t.TSDeclareMethod): void {
  const constructor = method.kind === "constructor";
  const moved: t.Decorator[] = [];
  method.params.forEach((param, index) => {
    const decorators = (param as { decorators?: t.Decorator[] | null }).decorators;
    if (!decorators?.length) return;
    for (const decorator of decorators) moved.push(parameterDecorator(decorator.expression, index, constructor));
    (param as { decorators?: t.Decorator[] | null }).decorators = null;
  });
  if (moved.length === 0) return;
  const owner = constructor ? cls.node : method;
  owner.decorators = [...(owner.decorators ?? []), ...moved];
}

/**
 * The Babel plugin. Run it before `@babel/plugin-transform-typescript` and the legacy
 * decorators transform (it works from `Program.enter` on the original AST).
 */
export function parameterDecoratorsPlugin(): PluginObj {
  return {
    name: "codetracer-parameter-decorators",
    visitor: {
      Program(program) {
        program.traverse({
          Class(cls) {
            for (const member of cls.node.body.body) {
              if (t.isClassMethod(member) || t.isClassPrivateMethod(member) || t.isTSDeclareMethod(member)) {
                moveParameterDecorators(cls, member);
              }
            }
          },
        });
      },
    },
  };
}
