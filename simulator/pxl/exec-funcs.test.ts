import { describe, expect, it } from 'vitest'
import { col, compileErrorOf, makeSource, rowsOf, runScript, tableFromRows } from './fixtures'
import type { ExecFunc } from '../../shared/pixie/types'

const ONE = tableFromRows('one', [col('x', 'INT64')], [[1n], [2n]])
const source = makeSource([ONE])

const SCRIPT = `import px

def echo(s: str, i: int, f: float, b: bool, svc: px.Service):
    df = px.DataFrame(table='one')
    df.s = s
    df.i = i
    df.f = f
    df.b = b
    df.svc = svc
    return df.head(1)

def two(n: int):
    df = px.DataFrame(table='one')
    return [df[df.x == n], df]

def not_a_frame(n: int):
    return n

def untyped(n):
    return px.DataFrame(table='one')

def with_list(paths: list):
    df = px.DataFrame(table='one')
    df.hit = px.equals_any('/b', paths)
    return df

def shows():
    df = px.DataFrame(table='one')
    px.display(df, 'shown')
    px.debug(df, 'dbg')
    return df

value = 5
`

function call(
  funcName: string,
  args: Record<string, string>,
  outputTablePrefix = 'out'
): ExecFunc[] {
  return [{ funcName, args, outputTablePrefix }]
}

const ECHO_ARGS = { s: 'hello', i: '-42', f: '2.5', b: 'true', svc: 'default/web' }

describe('exec_funcs', () => {
  it('should convert each argument by its annotation', () => {
    const t = runScript(SCRIPT, source, call('echo', ECHO_ARGS)).get('out')
    expect(rowsOf(t)).toEqual([{ x: 1n, s: 'hello', i: -42n, f: 2.5, b: true, svc: 'default/web' }])
    expect(t?.columns.map((c) => [c.name, c.type, c.semanticType])).toEqual([
      ['x', 'INT64', 0],
      ['s', 'STRING', 0],
      ['i', 'INT64', 0],
      ['f', 'FLOAT64', 0],
      ['b', 'BOOLEAN', 0],
      ['svc', 'STRING', 300],
    ])
  })

  it('should accept absl-style bool words and padded numbers', () => {
    for (const [word, expected] of [
      ['T', true],
      ['yes', true],
      ['1', true],
      ['false', false],
      ['N', false],
      ['0', false],
    ] as const) {
      const t = runScript(
        SCRIPT,
        source,
        call('echo', { ...ECHO_ARGS, b: word, i: ' 7 ', f: '1e3' })
      ).get('out')
      expect(rowsOf(t)[0]).toMatchObject({ b: expected, i: 7n, f: 1000 })
    }
  })

  it('should never parse a str argument as code', () => {
    const t = runScript(SCRIPT, source, call('echo', { ...ECHO_ARGS, s: "x') + px.now() #" })).get(
      'out'
    )
    expect(rowsOf(t)[0]?.s).toBe("x') + px.now() #")
  })

  // Errors about the call are reported at line 0, column 0 with Pixie's messages:
  // pixie-io/pixie src/carnot/planner/compiler/ast_visitor.cc ProcessExecFuncs (placeholder AST
  // node at 0:0), ParseStringAsType, ProcessExecFuncArgs; src/carnot/planner/objects/funcobject.cc.
  it('should reject an unparsable typed argument at 0:0', () => {
    expect(
      compileErrorOf(() => runScript(SCRIPT, source, call('echo', { ...ECHO_ARGS, i: '4.5' })))
    ).toEqual({
      message: "Failed to parse arg with value '4.5' as int64.",
      line: 0,
      column: 0,
    })
    expect(
      compileErrorOf(() =>
        runScript(SCRIPT, source, call('echo', { ...ECHO_ARGS, i: '9223372036854775808' }))
      )
    ).toMatchObject({
      message: "Failed to parse arg with value '9223372036854775808' as int64.",
    })
    expect(
      compileErrorOf(() => runScript(SCRIPT, source, call('echo', { ...ECHO_ARGS, b: 'maybe' })))
    ).toMatchObject({
      message: "Failed to parse arg with value 'maybe' as bool.",
      line: 0,
      column: 0,
    })
  })

  it('should reject missing and unknown arguments', () => {
    const { svc: _svc, ...missing } = ECHO_ARGS
    expect(compileErrorOf(() => runScript(SCRIPT, source, call('echo', missing)))).toEqual({
      message: "echo() missing 1 required positional arguments 'svc'",
      line: 0,
      column: 0,
    })
    expect(
      compileErrorOf(() => runScript(SCRIPT, source, call('echo', { ...ECHO_ARGS, extra: '1' })))
    ).toEqual({
      message: "Function 'echo' does not have an argument called 'extra'",
      line: 0,
      column: 0,
    })
  })

  it('should require annotations on exec_func arguments', () => {
    expect(compileErrorOf(() => runScript(SCRIPT, source, call('untyped', { n: '1' })))).toEqual({
      message: "Arg type annotation required. Function: 'untyped', arg: 'n'",
      line: 0,
      column: 0,
    })
  })

  it('should reject an unknown function and a name that is not a function', () => {
    expect(compileErrorOf(() => runScript(SCRIPT, source, call('nope', {})))).toEqual({
      message: "Function to execute, 'nope', not found.",
      line: 0,
      column: 0,
    })
    expect(compileErrorOf(() => runScript(SCRIPT, source, call('value', {})))).toMatchObject({
      message: "'value' is a 'INT64 value' not a function.",
      line: 0,
      column: 0,
    })
  })

  it("should name list results '<prefix>[i]'", () => {
    const t = runScript(SCRIPT, source, call('two', { n: '2' }, 'pair'))
    expect([...t.keys()]).toEqual(['pair[0]', 'pair[1]'])
    expect(rowsOf(t.get('pair[0]'))).toEqual([{ x: 2n }])
    expect(rowsOf(t.get('pair[1]'))).toHaveLength(2)
  })

  it('should reject a function that returns something else than DataFrames', () => {
    expect(
      compileErrorOf(() => runScript(SCRIPT, source, call('not_a_frame', { n: '1' })))
    ).toEqual({
      message: "Function 'not_a_frame' returns 'INT64 value' but should return a DataFrame.",
      line: 0,
      column: 0,
    })
  })

  it('should parse arguments with other annotations as PxL expressions', () => {
    const t = runScript(SCRIPT, source, call('with_list', { paths: "['/a', '/b']" })).get('out')
    expect(rowsOf(t).map((r) => r.hit)).toEqual([true, true])
  })

  it('should make px.display a no-op but keep px.debug, in call order', () => {
    const t = runScript(SCRIPT, source, [
      { funcName: 'shows', args: {}, outputTablePrefix: 'first' },
      { funcName: 'two', args: { n: '1' }, outputTablePrefix: 'second' },
    ])
    expect([...t.keys()]).toEqual(['_dbg', 'first', 'second[0]', 'second[1]'])
  })

  it('should call PxL functions from PxL with positional and keyword arguments', () => {
    const script = `import px
def pick(df, n: int):
    return df[df.x == n]
df = px.DataFrame(table='one')
px.display(pick(df, 2), 'a')
px.display(pick(n=1, df=df), 'b')
`
    const t = runScript(script, source)
    expect(rowsOf(t.get('a'))).toEqual([{ x: 2n }])
    expect(rowsOf(t.get('b'))).toEqual([{ x: 1n }])
  })

  it('should reject a PxL call with a missing argument', () => {
    const script = 'import px\ndef f(a, b):\n    return a\nx = f(1)\n'
    expect(compileErrorOf(() => runScript(script, source))).toEqual({
      message: "f() missing required argument(s): 'b'",
      line: 4,
      column: 5,
    })
  })

  it('should give functions their own scope for column assignment', () => {
    const script = `import px
def add(df):
    df.y = df.x * 10
    return df
df = px.DataFrame(table='one')
added = add(df)
px.display(df, 'original')
px.display(added, 'added')
`
    const t = runScript(script, source)
    expect(t.get('original')?.columns.map((c) => c.name)).toEqual(['x'])
    expect(rowsOf(t.get('added'))).toEqual([
      { x: 1n, y: 10n },
      { x: 2n, y: 20n },
    ])
  })
})
