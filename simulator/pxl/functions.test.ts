import { describe, expect, it } from 'vitest'
import { col, compileErrorOf, makeSource, rowsOf, runScript, tableFromRows } from './fixtures'
import { PxlRuntimeError } from './types'

const T = tableFromRows(
  't',
  [
    col('s', 'STRING'),
    col('n', 'INT64'),
    col('f', 'FLOAT64'),
    col('b', 'BOOLEAN'),
    col('j', 'STRING'),
  ],
  [
    ['Hello World', 7n, 2.5, true, '{"a":1,"b":"x","c":{"d":2},"f":1.5}'],
    ['  pad\t', -7n, -0.5, false, 'not json'],
    ['ns/pod-abc-1', 0n, 0, true, '{"a":null}'],
  ]
)

/** Runs `lines` (assignments to df) over table t and returns the named column. */
function column(expr: string): unknown[] {
  const script = `import px\ndf = px.DataFrame(table='t')\ndf.r = ${expr}\npx.display(df)\n`
  return rowsOf(runScript(script, makeSource([T])).get('output')).map((r) => r.r)
}

function columnType(expr: string): { type: string; semanticType: number | undefined } {
  const script = `import px\ndf = px.DataFrame(table='t')\ndf.r = ${expr}\npx.display(df)\n`
  const out = runScript(script, makeSource([T])).get('output')
  const c = out?.columns.find((x) => x.name === 'r')
  return { type: c?.type ?? '', semanticType: c?.semanticType }
}

describe('string UDFs', () => {
  it('should evaluate contains, find and substring per row', () => {
    expect(column("px.contains(df.s, 'o')")).toEqual([true, false, true])
    expect(column("px.find(df.s, 'o')")).toEqual([4n, -1n, 4n])
    expect(column('px.substring(df.s, 0, 5)')).toEqual(['Hello', '  pad', 'ns/po'])
    expect(column('px.substring(df.s, 100, 2)')).toEqual(['', '', ''])
  })

  it('should evaluate length, case, trim and strip_prefix', () => {
    expect(column('px.length(df.s)')).toEqual([11n, 6n, 12n])
    expect(column('px.tolower(df.s)')).toEqual(['hello world', '  pad\t', 'ns/pod-abc-1'])
    expect(column('px.toupper(df.s)')).toEqual(['HELLO WORLD', '  PAD\t', 'NS/POD-ABC-1'])
    expect(column('px.trim(df.s)')).toEqual(['Hello World', 'pad', 'ns/pod-abc-1'])
    expect(column("px.strip_prefix('ns/', df.s)")).toEqual(['Hello World', '  pad\t', 'pod-abc-1'])
  })

  it('should concatenate strings with +', () => {
    expect(column("'>' + df.s")).toEqual(['>Hello World', '>  pad\t', '>ns/pod-abc-1'])
  })

  it('should full-match px.regex_match with the pattern first', () => {
    expect(column("px.regex_match('H.*d', df.s)")).toEqual([true, false, false])
    expect(column("px.regex_match('ns/pod-.*', df.s)")).toEqual([false, false, true])
    expect(column("px.regex_match('pod', df.s)")).toEqual([false, false, false])
  })

  it('should match nothing for a pattern RE2 rejects, as Pixie does', () => {
    expect(column("px.regex_match('(', df.s)")).toEqual([false, false, false])
  })

  it('should require a constant regex pattern', () => {
    const script = "import px\ndf = px.DataFrame(table='t')\ndf.r = px.regex_match(df.s, df.s)\n"
    expect(compileErrorOf(() => runScript(script, makeSource([T])))).toEqual({
      message: 'px.regex_match: argument 1 must be a constant, not a column',
      line: 3,
      column: 23,
    })
  })

  it('should fail loudly on RE2 the simulator cannot translate', () => {
    const script =
      "import px\ndf = px.DataFrame(table='t')\ndf.r = px.regex_match('a(?i)b', df.s)\n"
    expect(() => runScript(script, makeSource([T]))).toThrow(PxlRuntimeError)
  })

  it('should pluck JSON values as string, float and int', () => {
    expect(column("px.pluck(df.j, 'b')")).toEqual(['x', '', ''])
    expect(column("px.pluck(df.j, 'a')")).toEqual(['1', '', ''])
    expect(column("px.pluck(df.j, 'c')")).toEqual(['{"d":2}', '', ''])
    expect(column("px.pluck_float64(df.j, 'f')")).toEqual([1.5, 0, 0])
    expect(column("px.pluck_float64(df.j, 'missing')")).toEqual([0, 0, 0])
    expect(column("px.pluck_int64(df.j, 'a')")).toEqual([1n, 0n, 0n])
    expect(column("px.pluck_int64(df.j, 'f')")).toEqual([1n, 0n, 0n])
  })

  it('should match has_service_name by equality or JSON array membership', () => {
    expect(column('px.has_service_name(\'["ns/a","ns/b"]\', \'ns/b\')')).toEqual([true, true, true])
    expect(column("px.has_service_name('ns/a', 'ns/a')")).toEqual([true, true, true])
    expect(column("px.has_service_name('ns/ab', 'ns/a')")).toEqual([false, false, false])
    expect(column("px.has_service_name('[\"ns/a\"]', 'ns')")).toEqual([false, false, false])
  })

  it('should expand equals_any into equality checks', () => {
    expect(column("px.equals_any(df.s, ['Hello World', 'x'])")).toEqual([true, false, false])
  })
})

describe('arithmetic and comparisons', () => {
  it('should divide int64 by int64 into FLOAT64', () => {
    expect(column('df.n / 2')).toEqual([3.5, -3.5, 0])
    expect(columnType('df.n / 2').type).toBe('FLOAT64')
    expect(column('df.n / 0')).toEqual([Infinity, -Infinity, NaN])
  })

  it('should keep int64 arithmetic in INT64 and mixed arithmetic in FLOAT64', () => {
    expect(column('df.n + 1')).toEqual([8n, -6n, 1n])
    expect(column('df.n * df.f')).toEqual([17.5, 3.5, 0])
    expect(column('-df.n')).toEqual([-7n, 7n, -0n])
    expect(column('df.n - 10')).toEqual([-3n, -17n, -10n])
  })

  it('should take the C++ remainder (sign of the dividend)', () => {
    expect(column('df.n % 3')).toEqual([1n, -1n, 0n])
  })

  it('should fail at run time on integer modulo by zero', () => {
    expect(() => column('df.n % 0')).toThrow(PxlRuntimeError)
  })

  it('should bin, floor, ceil and abs like Carnot', () => {
    expect(column('px.bin(df.n, 5)')).toEqual([5n, -5n, 0n])
    expect(column('px.floor(df.f)')).toEqual([2n, -1n, 0n])
    expect(column('px.ceil(df.f)')).toEqual([3n, -0n, 0n])
    expect(column('px.abs(df.n)')).toEqual([7n, 7n, 0n])
  })

  it('should select between two values of the same type', () => {
    expect(column("px.select(df.b, 'yes', 'no')")).toEqual(['yes', 'no', 'yes'])
    expect(column('px.select(df.n != 0, df.f / df.n, 0.0)')).toEqual([2.5 / 7, -0.5 / -7, 0])
  })

  it('should compare int64 with float64 only for equality, as Pixie registers it', () => {
    expect(column('df.n == 7.0')).toEqual([true, false, false])
    const script = "import px\ndf = px.DataFrame(table='t')\ndf = df[df.n > df.f]\n"
    expect(compileErrorOf(() => runScript(script, makeSource([T])))).toEqual({
      message: 'No UDF matching greaterThan(INT64, FLOAT64) found',
      line: 3,
      column: 9,
    })
  })

  it('should reject comparing a string with an int at the comparison', () => {
    const script = "import px\ndf = px.DataFrame(table='t')\ndf.bad = df.s == 1\n"
    expect(compileErrorOf(() => runScript(script, makeSource([T])))).toEqual({
      message: 'No UDF matching equal(STRING, INT64) found',
      line: 3,
      column: 10,
    })
  })

  it('should combine boolean columns with and, or and not', () => {
    expect(column('df.b and df.n > 0')).toEqual([true, false, false])
    expect(column('df.b or df.n > 0')).toEqual([true, false, true])
    expect(column('not df.b')).toEqual([false, true, false])
  })
})

describe('casts and semantic types', () => {
  it('should keep values and set the semantic type', () => {
    expect(column('px.DurationNanos(df.n)')).toEqual([7n, -7n, 0n])
    expect(columnType('px.DurationNanos(df.n)')).toEqual({ type: 'INT64', semanticType: 901 })
    expect(columnType('px.Percent(df.f)')).toEqual({ type: 'FLOAT64', semanticType: 900 })
    expect(columnType('px.Service(df.s)')).toEqual({ type: 'STRING', semanticType: 300 })
    expect(columnType('px.Bytes(df.n)')).toEqual({ type: 'INT64', semanticType: 800 })
  })

  it('should reject a cast of the wrong type', () => {
    const script = "import px\ndf = px.DataFrame(table='t')\ndf.r = px.DurationNanos(df.f)\n"
    expect(compileErrorOf(() => runScript(script, makeSource([T])))).toEqual({
      message: 'px.DurationNanos() expects INT64, got FLOAT64',
      line: 3,
      column: 25,
    })
  })

  it('should infer throughput per ns for a count divided by a duration', () => {
    expect(columnType('df.n / px.DurationNanos(10)')).toEqual({
      type: 'FLOAT64',
      semanticType: 902,
    })
  })
})

describe('compile-time helpers', () => {
  it('should fold px.now, durations and their arithmetic into constants', () => {
    // NOW_NS is 2024-01-01T00:00:00Z = 1704067200 s.
    expect(column('px.now()')).toEqual([
      1_704_067_200_000_000_000n,
      1_704_067_200_000_000_000n,
      1_704_067_200_000_000_000n,
    ])
    expect(column("px.now() + px.parse_duration('-5m')")[0]).toBe(1_704_066_900_000_000_000n)
    expect(columnType("px.now() + px.parse_duration('-5m')").type).toBe('TIME64NS')
    expect(column('px.minutes(2)')[0]).toBe(120_000_000_000n)
    expect(column('px.milliseconds(3) + px.microseconds(4)')[0]).toBe(3_004_000n)
    expect(column('px.hours(1) - px.seconds(1)')[0]).toBe(3_599_000_000_000n)
  })

  it('should reject an invalid duration string at the argument', () => {
    const script = "import px\nx = px.parse_duration('soon')\n"
    expect(compileErrorOf(() => runScript(script, makeSource([T])))).toEqual({
      message: "px.parse_duration: invalid duration 'soon'",
      line: 2,
      column: 23,
    })
  })

  it("should report an unknown px attribute like Pixie's compiler", () => {
    const script = 'import px\nx = px.cql_opcode_name\n'
    expect(compileErrorOf(() => runScript(script, makeSource([T])))).toEqual({
      message: "'px' object has no attribute 'cql_opcode_name'",
      line: 2,
      column: 8,
    })
  })
})
