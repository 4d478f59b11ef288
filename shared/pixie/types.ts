/**
 * The shapes the Vizier client hands to its callers: typed result tables and execution stats.
 * Nothing here knows about HTTP or Argo.
 */

/** Pixie's column data types (px.api.vizierpb.DataType), by name. */
export type ColumnType = 'BOOLEAN' | 'INT64' | 'UINT128' | 'FLOAT64' | 'STRING' | 'TIME64NS'

/**
 * A cell value, typed by its column:
 * - BOOLEAN -> boolean
 * - INT64 and TIME64NS -> bigint (int64 is exact; TIME64NS is nanoseconds since the Unix epoch)
 * - UINT128 -> UUID string (big-endian high then low, 8-4-4-4-12 hex), as Pixie's own clients render it
 * - FLOAT64 -> number (NaN and Infinity pass through unchanged; callers decide what they mean)
 * - STRING -> string (UTF-8 decoded)
 */
export type CellValue = boolean | bigint | number | string

export interface ColumnInfo {
  name: string
  type: ColumnType
  /** px.api.vizierpb.SemanticType number (display hint only). */
  semanticType: number
}

export type Row = Record<string, CellValue>

export interface ResultTable {
  /** Table id from the stream's metadata (a UUID in Vizier, the name in a standalone PEM). */
  id: string
  /** Table name: the px.display name, or the exec_funcs output_table_prefix. */
  name: string
  columns: ColumnInfo[]
  rows: Row[]
}

export interface ExecutionStats {
  executionTimeNs: bigint
  compilationTimeNs: bigint
  bytesProcessed: bigint
  recordsProcessed: bigint
}

export interface ScriptResult {
  /** The query id Vizier assigned (empty from a standalone PEM). */
  queryId: string
  /** Tables by name, in the order their metadata arrived. */
  tables: Map<string, ResultTable>
  /** Present when the stream delivered its execution stats message. */
  stats?: ExecutionStats
}

/** One exec_funcs entry: call a PxL function with string arguments, output to a named table. */
export interface ExecFunc {
  funcName: string
  /** Argument name -> value. Every value travels as a string; Pixie's compiler parses it. */
  args: Record<string, string>
  outputTablePrefix: string
}

export interface ExecuteScriptOptions {
  /** PxL source. Fixed per script: request values travel in execFuncs, never in the source. */
  script: string
  execFuncs?: ExecFunc[]
  /** Label for Vizier's own metrics (query_name). */
  queryName?: string
  /** Deadline for the whole call, in milliseconds. Falls back to the client's default. */
  timeoutMs?: number
  /** Cancels the call when aborted (the caller gave up). */
  signal?: AbortSignal
}

/** The client every function uses. Tests substitute a fake that implements the same interface. */
export interface VizierClient {
  executeScript(options: ExecuteScriptOptions): Promise<ScriptResult>
  /** Closes the underlying connection; in-flight calls are cancelled. */
  close(): Promise<void>
}
