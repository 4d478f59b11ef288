/**
 * The `px` module: px.DataFrame, px.display/px.debug, compile-time helpers (px.now,
 * px.parse_duration, px.seconds, ..., px.equals_any), every scalar UDF and UDA by its Pixie name,
 * the px.upid_to_* metadata UDFs and the semantic-type casts (px.DurationNanos, px.Percent, ...).
 * An unknown attribute fails like Pixie's "'px' object has no attribute 'x'".
 */
import type { ColumnType } from '../../shared/pixie/types'
import { SemanticType } from '../../shared/pixie/gen/vizierapi_pb'
import { udaNames } from './aggregates'
import type { Pos } from './ast'
import { bindArgs, expectString, expectStringList, fail, type BoundArg } from './args'
import { readSource } from './dataframe'
import { scalarUdfNames } from './functions'
import type { Host } from './host'
import { metadataExpr, UPID_UDFS } from './metadata'
import { parseAbsoluteTime, parseDuration } from './time'
import {
  describe,
  NONE,
  scalar,
  type BuiltinValue,
  type CallArgs,
  type TypeValue,
  type Value,
} from './values'

const DURATION_UNITS: Record<string, bigint> = {
  microseconds: 1_000n,
  milliseconds: 1_000_000n,
  seconds: 1_000_000_000n,
  minutes: 60_000_000_000n,
  hours: 3_600_000_000_000n,
  days: 86_400_000_000_000n,
}

function typeObject(
  name: string,
  accepts: ColumnType[],
  resultType: ColumnType,
  semanticType: number
): TypeValue {
  return { kind: 'type', name, accepts, resultType, semanticType }
}

/** Semantic-type casts; value-preserving (Pixie's PxL reference, docs.px.dev, semantic-type casts). */
export const TYPE_OBJECTS: Record<string, TypeValue> = {
  DurationNanos: typeObject('DurationNanos', ['INT64'], 'INT64', SemanticType.ST_DURATION_NS),
  Percent: typeObject('Percent', ['FLOAT64'], 'FLOAT64', SemanticType.ST_PERCENT),
  Bytes: typeObject('Bytes', ['INT64'], 'INT64', SemanticType.ST_BYTES),
  Service: typeObject('Service', ['STRING'], 'STRING', SemanticType.ST_SERVICE_NAME),
  Pod: typeObject('Pod', ['STRING'], 'STRING', SemanticType.ST_POD_NAME),
  Namespace: typeObject('Namespace', ['STRING'], 'STRING', SemanticType.ST_NAMESPACE_NAME),
  Node: typeObject('Node', ['STRING'], 'STRING', SemanticType.ST_NODE_NAME),
  Container: typeObject('Container', ['STRING'], 'STRING', SemanticType.ST_CONTAINER_NAME),
  UPID: typeObject('UPID', ['UINT128'], 'UINT128', SemanticType.ST_UPID),
  Time: typeObject('Time', ['TIME64NS', 'INT64'], 'TIME64NS', SemanticType.ST_TIME_NS),
}

const UUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/

function builtin(name: string, call: (c: CallArgs) => Value): BuiltinValue {
  return { kind: 'builtin', name: `px.${name}`, call }
}

function noKeywords(name: string, c: CallArgs): void {
  const first = [...c.kwargNodes.values()][0]
  if (first !== undefined) fail(`px.${name}() takes positional arguments only`, first)
}

function positional(c: CallArgs): BoundArg[] {
  return c.args.map((value, i) => {
    const n = c.argNodes[i] ?? c.node
    return { value, pos: { line: n.line, column: n.column } }
  })
}

/** start_time / end_time: relative duration string, absolute time string, int ns, px.Time or None. */
function resolveTime(host: Host, arg: BoundArg | undefined, which: string): bigint | undefined {
  if (arg === undefined || arg.value.kind === 'none') return undefined
  const v = arg.value
  if (v.kind === 'scalar' && v.type === 'STRING') {
    const text = v.value as string
    const rel = parseDuration(text)
    if (rel !== undefined) return host.nowNs + rel
    const abs = parseAbsoluteTime(text)
    if (abs !== undefined) return abs
    return fail(
      `px.DataFrame: invalid ${which} '${text}' (expected e.g. '-5m', '-30s', '-500ms' or '2020-07-13 18:02:05 +0000')`,
      arg.pos
    )
  }
  if (v.kind === 'scalar' && (v.type === 'INT64' || v.type === 'TIME64NS')) return v.value as bigint
  return fail(
    `px.DataFrame: ${which} must be a string, an int (ns) or a px.Time, got ${describe(v)}`,
    arg.pos
  )
}

function dataFrame(host: Host, c: CallArgs): Value {
  const fn = 'px.DataFrame'
  const [tableArg, selectArg, startArg, endArg] = bindArgs(
    fn,
    ['table', 'select?', 'start_time?', 'end_time?'],
    c
  )
  const tableName = expectString(fn, tableArg as BoundArg, 'table')
  const table = host.source.table(tableName)
  if (table === undefined) fail(`Table '${tableName}' not found.`, (tableArg as BoundArg).pos)
  let select: { names: string[]; pos: Pos[] } | undefined
  if (selectArg !== undefined && selectArg.value.kind !== 'none') {
    const names = expectStringList(fn, selectArg, 'select')
    const listNode = c.node.args[1] ?? c.node.keywords.find((k) => k.name === 'select')?.value
    const pos = names.map((_, i): Pos => {
      const el = listNode?.type === 'List' ? listNode.elements[i] : undefined
      return el !== undefined ? { line: el.line, column: el.column } : selectArg.pos
    })
    select = { names, pos }
  }
  const startNs = resolveTime(host, startArg, 'start_time')
  const endNs = resolveTime(host, endArg, 'end_time')
  const read: Parameters<typeof readSource>[0] = {
    table,
    timePos: (startArg ?? endArg ?? (tableArg as BoundArg)).pos,
  }
  if (select !== undefined) read.select = select
  if (startNs !== undefined) read.startNs = startNs
  if (endNs !== undefined) read.endNs = endNs
  return { kind: 'dataframe', frame: readSource(read) }
}

function display(host: Host, c: CallArgs, debug: boolean): Value {
  const fn = debug ? 'px.debug' : 'px.display'
  const [dfArg, nameArg] = bindArgs(fn, ['out', 'name?'], c)
  const v = (dfArg as BoundArg).value
  if (v.kind !== 'dataframe')
    fail(`${fn}: expected a DataFrame, got ${describe(v)}`, (dfArg as BoundArg).pos)
  const name = nameArg === undefined ? 'output' : expectString(fn, nameArg, 'name')
  host.display(v.frame, name, debug)
  return NONE
}

function durationHelper(name: string, unit: bigint): BuiltinValue {
  return builtin(name, (c) => {
    noKeywords(name, c)
    const [n] = bindArgs(`px.${name}`, ['n'], c)
    const v = (n as BoundArg).value
    if (v.kind !== 'scalar' || v.type !== 'INT64') {
      fail(`px.${name}: expected an integer constant, got ${describe(v)}`, (n as BoundArg).pos)
    }
    return scalar(
      'INT64',
      BigInt.asIntN(64, (v.value as bigint) * unit),
      SemanticType.ST_DURATION_NS
    )
  })
}

function equalsAny(host: Host, c: CallArgs): Value {
  noKeywords('equals_any', c)
  const [value, list] = bindArgs('px.equals_any', ['value', 'comparisons'], c)
  const l = (list as BoundArg).value
  if (l.kind !== 'list' || l.items.length === 0) {
    fail('px.equals_any: comparisons must be a non-empty list', (list as BoundArg).pos)
  }
  let acc: Value | undefined
  for (const item of l.items) {
    const eq = host.applyUdf(
      'equal',
      [value as BoundArg, { value: item, pos: (list as BoundArg).pos }],
      c.node
    )
    acc =
      acc === undefined
        ? eq
        : host.applyUdf(
            'logicalOr',
            [
              { value: acc, pos: c.node },
              { value: eq, pos: c.node },
            ],
            c.node
          )
  }
  return acc as Value
}

function upidUdf(host: Host, name: string): BuiltinValue {
  const property = UPID_UDFS[name]
  return builtin(name, (c) => {
    noKeywords(name, c)
    const [arg] = bindArgs(`px.${name}`, ['upid'], c)
    const v = (arg as BoundArg).value
    if (property === undefined) return fail(`'px' object has no attribute '${name}'`, c.node)
    if (v.kind === 'scalar' && v.type === 'UINT128') {
      return scalar(
        property.type,
        property.resolve(host.source.metadata, v.value as string),
        property.semanticType
      )
    }
    if (v.kind !== 'column' || v.expr.type !== 'UINT128') {
      fail(
        `No UDF matching ${name}(${v.kind === 'column' ? v.expr.type : describe(v)}) found`,
        (arg as BoundArg).pos
      )
    }
    return { kind: 'column', expr: metadataExpr(host.source.metadata, property, v.expr, c.node) }
  })
}

/** The attribute `name` of the px module, or a compile error at `pos`. */
export function pxAttribute(host: Host, name: string, pos: Pos): Value {
  const type = TYPE_OBJECTS[name]
  if (type !== undefined) return type
  switch (name) {
    case 'DataFrame':
      return builtin(name, (c) => dataFrame(host, c))
    case 'display':
      return builtin(name, (c) => display(host, c, false))
    case 'debug':
      return builtin(name, (c) => display(host, c, true))
    case 'now':
      return builtin(name, (c) => {
        bindArgs('px.now', [], c)
        return scalar('TIME64NS', host.nowNs, SemanticType.ST_TIME_NS)
      })
    case 'parse_duration':
      return builtin(name, (c) => {
        const [s] = bindArgs('px.parse_duration', ['duration'], c)
        const text = expectString('px.parse_duration', s as BoundArg, 'duration')
        const ns = parseDuration(text)
        if (ns === undefined)
          fail(`px.parse_duration: invalid duration '${text}'`, (s as BoundArg).pos)
        return scalar('INT64', ns, SemanticType.ST_DURATION_NS)
      })
    case 'parse_time':
      return builtin(name, (c) => {
        const [s] = bindArgs('px.parse_time', ['time'], c)
        const text = expectString('px.parse_time', s as BoundArg, 'time')
        const ns = parseAbsoluteTime(text)
        if (ns === undefined) fail(`px.parse_time: invalid time '${text}'`, (s as BoundArg).pos)
        return scalar('TIME64NS', ns, SemanticType.ST_TIME_NS)
      })
    case 'equals_any':
      return builtin(name, (c) => equalsAny(host, c))
    case 'uint128':
      return builtin(name, (c) => {
        const [s] = bindArgs('px.uint128', ['uuid'], c)
        const text = expectString('px.uint128', s as BoundArg, 'uuid')
        if (!UUID_RE.test(text)) fail(`px.uint128: '${text}' is not a UUID`, (s as BoundArg).pos)
        return scalar('UINT128', text.toLowerCase())
      })
  }
  const unit = DURATION_UNITS[name]
  if (unit !== undefined) return durationHelper(name, unit)
  if (UPID_UDFS[name] !== undefined) return upidUdf(host, name)
  if (udaNames().includes(name)) return { kind: 'uda', name }
  if (scalarUdfNames().includes(name)) {
    return builtin(name, (c) => {
      noKeywords(name, c)
      return host.applyUdf(name, positional(c), c.node)
    })
  }
  return fail(`'px' object has no attribute '${name}'`, pos)
}
