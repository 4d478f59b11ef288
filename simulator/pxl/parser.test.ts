import { describe, expect, it } from 'vitest'
import type { AssignStmt, CallExpr, FunctionDefStmt } from './ast'
import { HTTP_STATS_SCRIPT } from '../../shared/pxl/http-stats'
import { compileErrorOf } from './fixtures'
import { parse } from './parser'

/** A script in the style of Pixie's UI scripts: comments, docstrings, multi-line calls, display. */
const DISPLAY_SCRIPT = `# Per-service HTTP stats, written in the style of Pixie's bundled scripts.
''' HTTP request stats

Latency and error rate per service.
'''
import px

window = '-5m'


def http_stats(start_time: str, svc: px.Service):
    """Per-service request stats."""
    df = px.DataFrame(table='http_events', start_time=start_time)
    df.service = df.ctx['service']
    df = df[px.has_service_name(df.service, svc)]
    df.failure = df.resp_status >= 400  # 4xx and 5xx
    df.timestamp = px.bin(df.time_, px.seconds(10))
    df = df.groupby(['service', 'timestamp']).agg(
        latency_quantiles=('latency', px.quantiles),
        error_rate=('failure', px.mean),
        throughput_total=('latency', px.count),
    )
    df.latency_p50 = px.DurationNanos(px.floor(px.pluck_float64(df.latency_quantiles, 'p50')))
    df['error rate'] = px.Percent(df.error_rate)
    return df[['service', 'timestamp', 'latency_p50', 'error rate', 'throughput_total']]


px.display(http_stats(window, 'default/frontend'), 'http_stats')
`

describe('parse: accepted PxL', () => {
  it('should parse the production stats script: one import, then defs with annotated arguments', () => {
    const source = HTTP_STATS_SCRIPT.source
    const mod = parse(source)
    expect(mod.body[0]?.type).toBe('Import')
    expect(mod.body.slice(1).every((s) => s.type === 'FunctionDef')).toBe(true)
    const defs = mod.body.slice(1) as FunctionDefStmt[]
    expect(defs.map((d) => d.name)).toContain('stats_by_replicaset')
    const byRs = defs.find((d) => d.name === 'stats_by_replicaset')!
    expect(
      byRs.params.map((p) => [p.name, p.annotation?.type === 'Name' ? p.annotation.id : undefined])
    ).toEqual([
      ['start_time', 'str'],
      ['namespace', 'str'],
      ['replicaset', 'str'],
      ['excluded_paths', 'str'],
      ['path_pattern', 'str'],
      ['method_pattern', 'str'],
      ['error_min_status', 'int'],
    ])
    // Positions are 1-based: the first parameter of `def _summarize(df, ...)` is at column 16.
    const summarize = defs.find((d) => d.name === '_summarize')!
    const line = source.split('\n').findIndex((l) => l.startsWith('def _summarize(')) + 1
    expect(summarize.params[0]).toMatchObject({ name: 'df', line, column: 16 })
    expect(summarize.params[0]?.annotation).toBeUndefined()
  })

  it('should parse a Pixie-style display script with comments, docstrings and multi-line calls', () => {
    const mod = parse(DISPLAY_SCRIPT)
    expect(mod.body.map((s) => s.type)).toEqual(['Expr', 'Import', 'Assign', 'FunctionDef', 'Expr'])
    const fn = mod.body[3] as FunctionDefStmt
    expect(fn.body).toHaveLength(10)
    const agg = fn.body[6] as AssignStmt
    const call = agg.value as CallExpr
    expect(call.keywords.map((k) => [k.name, k.line, k.column])).toEqual([
      ['latency_quantiles', 19, 9],
      ['error_rate', 20, 9],
      ['throughput_total', 21, 9],
    ])
    const subscriptAssign = fn.body[8] as AssignStmt
    expect(subscriptAssign.target).toMatchObject({ type: 'Subscript', line: 24, column: 5 })
  })

  it('should give each node its line and column', () => {
    const mod = parse(
      'import px\ndf = px.DataFrame(table="http_events")\ndf = df[df.resp_status >= 500]\n'
    )
    const filter = mod.body[2] as AssignStmt
    expect(filter.value).toMatchObject({
      type: 'Subscript',
      line: 3,
      column: 6,
      index: {
        type: 'Compare',
        op: '>=',
        line: 3,
        column: 9,
        right: { type: 'Number', value: 500n, line: 3, column: 27 },
      },
    })
  })

  it('should parse and/or/not with Python precedence', () => {
    const mod = parse('x = not a and b or c')
    const v = (mod.body[0] as AssignStmt).value
    expect(v).toMatchObject({
      type: 'BoolOp',
      op: 'or',
      values: [
        {
          type: 'BoolOp',
          op: 'and',
          values: [
            { type: 'UnaryOp', op: 'not' },
            { type: 'Name', id: 'b' },
          ],
        },
        { type: 'Name', id: 'c' },
      ],
    })
  })

  it('should parse arithmetic with * / % binding tighter than + -', () => {
    const v = parse('x = 1 + 2 * 3 % 4 - -5').body[0] as AssignStmt
    expect(v.value).toMatchObject({
      type: 'BinOp',
      op: '-',
      left: {
        type: 'BinOp',
        op: '+',
        right: { type: 'BinOp', op: '%', left: { type: 'BinOp', op: '*' } },
      },
      right: { type: 'Number', value: -5n },
    })
  })

  it('should parse numbers as int64 or float like Python', () => {
    const values = parse('a = 1\nb = 1.5\nc = 1e9\nd = 0x10\ne = 1_000\n').body.map(
      (s) => ((s as AssignStmt).value as { value: unknown }).value
    )
    expect(values).toEqual([1n, 1.5, 1e9, 16n, 1000n])
  })

  it('should concatenate adjacent string literals', () => {
    const v = (parse('x = \'a\' "b"').body[0] as AssignStmt).value
    expect(v).toMatchObject({ type: 'Str', value: 'ab' })
  })

  it('should accept tuples, lists, dicts, keyword arguments and semicolons', () => {
    const mod = parse("t = (1, 'a'); l = [1, 2,]; d = {'k': 1}\nf(1, x=2)\nreturn_value = (1,)")
    expect(mod.body.map((s) => s.type)).toEqual(['Assign', 'Assign', 'Assign', 'Expr', 'Assign'])
    expect((mod.body[4] as AssignStmt).value).toMatchObject({
      type: 'Tuple',
      elements: [{ value: 1n }],
    })
  })
})

describe('parse: rejected constructs point at the construct', () => {
  const prefix = 'import px\nx = 1\n'
  const cases: [string, string, string, number, number][] = [
    ['if statement', 'if x:\n    y = 1\n', "Can't parse expression of type If", 3, 1],
    ['for loop', 'for i in x:\n    y = i\n', "Can't parse expression of type For", 3, 1],
    ['while loop', 'while x:\n    y = 1\n', "Can't parse expression of type While", 3, 1],
    ['class', 'class A:\n    y = 1\n', "Can't parse expression of type ClassDef", 3, 1],
    ['try', 'try:\n    y = 1\nexcept:\n    y = 2\n', "Can't parse expression of type Try", 3, 1],
    ['with', 'with x as y:\n    z = 1\n', "Can't parse expression of type With", 3, 1],
    [
      'augmented assignment',
      'def f(df):\n    df.a += 1\n    return df\n',
      "Can't parse expression of type AugAssign",
      4,
      5,
    ],
    ['annotated assignment', 'y: int = 1\n', "Can't parse expression of type AnnAssign", 3, 1],
    ['lambda', 'f = lambda a: a\n', "Can't parse expression of type Lambda", 3, 5],
    ['conditional expression', 'y = 1 if x else 2\n', "Can't parse expression of type IfExp", 3, 5],
    ['list comprehension', 'y = [a for a in x]\n', "Can't parse expression of type ListComp", 3, 5],
    [
      'dict comprehension',
      'y = {a: 1 for a in x}\n',
      "Can't parse expression of type DictComp",
      3,
      5,
    ],
    ['set comprehension', 'y = {a for a in x}\n', "Can't parse expression of type SetComp", 3, 5],
    [
      'generator expression',
      'y = (a for a in x)\n',
      "Can't parse expression of type GeneratorExp",
      3,
      5,
    ],
    [
      'generator argument',
      'f(a for a in x)\n',
      "Can't parse expression of type GeneratorExp",
      3,
      3,
    ],
    ['set literal', 'y = {1, 2}\n', "Can't parse expression of type Set", 3, 5],
    ['f-string', "y = f'{x}'\n", "Can't parse expression of type JoinedStr", 3, 5],
    ['bytes literal', "y = b'x'\n", "Can't parse expression of type Bytes", 3, 5],
    ['slice', 'y = x[1:2]\n', "Can't parse expression of type Slice", 3, 7],
    ['starred call argument', 'f(*x)\n', "Can't parse expression of type Starred", 3, 3],
    [
      'default argument',
      'def f(a, b=2):\n    return a\n',
      'Default values for arguments are not supported in PxL',
      3,
      12,
    ],
    [
      '*args',
      'def f(*args):\n    return 1\n',
      '*args and **kwargs are not supported in PxL function definitions',
      3,
      7,
    ],
    [
      '**kwargs',
      'def f(a, **kw):\n    return 1\n',
      '*args and **kwargs are not supported in PxL function definitions',
      3,
      10,
    ],
    ['pass', 'def f():\n    pass\n', "Can't parse expression of type Pass", 4, 5],
    ['yield', 'def f():\n    yield 1\n', "Can't parse expression of type Yield", 4, 5],
    ['global', 'global x\n', "Can't parse expression of type Global", 3, 1],
    ['assert', 'assert x\n', "Can't parse expression of type Assert", 3, 1],
    ['del', 'del x\n', "Can't parse expression of type Delete", 3, 1],
    ['raise', 'raise x\n', "Can't parse expression of type Raise", 3, 1],
    ['walrus', 'f((y := 1))\n', "Can't parse expression of type NamedExpr", 3, 4],
    ['ellipsis', 'y = ...\n', "Can't parse expression of type Ellipsis", 3, 5],
    ['decorator', '@d\ndef f():\n    return 1\n', 'Decorators are not supported in PxL', 3, 1],
    ['return at module level', 'return x\n', "'return' outside function", 3, 1],
    [
      'chained comparison',
      'y = 1 < x < 3\n',
      'Chained comparisons are not supported in PxL; use one comparison per expression',
      3,
      11,
    ],
    ['in', 'y = x in z\n', "Comparison operator 'in' (In) is not supported in PxL", 3, 7],
    ['is', 'y = x is None\n', "Comparison operator 'is' (Is) is not supported in PxL", 3, 7],
    [
      'not in',
      'y = x not in z\n',
      "Comparison operator 'not in' (NotIn) is not supported in PxL",
      3,
      7,
    ],
    ['bitwise and', 'y = a & b\n', "Operator '&' (BitAnd) is not supported in PxL", 3, 7],
    ['bitwise or', 'y = a | b\n', "Operator '|' (BitOr) is not supported in PxL", 3, 7],
    ['power', 'y = 2 ** 3\n', "Operator '**' (Pow) is not supported in PxL", 3, 7],
    ['floor division', 'y = 7 // 2\n', "Operator '//' (FloorDiv) is not supported in PxL", 3, 7],
    [
      'tuple assignment target',
      'a, b = 1, 2\n',
      'Assignment target must be a name, an attribute or a subscript, not Tuple',
      3,
      1,
    ],
    ['chained assignment', 'a = b = 1\n', 'Chained assignment is not supported in PxL', 3, 1],
    ['assignment to a keyword', 'True = 1\n', 'cannot assign to True', 3, 1],
    [
      'import pxviews',
      'import pxviews\n',
      "'import pxviews' is not supported by the simulator",
      3,
      8,
    ],
    [
      'from import',
      'from px import DataFrame\n',
      "'from ... import' is not supported by the simulator; use 'import px'",
      3,
      1,
    ],
    ['unknown module', 'import os\n', "No module named 'os'", 3, 8],
    ['complex number', 'y = 2j\n', "Can't parse expression of type Complex", 3, 5],
    ['int64 overflow', 'y = 9223372036854775809\n', 'Integer literal does not fit in int64', 3, 5],
  ]

  for (const [name, src, message, line, column] of cases) {
    it(`should reject ${name} at ${line}:${column}`, () => {
      expect(compileErrorOf(() => parse(prefix + src))).toEqual({ message, line, column })
    })
  }

  it('should reject an unexpected indent at the indented line', () => {
    expect(compileErrorOf(() => parse('x = 1\n    y = 2\n'))).toEqual({
      message: 'unexpected indent',
      line: 2,
      column: 5,
    })
  })

  it('should report invalid syntax at the offending token', () => {
    expect(compileErrorOf(() => parse('import px\ndf = px.DataFrame(table=)\n'))).toEqual({
      message: 'invalid syntax',
      line: 2,
      column: 25,
    })
  })
})
