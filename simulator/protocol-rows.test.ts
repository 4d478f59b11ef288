// The gRPC rows of http_events, the mysql_events table and restricted data access, as Pixie
// produces them (sources cited per test; simulator/README.md "Generated rows").
import { describe, expect, it } from 'vitest'
import type { CellValue } from '../shared/pixie/types'
import { COL } from './http-events'
import { generateMysqlEvents, MYSQL_COL, MYSQL_EVENTS_COLUMNS } from './mysql-events'
import { redactTable } from './redaction'
import { loadScenario } from './scenario'
import { buildWorld } from './topology'
import { generateHttpEvents } from './traffic'

const S = 1_000_000_000n
const NOW = 1_800_000_000_000_000_000n
const world = buildWorld(
  loadScenario(new URL('../scenarios/protocols.json', import.meta.url).pathname)
)
const canary = world.pods.find((p) => p.replicaset === 'orders-7b8c9d6f5')!
const db = world.pods.find((p) => p.name === 'mysql-0')!

function rowsOf(data: CellValue[][]): CellValue[][] {
  return Array.from({ length: data[0]?.length ?? 0 }, (_, r) => data.map((c) => c[r]!))
}

describe('gRPC calls in http_events', () => {
  const rows = rowsOf(generateHttpEvents(world, { startNs: NOW - 30n * S, endNs: NOW }).data)
  const grpc = rows.filter((r) => r[COL.upid] === canary.upid && r[COL.major_version] === 2n)

  it('should be HTTP/2 gRPC rows with status 200 and the grpc-status among the response headers', () => {
    // pixie-io/pixie src/stirling/source_connectors/socket_tracer/socket_trace_connector.cc
    // (HTTP/2 records: content_type 2 for application/grpc, :status as resp_status, "OK"),
    // grpc_trace_bpf_test.cc (`"grpc-status":"0"}` in resp_headers).
    expect(grpc.length).toBeGreaterThan(1000)
    const codes = new Map<string, number>()
    for (const r of grpc) {
      expect(r[COL.content_type]).toBe(2n)
      expect(r[COL.minor_version]).toBe(0n)
      expect(r[COL.req_method]).toBe('POST')
      expect(r[COL.req_path]).toMatch(/^\/[\w.]+\/\w+$/)
      expect(r[COL.resp_status]).toBe(200n)
      expect(r[COL.resp_message]).toBe('OK')
      expect(r[COL.trace_role]).toBe(2n)
      const headers = r[COL.resp_headers] as string
      const parsed = JSON.parse(headers) as Record<string, string>
      // Keys sorted (std::multimap), values strings (src/common/json/json.h).
      expect(Object.keys(parsed)).toEqual(Object.keys(parsed).sort())
      expect(headers).toMatch(/"grpc-status":"\d+"}$/)
      const code = parsed['grpc-status']!
      codes.set(code, (codes.get(code) ?? 0) + 1)
    }
    // The canary's mix: 80 % OK, 20 % UNAVAILABLE (14).
    expect([...codes.keys()].sort()).toEqual(['0', '14'])
    const share = codes.get('14')! / grpc.length
    expect(Math.abs(share - 0.2)).toBeLessThan(0.04)
  })

  it('should leave scenarios without gRPC traffic exactly as they were', () => {
    const demo = buildWorld(
      loadScenario(new URL('../scenarios/demo.json', import.meta.url).pathname)
    )
    const t = generateHttpEvents(demo, { startNs: NOW - 10n * S, endNs: NOW })
    expect(t.data[COL.major_version]!.every((v) => v === 1n)).toBe(true)
  })
})

describe('mysql_events', () => {
  const table = generateMysqlEvents(world, { startNs: NOW - 30n * S, endNs: NOW })
  const rows = rowsOf(table.data)

  it("should have Pixie's columns and types", () => {
    // pixie-io/pixie src/stirling/source_connectors/socket_tracer/mysql_table.h (kMySQLElements,
    // canonical time_, upid, remote_addr, remote_port, trace_role; latency last).
    expect(MYSQL_EVENTS_COLUMNS.map((c) => `${c.name}:${c.type}`)).toEqual([
      'time_:TIME64NS',
      'upid:UINT128',
      'remote_addr:STRING',
      'remote_port:INT64',
      'trace_role:INT64',
      'req_cmd:INT64',
      'req_body:STRING',
      'resp_status:INT64',
      'resp_body:STRING',
      'latency:INT64',
    ])
  })

  it('should trace each query on both ends: the sender (client) and the database pod (server)', () => {
    // pixie-io/pixie src/stirling/source_connectors/socket_tracer/conn_tracker.cc: MySQL is
    // traced on both sides; trace_role 1 = client, 2 = server (bcc_bpf_intf/common.h).
    const sent = rows.filter((r) => r[MYSQL_COL.trace_role] === 1n)
    const served = rows.filter((r) => r[MYSQL_COL.trace_role] === 2n)
    expect(sent.length).toBeGreaterThan(1000)
    expect(served.length).toBe(sent.length)
    expect(served.every((r) => r[MYSQL_COL.upid] === db.upid)).toBe(true)
    expect(sent.some((r) => r[MYSQL_COL.upid] === db.upid)).toBe(false)
    const times = rows.map((r) => r[MYSQL_COL.time_] as bigint)
    expect(times).toEqual([...times].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)))
  })

  it('should mark errors with resp_status 3 and the message in resp_body, at the scenario rate', () => {
    // protocols/mysql/types.h RespStatus: 2 kOK, 3 kErr.
    const mine = rows.filter(
      (r) => r[MYSQL_COL.upid] === canary.upid && r[MYSQL_COL.trace_role] === 1n
    )
    const failed = mine.filter((r) => r[MYSQL_COL.resp_status] === 3n)
    expect(mine.every((r) => [2n, 3n].includes(r[MYSQL_COL.resp_status] as bigint))).toBe(true)
    expect(failed.every((r) => (r[MYSQL_COL.resp_body] as string).startsWith('1213'))).toBe(true)
    expect(Math.abs(failed.length / mine.length - 0.1)).toBeLessThan(0.04)
  })

  it('should give identical rows for a range however it was asked for', () => {
    const wide = rowsOf(generateMysqlEvents(world, { startNs: NOW - 60n * S, endNs: NOW + S }).data)
    const inside = wide.filter(
      (r) =>
        (r[MYSQL_COL.time_] as bigint) >= NOW - 30n * S && (r[MYSQL_COL.time_] as bigint) <= NOW
    )
    expect(inside).toEqual(rows)
  })
})

describe('restricted data access', () => {
  it('should read the sensitive columns as REDACTED and leave the others', () => {
    // pixie-io/pixie src/carnot/planner/logical_planner.cc (sensitive columns per table),
    // src/carnot/planner/compiler/analyzer/restrict_columns_rule.cc (RedactAllData: "REDACTED").
    const http = redactTable(generateHttpEvents(world, { startNs: NOW - 5n * S, endNs: NOW }))
    for (const name of ['req_headers', 'req_body', 'resp_headers', 'resp_body'] as const) {
      expect(
        http.data[COL[name]]!.every((v) => v === 'REDACTED'),
        name
      ).toBe(true)
    }
    expect(http.data[COL.req_path]!.some((v) => v !== 'REDACTED')).toBe(true)
    expect(http.data[COL.resp_status]!.every((v) => typeof v === 'bigint')).toBe(true)
    const mysql = redactTable(generateMysqlEvents(world, { startNs: NOW - 5n * S, endNs: NOW }))
    expect(mysql.data[MYSQL_COL.req_body]!.every((v) => v === 'REDACTED')).toBe(true)
    expect(mysql.data[MYSQL_COL.resp_status]!.every((v) => typeof v === 'bigint')).toBe(true)
  })
})
