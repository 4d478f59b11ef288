/**
 * Test helpers: small in-memory DataSources built from rows, and readers that turn engine output
 * back into rows. Used by the *.test.ts files beside this one and by the micro benchmark.
 */
import type { CellValue, ColumnType } from '../../shared/pixie/types'
import { executePxl } from './execute'
import {
  PxlCompileError,
  type DataSource,
  type EngineColumn,
  type EngineTable,
  type ExecuteOptions,
  type MetadataResolver,
} from './types'

export type MetadataKey = Parameters<MetadataResolver['resolve']>[0]

/** Metadata by upid; missing entries resolve to '' like Pixie's metadata gaps. */
export type MetadataTable = Record<string, Partial<Record<MetadataKey, string>>>

/** A table from column definitions and row arrays (values in column order). */
export function tableFromRows(
  name: string,
  columns: EngineColumn[],
  rows: CellValue[][]
): EngineTable {
  return { name, columns, data: columns.map((_, i) => rows.map((r) => r[i] as CellValue)) }
}

export function col(name: string, type: ColumnType, semanticType = 0): EngineColumn {
  return { name, type, semanticType }
}

/** A DataSource over `tables`, counting metadata lookups (to observe caching). */
export function makeSource(
  tables: EngineTable[],
  metadata: MetadataTable = {}
): DataSource & { lookups: number } {
  const source = {
    lookups: 0,
    table: (name: string) => tables.find((t) => t.name === name),
    metadata: {
      resolve: (key: MetadataKey, upid: string): string => {
        source.lookups++
        return metadata[upid]?.[key] ?? ''
      },
    },
  }
  return source
}

/** An output table's rows as objects keyed by column name. */
export function rowsOf(table: EngineTable | undefined): Record<string, CellValue>[] {
  if (table === undefined) throw new Error('no such output table')
  const n = table.data[0]?.length ?? 0
  const out: Record<string, CellValue>[] = []
  for (let i = 0; i < n; i++) {
    const row: Record<string, CellValue> = {}
    table.columns.forEach((c, j) => {
      row[c.name] = (table.data[j] as CellValue[])[i] as CellValue
    })
    out.push(row)
  }
  return out
}

/** The HTTP table subset most tests use: the columns the project's scripts select. */
export const HTTP_COLUMNS: EngineColumn[] = [
  col('time_', 'TIME64NS', 2),
  col('upid', 'UINT128', 200),
  col('trace_role', 'INT64'),
  col('req_path', 'STRING'),
  col('req_method', 'STRING'),
  col('resp_status', 'INT64'),
  col('latency', 'INT64', 901),
]

/** Fixed "now" for tests: 2024-01-01T00:00:00Z in ns. */
export const NOW_NS = 1_704_067_200_000_000_000n

/** Nanoseconds for `s` seconds before NOW_NS. */
export function secondsAgo(s: number): bigint {
  return NOW_NS - BigInt(Math.round(s * 1e9))
}

/** UPIDs for tests: asid 1, pid 100+i, start time i. */
export function upid(i: number): string {
  const pid = (100 + i).toString(16).padStart(8, '0')
  const start = i.toString(16).padStart(16, '0')
  return `00000001-${pid.slice(0, 4)}-${pid.slice(4)}-${start.slice(0, 4)}-${start.slice(4)}`
}

/** Runs `script` and returns its output tables by name. */
export function runScript(
  script: string,
  source: DataSource,
  execFuncs?: ExecuteOptions['execFuncs']
): Map<string, EngineTable> {
  const options: ExecuteOptions = { source, nowNs: NOW_NS }
  if (execFuncs !== undefined) options.execFuncs = execFuncs
  return new Map(executePxl(script, options).map((t) => [t.name, t]))
}

/** The PxlCompileError `fn` throws, as {message, line, column}; fails when it throws nothing else. */
export function compileErrorOf(fn: () => unknown): {
  message: string
  line: number
  column: number
} {
  try {
    fn()
  } catch (err) {
    if (err instanceof PxlCompileError)
      return { message: err.message, line: err.line, column: err.column }
    throw err
  }
  throw new Error('expected a PxlCompileError, but nothing was thrown')
}
