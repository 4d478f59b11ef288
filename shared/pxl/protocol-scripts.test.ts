// The gRPC and MySQL stats scripts: the PxL subset and argument contract the HTTP script keeps
// (shared/pxl/http-stats.test.ts), and what their rows mean, run on the simulator's engine over
// hand-written rows whose figures are worked out by hand.
import { describe, expect, it } from 'vitest'
import type { CellValue, ColumnType } from '../pixie/types'
import type { DataSource, EngineTable } from '../../simulator/pxl'
import { ENGINE_NOW_NS, podUpid, runOnEngine } from '../../test/helpers/engine'
import {
  checkPxlAst,
  expectPxlStatementsOnly,
  HAS_PYTHON,
  HTTP_SCRIPT_PX_FUNCTIONS,
  pxFunctionsUsed,
  signatures,
} from '../../test/helpers/pxl-source'
import { PxCanaryError } from '../errors'
import { HTTP_LATENCY_FUNCTIONS } from './http-stats'
import { checkProtocolRow } from './protocol-result'
import { buildHttpStatsCall, httpStatsArgs, STATS_SCRIPTS } from './request'
import type { HttpStatsQuery } from './request'
import { decodeHttpStats, expectedSelectorEcho } from './result'

const PROTOCOL_SCRIPTS = { grpc: STATS_SCRIPTS.grpc, mysql: STATS_SCRIPTS.mysql }

const selectors: HttpStatsQuery['selector'][] = [
  { kind: 'replicaset', namespace: 'shop', replicaset: 'orders-7b8c9' },
  { kind: 'pod', namespace: 'shop', pod: 'orders-7b8c9' },
  { kind: 'service', namespace: 'shop', service: 'orders' },
]

describe.each(Object.entries(PROTOCOL_SCRIPTS))('%s stats PxL script', (protocol, script) => {
  const source = script.source

  it('should use only statements Pixie compiles (import, def, assignment, return)', () => {
    expectPxlStatementsOnly(source)
    for (const forbidden of [/\bif\b/, /\bfor\b/, /\blambda\b/, /\belse\b/, /[-+*/]=/]) {
      expect(source).not.toMatch(forbidden)
    }
  })

  it('should call only px functions Pixie provides', () => {
    const used = pxFunctionsUsed(source)
    // As in the HTTP script, plus px.pluck (pixie-io/pixie src/carnot/funcs/builtins/json_ops.h
    // PluckUDF, a string out of a JSON object).
    const known = [...HTTP_SCRIPT_PX_FUNCTIONS, 'pluck']
    for (const name of used) expect(known).toContain(name)
  })

  it('should receive exactly the arguments its signature declares, for each selector kind', () => {
    const sigs = signatures(source)
    for (const selector of selectors) {
      const { funcName, args } = httpStatsArgs({
        selector,
        windowSeconds: 60,
        excludedPaths: [],
        errorMinStatus: 400,
        protocol: protocol as 'grpc' | 'mysql',
      })
      for (const name of [funcName, HTTP_LATENCY_FUNCTIONS[selector.kind]]) {
        const params = sigs.get(name)
        expect(params, name).toBeDefined()
        expect(Object.keys(args).sort()).toEqual(params!.map(([p]) => p).sort())
        for (const [, annotation] of params!) expect(annotation).toBe('str')
      }
    }
  })

  it('should aggregate without groupby so exactly one row comes back', () => {
    // Besides the buckets, only the per-node earliest rows (one row per node).
    expect([...source.matchAll(/groupby\((.*?)\)/g)].map((m) => m[1]).sort()).toEqual([
      "'asid'",
      "'bucket'",
    ])
  })

  it.skipIf(!HAS_PYTHON)('should parse as Python using only AST nodes Pixie accepts', () => {
    const run = checkPxlAst(source)
    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)
  })
})

/** A one-table source; pod 1 is shop/orders-7b8c9-a, pod 2 shop/mysql-0. */
function source(table: string, columns: [string, ColumnType][], rows: CellValue[][]): DataSource {
  const engineTable: EngineTable = {
    name: table,
    columns: columns.map(([name, type]) => ({ name, type, semanticType: 0 })),
    data: columns.map((_, i) => rows.map((r) => r[i]!)),
  }
  const pods = [
    { pod: 'shop/orders-7b8c9-a', replicaset: 'shop/orders-7b8c9', service: 'shop/orders' },
    { pod: 'shop/mysql-0', replicaset: 'shop/mysql', service: 'shop/mysql' },
  ]
  return {
    table: (name) => (name === table ? engineTable : undefined),
    metadata: {
      resolve: (key, id) => {
        const pod = pods.find((_, i) => podUpid(i + 1) === id)
        if (pod === undefined) return ''
        if (key === 'namespace') return 'shop'
        return key === 'pod' || key === 'replicaset' || key === 'service' ? pod[key] : ''
      },
    },
  }
}

const T = ENGINE_NOW_NS - 5_000_000_000n
const query = (protocol: 'grpc' | 'mysql', errorMinStatus = 400): HttpStatsQuery => ({
  selector: selectors[0]!,
  windowSeconds: 60,
  excludedPaths: protocol === 'grpc' ? ['/grpc.health.v1.Health/Check'] : [],
  errorMinStatus,
  protocol,
})

describe('gRPC script on the engine', () => {
  const columns: [string, ColumnType][] = [
    ['time_', 'TIME64NS'],
    ['upid', 'UINT128'],
    ['trace_role', 'INT64'],
    ['major_version', 'INT64'],
    ['content_type', 'INT64'],
    ['req_path', 'STRING'],
    ['resp_headers', 'STRING'],
    ['latency', 'INT64'],
  ]
  const call = (headers: string, path = '/shop.v1.Orders/GetOrder', major = 2n, ctype = 2n) => [
    T,
    podUpid(1),
    2n,
    major,
    ctype,
    path,
    headers,
    1_000_000n,
  ]
  const status = (code: string) =>
    `{":status":"200","content-type":"application/grpc","grpc-status":"${code}"}`
  const rows = [
    call(status('0')),
    call(status('0')),
    call(status('14')), // UNAVAILABLE: a server-side failure
    call(status('5')), // NOT_FOUND: the caller's
    call('{":status":"200","content-type":"application/grpc"}'), // status unreadable
    call(status('13'), '/grpc.health.v1.Health/Check'), // excluded health check
    call('{"Content-Type":"application/json"}', '/api/orders', 1n, 1n), // HTTP/1, not gRPC
  ]

  function measure(errorMinStatus: number, data = rows) {
    const built = buildHttpStatsCall(query('grpc', errorMinStatus), 'test')
    const result = runOnEngine(built, source('http_events', columns, data))
    const stats = decodeHttpStats(result, built.outputTable, expectedSelectorEcho(built))
    checkProtocolRow(result, built.outputTable, 'grpc')
    return stats
  }

  it('should count every non-OK status, and an unreadable one, as an error by default', () => {
    const stats = measure(400)
    expect(stats.requests).toBe(5)
    expect(stats.errors).toBe(3)
  })

  it('should count only server-side codes (and unreadable statuses) with the 5xx classes', () => {
    const stats = measure(500)
    expect(stats.requests).toBe(5)
    expect(stats.errors).toBe(2)
  })

  it('should refuse rows whose headers Vizier redacted, instead of an error rate', () => {
    const redacted = rows.map((r) => [...r.slice(0, 6), 'REDACTED', r[7]!])
    let error: unknown
    try {
      measure(400, redacted)
    } catch (err) {
      error = err
    }
    expect(error).toBeInstanceOf(PxCanaryError)
    expect((error as PxCanaryError).code).toBe('result_redacted')
  })
})

describe('MySQL script on the engine', () => {
  const columns: [string, ColumnType][] = [
    ['time_', 'TIME64NS'],
    ['upid', 'UINT128'],
    ['trace_role', 'INT64'],
    ['resp_status', 'INT64'],
    ['latency', 'INT64'],
  ]
  it('should count the queries the pods sent (client side) and those Pixie marks as errors', () => {
    const rows: CellValue[][] = [
      [T, podUpid(1), 1n, 2n, 2_000_000n],
      [T, podUpid(1), 1n, 3n, 4_000_000n], // error response
      [T, podUpid(1), 1n, 1n, 0n], // no response expected (e.g. COM_STMT_CLOSE): a query, no error
      [T, podUpid(1), 2n, 3n, 9_000_000n], // a query the pod served: not its own
    ]
    const built = buildHttpStatsCall(query('mysql'), 'test')
    expect(built.script.name).toBe('px-canary/mysql_stats')
    const result = runOnEngine(built, source('mysql_events', columns, rows))
    const stats = decodeHttpStats(result, built.outputTable, expectedSelectorEcho(built))
    expect(stats.requests).toBe(3)
    expect(stats.errors).toBe(1)
    expect(stats.latencyNs!.mean).toBe(2_000_000)
  })
})
