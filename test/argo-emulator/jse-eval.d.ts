// jse-eval 1.5 ships types (dist/index.d.ts) but its package.json "exports" does not point at them,
// so TypeScript with moduleResolution Bundler cannot find them. This declares the part we use.
declare module 'jse-eval' {
  import type jsep from 'jsep'

  type Context = Record<string, unknown>

  export default class ExpressionEval {
    static eval(ast: jsep.Expression, context?: Context): unknown
    static addEvaluator(
      nodeType: string,
      evaluator: (this: ExpressionEval, node: jsep.Expression, context?: Context) => unknown
    ): void
    context?: Context
    eval(node: unknown): unknown
  }
}
