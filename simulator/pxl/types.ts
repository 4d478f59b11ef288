/**
 * The contract between the simulator's PxL engine (simulator/pxl) and its gRPC server
 * (simulator/server). The engine executes PxL source against in-memory tables; the server turns
 * the engine's output tables into Vizier's streamed protocol.
 */
import type { CellValue, ColumnType, ExecFunc } from '../../shared/pixie/types'

export interface EngineColumn {
  name: string
  type: ColumnType
  /** px.api.vizierpb.SemanticType number; 0 when unspecified. */
  semanticType?: number
}

/** A table, stored column-major: data[i] holds the values of columns[i], one per row. */
export interface EngineTable {
  name: string
  columns: EngineColumn[]
  data: CellValue[][]
}

/**
 * Kubernetes metadata the engine resolves for df.ctx[...] lookups, keyed by a row's upid
 * (a UINT128 UUID string). Values use Pixie's formats: pod, service and replicaset as 'ns/name',
 * namespace plain, service a JSON array string when the pod backs several services, '' when unknown.
 */
export interface MetadataResolver {
  resolve(
    key:
      | 'pod'
      | 'service'
      | 'replicaset'
      | 'namespace'
      | 'deployment'
      | 'node'
      | 'container'
      | 'pod_id',
    upid: string
  ): string
}

/** What a PxL script can read: source tables by name (e.g. 'http_events') and ctx metadata. */
export interface DataSource {
  table(name: string): EngineTable | undefined
  metadata: MetadataResolver
}

export interface ExecuteOptions {
  source: DataSource
  execFuncs?: ExecFunc[]
  /** px.now(), in nanoseconds since the Unix epoch, fixed for the whole execution. */
  nowNs: bigint
}

/** Thrown for anything Pixie's compiler would reject; line and column are 1-based, 0:0 for errors about an exec_func call itself. */
export class PxlCompileError extends Error {
  override readonly name = 'PxlCompileError'
  constructor(
    message: string,
    readonly line: number,
    readonly column: number
  ) {
    super(message)
  }
}

/** Thrown for failures at execution time (Vizier reports these as a Status without line/column). */
export class PxlRuntimeError extends Error {
  override readonly name = 'PxlRuntimeError'
}

/**
 * Executes a PxL script. Output tables come back in the order they were produced: px.display(df,
 * name) tables, then one table per exec_func (named by its output_table_prefix, or
 * '<prefix>[i]' when the function returns a list), each capped at the script's
 * max_output_rows_per_table (default 10,000; '#px:set max_output_rows_per_table=N' changes it).
 */
export type ExecutePxl = (script: string, options: ExecuteOptions) => EngineTable[]
