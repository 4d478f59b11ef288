/**
 * Scalar UDFs with Pixie's overloads. Operators are UDFs too (`+` is 'add', `==` is 'equal', ...),
 * as in Carnot. Overload resolution is an exact match on argument types, as in Pixie's registry
 * (code-read: pixie src/carnot/funcs/builtins/*.cc and planner data_type_rule.cc): there is no
 * implicit int/float/time conversion, so `latency_ms > 100` with a FLOAT64 column is an error
 * (write 100.0), just as on a real Vizier.
 */
import { Buffer } from 'node:buffer'
import type { CellValue, ColumnType } from '../../shared/pixie/types'
import { SemanticType } from '../../shared/pixie/gen/vizierapi_pb'
import type { Impl } from './expr'
import { fullMatch, Re2UnsupportedError, translateRe2 } from './re2'
import { PxlRuntimeError } from './types'

export interface Overload {
  args: ColumnType[]
  ret: ColumnType
  impl: Impl
  /** Output semantic type from the arguments' semantic types; 0 (unspecified) when absent. */
  semantic?: (argSemantics: number[]) => number
}

export interface ScalarUdf {
  name: string
  overloads: Overload[]
  /**
   * Leading arguments that must be constants and configure the function once (like Carnot's
   * UDF Init, e.g. regex_match's pattern). They are listed in `overloads[].args` and passed to
   * `prepare`, which returns the per-row implementation over the remaining arguments.
   */
  initArgs?: number
  prepare?: (init: CellValue[]) => Impl
  /** Cache per distinct input value (costly string work over repetitive values). */
  memo?: boolean
}

const I: ColumnType = 'INT64'
const F: ColumnType = 'FLOAT64'
const S: ColumnType = 'STRING'
const B: ColumnType = 'BOOLEAN'
const T: ColumnType = 'TIME64NS'
const U: ColumnType = 'UINT128'

const INT64_MIN = -(1n << 63n)
const INT64_MAX = (1n << 63n) - 1n
const wrap = (v: bigint): bigint => BigInt.asIntN(64, v)

/**
 * double -> int64 as x86-64 does it (cvttsd2si): NaN and out-of-range values become INT64_MIN.
 * C++ leaves this undefined; this is what a Linux amd64 Vizier computes (UNVERIFIED on a cluster).
 */
export function doubleToInt64(v: number): bigint {
  if (!Number.isFinite(v) || v >= 9.223372036854776e18 || v < -9.223372036854776e18)
    return INT64_MIN
  return BigInt(Math.trunc(v))
}

function noneLike(st: number): boolean {
  return st === SemanticType.ST_UNSPECIFIED || st === SemanticType.ST_NONE
}

/** Pixie's InheritTypeFromArgs: the output keeps the arguments' common semantic type from `set`. */
function inherit(set: number[]): (sts: number[]) => number {
  return (sts) => {
    const first = sts[0] ?? 0
    return set.includes(first) && sts.every((s) => s === first) ? first : 0
  }
}

const ARITH_INHERIT = inherit([
  SemanticType.ST_BYTES,
  SemanticType.ST_THROUGHPUT_PER_NS,
  SemanticType.ST_THROUGHPUT_BYTES_PER_NS,
  SemanticType.ST_DURATION_NS,
])

const divideSemantic = (sts: number[]): number => {
  const [a = 0, b = 0] = sts
  if (b !== SemanticType.ST_DURATION_NS) return 0
  if (a === SemanticType.ST_BYTES) return SemanticType.ST_THROUGHPUT_BYTES_PER_NS
  return noneLike(a) ? SemanticType.ST_THROUGHPUT_PER_NS : 0
}

const num = (v: CellValue): number => Number(v)
const big = (v: CellValue): bigint => v as bigint

function intMod(a: bigint, b: bigint): bigint {
  if (b === 0n) throw new PxlRuntimeError('Integer modulo by zero')
  return a % b
}

function binInt(a: bigint, b: bigint): bigint {
  if (b === 0n) throw new PxlRuntimeError('px.bin with a bin width of zero')
  return a - (a % b)
}

const DBL_EPSILON = 2.220446049250313e-16
const ASCII_ONLY = /^[\x00-\x7f]*$/

function utf8Find(s: string, sub: string): bigint {
  if (ASCII_ONLY.test(s) && ASCII_ONLY.test(sub)) return BigInt(s.indexOf(sub))
  return BigInt(Buffer.from(s, 'utf8').indexOf(Buffer.from(sub, 'utf8')))
}

function utf8Substring(s: string, pos: bigint, length: bigint): string {
  if (pos < 0n || length < 0n) return ''
  if (ASCII_ONLY.test(s)) {
    if (pos > BigInt(s.length)) return ''
    return s.substr(Number(pos), Number(length > 1_000_000_000n ? 1_000_000_000n : length))
  }
  const buf = Buffer.from(s, 'utf8')
  if (pos > BigInt(buf.length)) return ''
  const start = Number(pos)
  const end = Math.min(
    buf.length,
    start + Number(length > BigInt(buf.length) ? BigInt(buf.length) : length)
  )
  return buf.subarray(start, end).toString('utf8')
}

function asciiCase(s: string, upper: boolean): string {
  return upper
    ? s.replace(/[a-z]+/g, (m) => m.toUpperCase())
    : s.replace(/[A-Z]+/g, (m) => m.toLowerCase())
}

const C_SPACE = /^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/g

function parseJsonObject(s: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(s)
    return v !== null && typeof v === 'object' && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : undefined
  } catch {
    return undefined
  }
}

/** px.pluck: strings as-is, null/missing/invalid as '', anything else re-serialized as JSON. */
function pluck(json: string, key: string): string {
  const obj = parseJsonObject(json)
  if (obj === undefined || !Object.hasOwn(obj, key)) return ''
  const v = obj[key]
  if (v === null || v === undefined) return ''
  if (typeof v === 'string') return v
  return JSON.stringify(v)
}

/** px.pluck_float64: the JSON number, or 0.0 when missing, not a number or not an object. */
function pluckFloat(json: string, key: string): number {
  const v = parseJsonObject(json)?.[key]
  return typeof v === 'number' ? v : 0
}

/** px.pluck_int64: the JSON integer (fractions truncated), or 0 when missing or not a number. */
function pluckInt(json: string, key: string): bigint {
  const v = parseJsonObject(json)?.[key]
  return typeof v === 'number' && Number.isFinite(v) ? doubleToInt64(v) : 0n
}

/** px.has_service_name: equality, or membership when the value is a JSON array of names. */
export function hasServiceName(service: string, name: string): boolean {
  let doc: unknown
  try {
    doc = JSON.parse(service)
  } catch {
    return service === name
  }
  if (!Array.isArray(doc)) return service === name
  for (const item of doc) {
    if (typeof item !== 'string') return false
    if (item === name) return true
  }
  return false
}

function regexMatchPrepare(init: CellValue[]): Impl {
  const pattern = init[0] as string
  let t
  try {
    t = translateRe2(pattern)
  } catch (err) {
    if (err instanceof Re2UnsupportedError) {
      throw new PxlRuntimeError(`px.regex_match pattern '${pattern}': ${err.message}`)
    }
    throw err
  }
  if (t.kind === 'invalid') return () => false
  const re = t.regexp
  return (s) => fullMatch(re, s as string)
}

function ov(
  args: ColumnType[],
  ret: ColumnType,
  impl: Impl,
  semantic?: Overload['semantic']
): Overload {
  return semantic === undefined ? { args, ret, impl } : { args, ret, impl, semantic }
}

function comparisons(
  name: string,
  pairs: [ColumnType, ColumnType][],
  cmp: (a: CellValue, b: CellValue) => boolean
): ScalarUdf {
  return { name, overloads: pairs.map(([a, b]) => ov([a, b], B, cmp)) }
}

const ORDER_TYPES: [ColumnType, ColumnType][] = [
  [I, I],
  [F, F],
  [S, S],
  [T, T],
]

const EQUAL_EXACT: [ColumnType, ColumnType][] = [
  [I, I],
  [S, S],
  [B, B],
  [T, T],
  [U, U],
]
const EQUAL_MIXED: [ColumnType, ColumnType][] = [
  [B, I],
  [I, B],
  [I, F],
  [F, I],
]

const boolNum = (v: CellValue): CellValue => (typeof v === 'boolean' ? (v ? 1n : 0n) : v)

const UDFS: ScalarUdf[] = [
  {
    name: 'add',
    overloads: [
      ov([I, I], I, (a, b) => wrap(big(a) + big(b)), ARITH_INHERIT),
      ov([F, F], F, (a, b) => num(a) + num(b), ARITH_INHERIT),
      ov([S, S], S, (a, b) => (a as string) + (b as string)),
      ov([F, I], F, (a, b) => num(a) + num(b), ARITH_INHERIT),
      ov([I, F], F, (a, b) => num(a) + num(b), ARITH_INHERIT),
      ov([T, I], T, (a, b) => wrap(big(a) + big(b))),
      ov([I, T], T, (a, b) => wrap(big(a) + big(b))),
    ],
  },
  {
    name: 'subtract',
    overloads: [
      ov([I, I], I, (a, b) => wrap(big(a) - big(b)), ARITH_INHERIT),
      ov([F, F], F, (a, b) => num(a) - num(b), ARITH_INHERIT),
      ov([F, I], F, (a, b) => num(a) - num(b), ARITH_INHERIT),
      ov([I, F], F, (a, b) => num(a) - num(b), ARITH_INHERIT),
      ov([T, I], T, (a, b) => wrap(big(a) - big(b))),
      ov([T, T], I, (a, b) => wrap(big(a) - big(b))),
      ov([I, T], I, (a, b) => wrap(big(a) - big(b))),
    ],
  },
  {
    name: 'multiply',
    overloads: [
      ov([I, I], I, (a, b) => wrap(big(a) * big(b))),
      ov([F, F], F, (a, b) => num(a) * num(b)),
      ov([F, I], F, (a, b) => num(a) * num(b)),
      ov([I, F], F, (a, b) => num(a) * num(b)),
    ],
  },
  {
    // Pixie's DivideUDF always returns FLOAT64 (static_cast<double> of both sides).
    name: 'divide',
    overloads: [
      ov([I, I], F, (a, b) => num(a) / num(b), divideSemantic),
      ov([F, I], F, (a, b) => num(a) / num(b), divideSemantic),
      ov([I, F], F, (a, b) => num(a) / num(b), divideSemantic),
      ov([F, F], F, (a, b) => num(a) / num(b), divideSemantic),
    ],
  },
  {
    name: 'modulo',
    overloads: [
      ov([I, I], I, (a, b) => intMod(big(a), big(b))),
      ov([T, I], I, (a, b) => intMod(big(a), big(b))),
      ov([T, T], I, (a, b) => intMod(big(a), big(b))),
      ov([I, T], I, (a, b) => intMod(big(a), big(b))),
    ],
  },
  {
    name: 'logicalAnd',
    overloads: [
      ov([B, B], B, (a, b) => (a as boolean) && (b as boolean)),
      ov([I, I], B, (a, b) => a !== 0n && b !== 0n),
    ],
  },
  {
    name: 'logicalOr',
    overloads: [
      ov([B, B], B, (a, b) => (a as boolean) || (b as boolean)),
      ov([I, I], B, (a, b) => a !== 0n || b !== 0n),
    ],
  },
  {
    name: 'logicalNot',
    overloads: [ov([B], B, (a) => !(a as boolean)), ov([I], B, (a) => a === 0n)],
  },
  { name: 'negate', overloads: [ov([I], I, (a) => wrap(-big(a))), ov([F], F, (a) => -num(a))] },
  {
    name: 'equal',
    overloads: [
      ...EQUAL_EXACT.map(([a, b]) => ov([a, b], B, (x, y) => x === y)),
      ...EQUAL_MIXED.map(([a, b]) => ov([a, b], B, (x, y) => boolNum(x) == boolNum(y))),
      ov([F, F], B, (x, y) => Math.abs(num(x) - num(y)) < DBL_EPSILON),
    ],
  },
  {
    name: 'notEqual',
    overloads: [
      ...EQUAL_EXACT.map(([a, b]) => ov([a, b], B, (x, y) => x !== y)),
      ...EQUAL_MIXED.map(([a, b]) => ov([a, b], B, (x, y) => boolNum(x) != boolNum(y))),
      ov([F, F], B, (x, y) => Math.abs(num(x) - num(y)) > DBL_EPSILON),
    ],
  },
  comparisons('lessThan', ORDER_TYPES, (a, b) => a < b),
  comparisons('lessThanEqual', ORDER_TYPES, (a, b) => a <= b),
  comparisons('greaterThan', ORDER_TYPES, (a, b) => a > b),
  comparisons('greaterThanEqual', ORDER_TYPES, (a, b) => a >= b),
  {
    name: 'bin',
    overloads: [
      ov([I, I], I, (a, b) => binInt(big(a), big(b))),
      ov([T, T], T, (a, b) => binInt(big(a), big(b))),
      ov([I, T], I, (a, b) => binInt(big(a), big(b))),
      ov([T, I], T, (a, b) => binInt(big(a), big(b))),
      ov([F, I], I, (a, b) => binInt(doubleToInt64(num(a)), big(b))),
    ],
  },
  { name: 'floor', overloads: [ov([F], I, (a) => doubleToInt64(Math.floor(num(a))))] },
  { name: 'ceil', overloads: [ov([F], I, (a) => doubleToInt64(Math.ceil(num(a))))] },
  {
    name: 'abs',
    overloads: [
      ov(
        [I],
        I,
        (a) => wrap(big(a) < 0n ? -big(a) : big(a)),
        (s) => s[0] ?? 0
      ),
      ov(
        [F],
        F,
        (a) => Math.abs(num(a)),
        (s) => s[0] ?? 0
      ),
    ],
  },
  {
    name: 'sqrt',
    overloads: [ov([F], F, (a) => Math.sqrt(num(a))), ov([I], F, (a) => Math.sqrt(num(a)))],
  },
  {
    name: 'exp',
    overloads: [ov([F], F, (a) => Math.exp(num(a))), ov([I], F, (a) => Math.exp(num(a)))],
  },
  {
    name: 'ln',
    overloads: [ov([F], F, (a) => Math.log(num(a))), ov([I], F, (a) => Math.log(num(a)))],
  },
  {
    name: 'log2',
    overloads: [ov([F], F, (a) => Math.log2(num(a))), ov([I], F, (a) => Math.log2(num(a)))],
  },
  {
    name: 'log10',
    overloads: [ov([F], F, (a) => Math.log10(num(a))), ov([I], F, (a) => Math.log10(num(a)))],
  },
  {
    name: 'log',
    overloads: [F, I].flatMap((bt) =>
      [F, I].map((vt) => ov([bt, vt], F, (b, v) => Math.log(num(v)) / Math.log(num(b))))
    ),
  },
  {
    name: 'pow',
    overloads: [F, I].flatMap((xt) =>
      [F, I].map((yt) => ov([xt, yt], F, (x, y) => Math.pow(num(x), num(y))))
    ),
  },
  { name: 'time_to_int64', overloads: [ov([T], I, (a) => a)] },
  { name: 'int64_to_time', overloads: [ov([I], T, (a) => a)] },
  {
    name: 'round',
    overloads: [ov([F, I], S, (v, d) => num(v).toFixed(Math.max(0, Math.min(100, Number(d)))))],
  },
  {
    name: 'contains',
    overloads: [ov([S, S], B, (s, sub) => (s as string).includes(sub as string))],
  },
  { name: 'find', overloads: [ov([S, S], I, (s, sub) => utf8Find(s as string, sub as string))] },
  {
    name: 'substring',
    overloads: [ov([S, I, I], S, (s, p, l) => utf8Substring(s as string, big(p), big(l)))],
  },
  {
    name: 'length',
    overloads: [ov([S], I, (s) => BigInt(Buffer.byteLength(s as string, 'utf8')))],
  },
  { name: 'tolower', overloads: [ov([S], S, (s) => asciiCase(s as string, false))] },
  { name: 'toupper', overloads: [ov([S], S, (s) => asciiCase(s as string, true))] },
  { name: 'trim', overloads: [ov([S], S, (s) => (s as string).replace(C_SPACE, ''))] },
  {
    name: 'strip_prefix',
    overloads: [
      ov([S, S], S, (p, s) =>
        (s as string).startsWith(p as string) ? (s as string).slice((p as string).length) : s
      ),
    ],
  },
  {
    name: 'regex_match',
    overloads: [ov([S, S], B, () => false)],
    initArgs: 1,
    prepare: regexMatchPrepare,
    memo: true,
  },
  {
    name: 'pluck',
    overloads: [ov([S, S], S, (j, k) => pluck(j as string, k as string))],
    memo: true,
  },
  {
    name: 'pluck_float64',
    overloads: [ov([S, S], F, (j, k) => pluckFloat(j as string, k as string))],
    memo: true,
  },
  {
    name: 'pluck_int64',
    overloads: [ov([S, S], I, (j, k) => pluckInt(j as string, k as string))],
    memo: true,
  },
  {
    name: 'has_service_name',
    overloads: [ov([S, S], B, (s, n) => hasServiceName(s as string, n as string))],
    memo: true,
  },
  {
    name: 'select',
    overloads: [B, I, F, T, S].map((t) =>
      ov(
        [B, t, t],
        t,
        (c, a, b) => (c ? a : b),
        (s) => (s[1] === s[2] ? (s[1] ?? 0) : 0)
      )
    ),
  },
]

const BY_NAME = new Map(UDFS.map((u) => [u.name, u]))

/** The scalar UDF registered under `name` (Pixie's name, e.g. 'greaterThanEqual'). */
export function scalarUdf(name: string): ScalarUdf | undefined {
  return BY_NAME.get(name)
}

/** Names of every scalar UDF (exposed as px.<name>). */
export function scalarUdfNames(): string[] {
  return [...BY_NAME.keys()]
}

export function findOverload(udf: ScalarUdf, types: ColumnType[]): Overload | undefined {
  return udf.overloads.find(
    (o) => o.args.length === types.length && o.args.every((t, i) => t === types[i])
  )
}

export { INT64_MAX, INT64_MIN }
