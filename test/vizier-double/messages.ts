/**
 * Builders for the ExecuteScriptResponse messages Vizier streams: table metadata, row batches,
 * keepalives, execution stats and in-band statuses (compiler errors). Rows are given as objects
 * keyed by column name, values in the forms EncodableValue allows.
 */
import { create } from '@bufbuild/protobuf'
import type { MessageInitShape } from '@bufbuild/protobuf'
import {
  ExecuteScriptResponseSchema,
  RowBatchDataSchema,
} from '../../shared/pixie/gen/vizierapi_pb'
import type { ExecuteScriptResponse, RowBatchData } from '../../shared/pixie/gen/vizierapi_pb'
import { encodeRowBatch } from '../../simulator/vizier-wire/row-batch'
import type { EncodableValue } from '../../simulator/vizier-wire/row-batch'
import { dataTypeOf } from '../../shared/pixie/values'
import type { ColumnType } from '../../shared/pixie/types'

export interface ColumnSpec {
  name: string
  type: ColumnType
  /** px.api.vizierpb.SemanticType number (default 0, unspecified). */
  semanticType?: number
}

/** One row: column name -> value (bigint or safe integer for INT64/TIME64NS, UUID for UINT128). */
export type DoubleRow = Record<string, EncodableValue>

export interface TableSpec {
  /** Table name, as px.display or an exec_funcs output_table_prefix would set it. */
  name: string
  /** Table id (default: the name, as a standalone PEM does; Vizier uses a UUID). */
  id?: string
  columns: ColumnSpec[]
  rows: DoubleRow[]
}

interface MessageOptions {
  /** query_id stamped on the message (default empty, as a standalone PEM sends). */
  queryId?: string
}

/** Any response, from a plain init object. */
export function responseMessage(
  init: MessageInitShape<typeof ExecuteScriptResponseSchema>
): ExecuteScriptResponse {
  return create(ExecuteScriptResponseSchema, init)
}

function tableId(table: Pick<TableSpec, 'name' | 'id'>): string {
  return table.id ?? table.name
}

/** The meta_data message announcing a table and its relation. */
export function metadataMessage(
  table: Pick<TableSpec, 'name' | 'id' | 'columns'>,
  options: MessageOptions = {}
): ExecuteScriptResponse {
  return responseMessage({
    queryId: options.queryId ?? '',
    result: {
      case: 'metaData',
      value: {
        name: table.name,
        id: tableId(table),
        relation: {
          columns: table.columns.map((c) => ({
            columnName: c.name,
            columnType: dataTypeOf(c.type),
            columnSemanticType: c.semanticType ?? 0,
          })),
        },
      },
    },
  })
}

/** Wraps a RowBatchData as a data message. */
export function batchMessage(
  batch: RowBatchData,
  options: MessageOptions = {}
): ExecuteScriptResponse {
  return responseMessage({
    queryId: options.queryId ?? '',
    result: { case: 'data', value: { batch } },
  })
}

/** Encodes rows (objects keyed by column name) into one RowBatchData for the table. */
export function rowBatch(
  table: Pick<TableSpec, 'name' | 'id' | 'columns'>,
  rows: readonly DoubleRow[],
  flags: { eow?: boolean; eos?: boolean } = {}
): RowBatchData {
  const data = table.columns.map((c) =>
    rows.map((row, i) => {
      const value = row[c.name]
      if (value === undefined) {
        throw new TypeError(`row ${i} of table '${table.name}' has no value for column '${c.name}'`)
      }
      return value
    })
  )
  return encodeRowBatch(tableId(table), table.columns, data, flags)
}

export interface BatchOptions extends MessageOptions {
  /** Rows per batch (default 1024). */
  batchSize?: number
  /** Mark the last batch eow+eos, ending the table (default true). */
  eos?: boolean
}

/**
 * The data messages carrying `rows` for a table, split into batches; the last one ends the table
 * unless eos is false. No rows and eos gives a single zero-row final batch.
 */
export function batchMessages(
  table: Pick<TableSpec, 'name' | 'id' | 'columns'>,
  rows: readonly DoubleRow[],
  options: BatchOptions = {}
): ExecuteScriptResponse[] {
  const size = options.batchSize ?? 1024
  if (!(Number.isInteger(size) && size > 0))
    throw new TypeError(`batchSize must be a positive integer`)
  const eos = options.eos ?? true
  const messages: ExecuteScriptResponse[] = []
  for (let start = 0; start < rows.length || (start === 0 && eos); start += size) {
    const chunk = rows.slice(start, start + size)
    const last = start + size >= rows.length
    messages.push(
      batchMessage(rowBatch(table, chunk, last && eos ? { eow: true, eos: true } : {}), options)
    )
  }
  return messages
}

/** A zero-row batch: what Carnot's sink sends on connect and every 2 s of silence. */
export function keepaliveMessage(
  table: Pick<TableSpec, 'name' | 'id'>,
  options: MessageOptions = {}
): ExecuteScriptResponse {
  return batchMessage(create(RowBatchDataSchema, { tableId: tableId(table), numRows: 0n }), options)
}

/** The execution_stats message Vizier sends once every table has ended. */
export function statsMessage(
  stats: Partial<{
    executionTimeNs: bigint
    compilationTimeNs: bigint
    bytesProcessed: bigint
    recordsProcessed: bigint
  }> = {},
  options: MessageOptions = {}
): ExecuteScriptResponse {
  return responseMessage({
    queryId: options.queryId ?? '',
    result: {
      case: 'data',
      value: {
        executionStats: {
          timing: {
            executionTimeNs: stats.executionTimeNs ?? 1_000_000n,
            compilationTimeNs: stats.compilationTimeNs ?? 500_000n,
          },
          bytesProcessed: stats.bytesProcessed ?? 0n,
          recordsProcessed: stats.recordsProcessed ?? 0n,
        },
      },
    },
  })
}

/** An in-band status (google.rpc code numbering), as Vizier sends before failing a query. */
export function statusMessage(
  code: number,
  message: string,
  options: MessageOptions = {}
): ExecuteScriptResponse {
  return responseMessage({ queryId: options.queryId ?? '', status: { code, message } })
}

/** An in-band compilation failure (INVALID_ARGUMENT) with 1-based line/column per error. */
export function compileErrorMessage(
  errors: ReadonlyArray<{ line: number; column: number; message: string }>,
  options: MessageOptions = {}
): ExecuteScriptResponse {
  return responseMessage({
    queryId: options.queryId ?? '',
    status: {
      code: 3,
      message: errors.length === 1 ? (errors[0]?.message ?? '') : 'Compilation failed',
      errorDetails: errors.map((e) => ({
        error: {
          case: 'compilerError',
          value: { line: BigInt(e.line), column: BigInt(e.column), message: e.message },
        },
      })),
    },
  })
}
