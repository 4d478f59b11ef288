import { describe, expect, it } from 'vitest'
import { create } from '@bufbuild/protobuf'
import { PxCanaryError } from '../errors'
import { ExecuteScriptResponseSchema, RowBatchDataSchema } from './gen/vizierapi_pb'
import type { ExecuteScriptResponse } from './gen/vizierapi_pb'
import { ResultAssembler } from './stream-assembly'
import type { AssemblyLimits } from './stream-assembly'
import { encodeColumn } from '../../simulator/vizier-wire/row-batch'
import {
  batchMessage,
  batchMessages,
  compileErrorMessage,
  keepaliveMessage,
  metadataMessage,
  responseMessage,
  statsMessage,
  statusMessage,
} from '../../test/vizier-double/messages'
import type { TableSpec } from '../../test/vizier-double/messages'

const http: TableSpec = {
  name: 'http_stats',
  id: 'f3a1b7e0-0000-4000-8000-000000000001',
  columns: [
    { name: 'pod', type: 'STRING' },
    { name: 'requests', type: 'INT64' },
    { name: 'error_rate', type: 'FLOAT64' },
  ],
  rows: [
    { pod: 'ns/web-a', requests: 120, error_rate: 0.05 },
    { pod: 'ns/web-b', requests: 80, error_rate: 0 },
    { pod: 'ns/web-c', requests: 3, error_rate: 1 },
  ],
}

const latency: TableSpec = {
  name: 'latency',
  columns: [
    { name: 'time_', type: 'TIME64NS' },
    { name: 'p99_ms', type: 'FLOAT64' },
  ],
  rows: [
    { time_: 1_700_000_000_000_000_001n, p99_ms: 12.5 },
    { time_: 1_700_000_001_000_000_001n, p99_ms: 13.25 },
  ],
}

function assemble(messages: ExecuteScriptResponse[], limits?: AssemblyLimits) {
  const assembler = new ResultAssembler(limits)
  for (const m of messages) assembler.push(m)
  return assembler.finish()
}

function failure(run: () => unknown): PxCanaryError {
  try {
    run()
  } catch (err) {
    expect(err).toBeInstanceOf(PxCanaryError)
    return err as PxCanaryError
  }
  throw new Error('expected a PxCanaryError, nothing was thrown')
}

describe('ResultAssembler', () => {
  it('should assemble one table into typed rows keyed by column name', () => {
    const result = assemble([
      metadataMessage(http, { queryId: 'q-1' }),
      ...batchMessages(http, http.rows, { batchSize: 2, queryId: 'q-1' }),
      statsMessage({ recordsProcessed: 3n, bytesProcessed: 99n }, { queryId: 'q-1' }),
    ])
    expect(result.queryId).toBe('q-1')
    const table = result.tables.get('http_stats')
    expect(table?.id).toBe(http.id)
    expect(table?.columns.map((c) => [c.name, c.type])).toEqual([
      ['pod', 'STRING'],
      ['requests', 'INT64'],
      ['error_rate', 'FLOAT64'],
    ])
    expect(table?.rows).toEqual([
      { pod: 'ns/web-a', requests: 120n, error_rate: 0.05 },
      { pod: 'ns/web-b', requests: 80n, error_rate: 0 },
      { pod: 'ns/web-c', requests: 3n, error_rate: 1 },
    ])
    expect(result.stats?.recordsProcessed).toBe(3n)
    expect(result.stats?.bytesProcessed).toBe(99n)
  })

  it('should assemble interleaved batches of two tables, keeping metadata order', () => {
    const a = batchMessages(http, http.rows, { batchSize: 1 })
    const b = batchMessages(latency, latency.rows, { batchSize: 1 })
    const result = assemble([
      metadataMessage(http),
      metadataMessage(latency),
      a[0]!,
      b[0]!,
      a[1]!,
      b[1]!,
      a[2]!,
    ])
    expect([...result.tables.keys()]).toEqual(['http_stats', 'latency'])
    expect(result.tables.get('http_stats')?.rows.map((r) => r.pod)).toEqual([
      'ns/web-a',
      'ns/web-b',
      'ns/web-c',
    ])
    expect(result.tables.get('latency')?.rows.map((r) => r.time_)).toEqual([
      1_700_000_000_000_000_001n,
      1_700_000_001_000_000_001n,
    ])
    expect(result.stats).toBeUndefined()
  })

  it('should ignore zero-row keepalive batches, even before metadata', () => {
    const result = assemble([
      keepaliveMessage(http),
      metadataMessage(http),
      keepaliveMessage(http),
      ...batchMessages(http, http.rows.slice(0, 1), { eos: false }),
      keepaliveMessage(http),
      ...batchMessages(http, http.rows.slice(1)),
    ])
    expect(result.tables.get('http_stats')?.rows).toHaveLength(3)
  })

  it('should end a table on a zero-row final batch', () => {
    const result = assemble([metadataMessage(http), ...batchMessages(http, [])])
    expect(result.tables.get('http_stats')?.rows).toEqual([])
  })

  it('should reject data for a table whose metadata never came', () => {
    const err = failure(() => assemble(batchMessages(http, http.rows)))
    expect(err.code).toBe('pixie_protocol_error')
    expect(err.message).toContain(http.id)
  })

  it('should reject data after a table reached end of stream', () => {
    const err = failure(() =>
      assemble([
        metadataMessage(http),
        ...batchMessages(http, http.rows),
        ...batchMessages(http, http.rows),
      ])
    )
    expect(err.code).toBe('pixie_protocol_error')
    expect(err.message).toContain('after its end of stream')
  })

  it('should call a stream that ends before every table did a partial result', () => {
    const err = failure(() =>
      assemble([
        metadataMessage(http),
        metadataMessage(latency),
        ...batchMessages(http, http.rows),
        ...batchMessages(latency, latency.rows, { eos: false }),
      ])
    )
    expect(err.code).toBe('pixie_protocol_error')
    expect(err.message).toContain('partial result')
    expect(err.details).toEqual({ tables: ['latency'] })
  })

  it('should reject duplicate metadata', () => {
    const err = failure(() => assemble([metadataMessage(http), metadataMessage(http)]))
    expect(err.code).toBe('pixie_protocol_error')
    expect(err.message).toContain('duplicate metadata')
  })

  it('should reject a batch whose column count differs from the relation', () => {
    const batch = create(RowBatchDataSchema, {
      tableId: http.id!,
      numRows: 1n,
      eos: true,
      cols: [encodeColumn('STRING', ['x']), encodeColumn('INT64', [1])],
    })
    const err = failure(() => assemble([metadataMessage(http), batchMessage(batch)]))
    expect(err.code).toBe('pixie_protocol_error')
    expect(err.message).toContain('2 columns')
  })

  it('should reject a batch whose column type differs from the relation', () => {
    const batch = create(RowBatchDataSchema, {
      tableId: http.id!,
      numRows: 1n,
      eos: true,
      cols: [
        encodeColumn('STRING', ['x']),
        encodeColumn('FLOAT64', [1]),
        encodeColumn('FLOAT64', [1]),
      ],
    })
    const err = failure(() => assemble([metadataMessage(http), batchMessage(batch)]))
    expect(err.code).toBe('pixie_protocol_error')
    expect(err.message).toContain("'requests' is INT64")
  })

  it('should reject a batch whose columns disagree with num_rows', () => {
    const batch = create(RowBatchDataSchema, {
      tableId: http.id!,
      numRows: 2n,
      eos: true,
      cols: [
        encodeColumn('STRING', ['x']),
        encodeColumn('INT64', [1]),
        encodeColumn('FLOAT64', [1]),
      ],
    })
    const err = failure(() => assemble([metadataMessage(http), batchMessage(batch)]))
    expect(err.code).toBe('pixie_protocol_error')
  })

  it('should reject a relation with an unknown data type', () => {
    const meta = metadataMessage(http)
    if (meta.result.case === 'metaData') meta.result.value.relation!.columns[0]!.columnType = 0
    const err = failure(() => assemble([meta]))
    expect(err.code).toBe('pixie_protocol_error')
    expect(err.message).toContain('unsupported data type')
  })

  it('should turn a compiler error into pixie_script_error with line and column', () => {
    const err = failure(() =>
      assemble([
        compileErrorMessage([{ line: 7, column: 12, message: "name 'pxx' is not defined" }]),
      ])
    )
    expect(err.code).toBe('pixie_script_error')
    expect(err.details).toMatchObject({
      line: 7,
      column: 12,
      compiler_message: "name 'pxx' is not defined",
    })
    expect(err.message).toContain('line 7, column 12')
  })

  it('should keep every compiler error, the first one in line and column', () => {
    const errors = [
      { line: 3, column: 1, message: 'first' },
      { line: 9, column: 4, message: 'second' },
    ]
    const err = failure(() => assemble([compileErrorMessage(errors)]))
    expect(err.details).toMatchObject({ line: 3, column: 1, compiler_message: 'first', errors })
  })

  it('should stop at an in-band error status even after good data', () => {
    const err = failure(() =>
      assemble([
        metadataMessage(http),
        ...batchMessages(http, http.rows, { eos: false }),
        statusMessage(13, 'agent failed: out of memory'),
      ])
    )
    expect(err.code).toBe('pixie_script_error')
    expect(err.message).toContain('agent failed: out of memory')
  })

  it('should treat a status message with code 0 as an error, as the UI does', () => {
    const err = failure(() => assemble([statusMessage(0, 'something went wrong')]))
    expect(err.code).toBe('pixie_script_error')
  })

  it('should accept a status with code 0 and no message as success', () => {
    const ok = responseMessage({ status: { code: 0 }, result: metadataMessage(http).result })
    const result = assemble([ok, ...batchMessages(http, [])])
    expect(result.tables.has('http_stats')).toBe(true)
  })

  it('should refuse an encrypted batch when no key was sent', () => {
    const encrypted = create(ExecuteScriptResponseSchema, {
      result: { case: 'data', value: { encryptedBatch: new TextEncoder().encode('a.b.c.d.e') } },
    })
    const err = failure(() => assemble([metadataMessage(http), encrypted]))
    expect(err.code).toBe('pixie_decryption_failed')
    expect(err.message).toContain('no key was sent')
  })

  it('should accept exactly maxRowsPerTable rows and refuse one more', () => {
    const ok = assemble([metadataMessage(http), ...batchMessages(http, http.rows)], {
      maxRowsPerTable: 3,
    })
    expect(ok.tables.get('http_stats')?.rows).toHaveLength(3)
    const err = failure(() =>
      assemble([metadataMessage(http), ...batchMessages(http, http.rows)], { maxRowsPerTable: 2 })
    )
    expect(err.code).toBe('pixie_result_too_large')
    expect(err.details).toMatchObject({ table: 'http_stats', max_rows_per_table: 2 })
  })

  it('should refuse a result larger than maxResultBytes, metadata and row overhead counted', () => {
    const bytesOf = (messages: ExecuteScriptResponse[]): number => {
      const assembler = new ResultAssembler()
      for (const m of messages) assembler.push(m)
      return assembler.decodedBytes
    }
    // Metadata alone counts against the cap, and a row costs more than its 24 payload bytes.
    const metadata = bytesOf([metadataMessage(http)])
    expect(metadata).toBeGreaterThan(0)
    const two = bytesOf([metadataMessage(http), ...batchMessages(http, http.rows.slice(0, 2))])
    expect(two - metadata).toBeGreaterThan(2 * 24)
    const limited = { maxResultBytes: two }
    const ok = assemble(
      [metadataMessage(http), ...batchMessages(http, http.rows.slice(0, 2))],
      limited
    )
    expect(ok.tables.get('http_stats')?.rows).toHaveLength(2)
    const err = failure(() =>
      assemble([metadataMessage(http), ...batchMessages(http, http.rows)], limited)
    )
    expect(err.code).toBe('pixie_result_too_large')
    expect(
      failure(() => assemble([metadataMessage(http)], { maxResultBytes: metadata - 1 })).code
    ).toBe('pixie_result_too_large')
  })

  it('should refuse a metadata flood (many tables, wide relations) before storing it', () => {
    const tables = Array.from({ length: 17 }, (_, i) =>
      metadataMessage({ ...http, name: `t${i}`, id: `id-${i}` })
    )
    const assembler = new ResultAssembler({ maxTables: 16 })
    for (const m of tables.slice(0, 16)) assembler.push(m)
    const flood = failure(() => assembler.push(tables[16]!))
    expect(flood.code).toBe('pixie_result_too_large')
    expect(flood.details).toMatchObject({ max_tables: 16 })
    const wide: TableSpec = {
      name: 'wide',
      columns: Array.from({ length: 65 }, (_, i) => ({ name: `c${i}`, type: 'INT64' as const })),
      rows: [],
    }
    expect(failure(() => assemble([metadataMessage(wide)])).code).toBe('pixie_result_too_large')
    const longName: TableSpec = { ...http, columns: [{ name: 'x'.repeat(300), type: 'INT64' }] }
    expect(failure(() => assemble([metadataMessage(longName)])).code).toBe('pixie_protocol_error')
  })

  it('should keep a column named __proto__ as a plain own property', () => {
    const odd: TableSpec = {
      name: 'odd',
      columns: [{ name: '__proto__', type: 'STRING' }],
      rows: [],
    }
    const meta = metadataMessage(odd)
    const batch = batchMessage(
      create(RowBatchDataSchema, {
        tableId: 'odd',
        numRows: 1n,
        eos: true,
        cols: [encodeColumn('STRING', ['x'])],
      })
    )
    const row = assemble([meta, batch]).tables.get('odd')?.rows[0]
    expect(Object.getPrototypeOf(row)).toBe(Object.prototype)
    expect(Object.getOwnPropertyDescriptor(row, '__proto__')?.value).toBe('x')
  })
})
