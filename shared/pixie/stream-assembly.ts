/**
 * Stream assembly: folds the ExecuteScript response stream into typed result tables, enforcing
 * the protocol (metadata before data, end of stream per table) and the client's memory bounds.
 * Pure and synchronous: the client decrypts batches before pushing them here.
 */
import type { ExecuteScriptResponse, RowBatchData } from './vizierapi'
import type {
  ColumnInfo,
  ColumnType,
  ExecutionStats,
  ResultTable,
  Row,
  ScriptResult,
} from './types'
import { columnByteSize, columnLength, columnTypeOf, COLUMN_CASE, decodeColumn } from './values'
import { decryptionError, errorFromStatus, protocolError, tooLargeError } from './error-mapping'

/** Vizier's own default output cap (max_output_rows_per_table). */
export const DEFAULT_MAX_ROWS_PER_TABLE = 10_000
/** Decoded payload bytes across all tables of one result. */
export const DEFAULT_MAX_RESULT_BYTES = 8 * 1024 * 1024

export interface AssemblyLimits {
  /** More rows than this in any one table fails the call with pixie_result_too_large. */
  maxRowsPerTable?: number
  /** More decoded payload bytes than this (see columnByteSize) fails with pixie_result_too_large. */
  maxResultBytes?: number
}

interface TableState {
  table: ResultTable
  types: ColumnType[]
  /** True when a column is literally named __proto__ and rows need defineProperty. */
  unsafeKeys: boolean
  eos: boolean
}

function setCell(row: Row, name: string, value: Row[string], unsafe: boolean): void {
  if (unsafe && name === '__proto__') {
    Object.defineProperty(row, name, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    })
  } else {
    row[name] = value
  }
}

/**
 * Accumulates one ExecuteScript call. push() each response in order (throws a PxCanaryError on
 * the first protocol violation, in-band error or exceeded limit); finish() when the stream ended
 * with gRPC OK. Zero-row batches that do not end a table are keepalives and are ignored.
 */
export class ResultAssembler {
  private readonly maxRows: number
  private readonly maxBytes: number
  private readonly byId = new Map<string, TableState>()
  private readonly tables = new Map<string, ResultTable>()
  private queryId = ''
  private stats: ExecutionStats | undefined
  private bytes = 0

  constructor(limits: AssemblyLimits = {}) {
    this.maxRows = limits.maxRowsPerTable ?? DEFAULT_MAX_ROWS_PER_TABLE
    this.maxBytes = limits.maxResultBytes ?? DEFAULT_MAX_RESULT_BYTES
  }

  /** Decoded payload bytes accepted so far. */
  get decodedBytes(): number {
    return this.bytes
  }

  push(message: ExecuteScriptResponse): void {
    const statusError = errorFromStatus(message.status)
    if (statusError) throw statusError
    if (!this.queryId && message.queryId) this.queryId = message.queryId

    const { result } = message
    if (result.case === 'metaData') {
      this.addTable(result.value.id, result.value.name, result.value.relation?.columns ?? [])
    } else if (result.case === 'data') {
      const { batch, encryptedBatch, executionStats } = result.value
      if (encryptedBatch.length > 0) {
        throw decryptionError('encrypted batch received but no key was sent')
      }
      if (batch) this.addBatch(batch)
      if (executionStats) {
        this.stats = {
          executionTimeNs: executionStats.timing?.executionTimeNs ?? 0n,
          compilationTimeNs: executionStats.timing?.compilationTimeNs ?? 0n,
          bytesProcessed: executionStats.bytesProcessed,
          recordsProcessed: executionStats.recordsProcessed,
        }
      }
    }
    // mutation_info (tracepoint deployment progress) is not used by px-canary's scripts.
  }

  /** The assembled result; throws when a table never reached end of stream (a partial result). */
  finish(): ScriptResult {
    const open = [...this.byId.values()].filter((s) => !s.eos).map((s) => s.table.name)
    if (open.length > 0) {
      throw protocolError(
        `partial result: the stream ended before table(s) ${open.join(', ')} did`,
        {
          tables: open,
        }
      )
    }
    return {
      queryId: this.queryId,
      tables: this.tables,
      ...(this.stats ? { stats: this.stats } : {}),
    }
  }

  private addTable(
    id: string,
    name: string,
    relation: ReadonlyArray<{ columnName: string; columnType: number; columnSemanticType: number }>
  ): void {
    if (!id) throw protocolError(`metadata for table '${name}' has no table id`)
    if (this.byId.has(id)) throw protocolError(`duplicate metadata for table id '${id}'`)
    if (this.tables.has(name)) throw protocolError(`duplicate table name '${name}'`)
    const columns: ColumnInfo[] = []
    const seen = new Set<string>()
    for (const c of relation) {
      const type = columnTypeOf(c.columnType)
      if (!type) {
        throw protocolError(
          `table '${name}' column '${c.columnName}' has unsupported data type ${c.columnType}`
        )
      }
      if (seen.has(c.columnName)) {
        throw protocolError(`table '${name}' has duplicate column '${c.columnName}'`)
      }
      seen.add(c.columnName)
      columns.push({ name: c.columnName, type, semanticType: c.columnSemanticType })
    }
    const table: ResultTable = { id, name, columns, rows: [] }
    this.byId.set(id, {
      table,
      types: columns.map((c) => c.type),
      unsafeKeys: seen.has('__proto__'),
      eos: false,
    })
    this.tables.set(name, table)
  }

  private addBatch(batch: RowBatchData): void {
    if (batch.numRows < 0n)
      throw protocolError(`batch for table id '${batch.tableId}' has negative num_rows`)
    const numRows = Number(batch.numRows)
    if (numRows === 0 && !batch.eos) return // keepalive (or end of window), no data

    const state = this.byId.get(batch.tableId)
    if (!state)
      throw protocolError(`data for table id '${batch.tableId}' arrived before its metadata`)
    const { table, types } = state
    if (state.eos)
      throw protocolError(`data for table '${table.name}' arrived after its end of stream`)
    if (numRows === 0) {
      // A final, empty batch: nothing to decode, whatever columns it carries.
      state.eos = true
      return
    }
    if (batch.cols.length !== types.length) {
      throw protocolError(
        `table '${table.name}' batch has ${batch.cols.length} columns, its relation has ${types.length}`
      )
    }

    let bytes = 0
    for (let i = 0; i < types.length; i++) {
      const col = batch.cols[i]!
      const type = types[i]!
      if (col.colData.case !== COLUMN_CASE[type]) {
        throw protocolError(
          `table '${table.name}' column '${table.columns[i]!.name}' is ${type} but the batch carries ${col.colData.case ?? 'no data'}`
        )
      }
      if (columnLength(col) !== numRows) {
        throw protocolError(
          `table '${table.name}' column '${table.columns[i]!.name}' has ${columnLength(col)} values, num_rows is ${numRows}`
        )
      }
      bytes += columnByteSize(col)
    }

    if (table.rows.length + numRows > this.maxRows) {
      throw tooLargeError(`table '${table.name}' has more than ${this.maxRows} rows`, {
        table: table.name,
        max_rows_per_table: this.maxRows,
      })
    }
    if (this.bytes + bytes > this.maxBytes) {
      throw tooLargeError(`the result exceeds ${this.maxBytes} bytes`, {
        max_result_bytes: this.maxBytes,
      })
    }
    this.bytes += bytes

    const decoded = batch.cols.map((c) => decodeColumn(c))
    const names = table.columns.map((c) => c.name)
    for (let r = 0; r < numRows; r++) {
      const row: Row = {}
      for (let c = 0; c < names.length; c++) {
        setCell(row, names[c]!, decoded[c]![r]!, state.unsafeKeys)
      }
      table.rows.push(row)
    }
    if (batch.eos) state.eos = true
  }
}
