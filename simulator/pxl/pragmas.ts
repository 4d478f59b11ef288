/**
 * `#px:set key=value` script flags (pixie-io/pixie src/vizier/services/query_broker/controllers/query_flags.go). They are
 * comments to the Python parser, so they are read from the raw source before parsing. A malformed
 * line is an error, as in Vizier.
 */
import { PxlCompileError } from './types'

export interface ScriptFlags {
  /** Rows kept per output table; Vizier's default is 10,000. */
  maxOutputRowsPerTable: number
  /** Accepted for compatibility; the simulator does not produce a query plan table. */
  explain: boolean
  /** Accepted for compatibility; the simulator does not produce analyze stats. */
  analyze: boolean
}

export const DEFAULT_MAX_OUTPUT_ROWS_PER_TABLE = 10_000

const PRAGMA_START = /^(\s*)#\s*px:set\b/
const PRAGMA_LINE = /^\s*#px:set ([A-Za-z_][A-Za-z0-9_]*)=(\S+)\s*$/

/** Reads every `#px:set` line; throws PxlCompileError (line, column of '#') when one is malformed. */
export function parseScriptFlags(source: string): ScriptFlags {
  const flags: ScriptFlags = {
    maxOutputRowsPerTable: DEFAULT_MAX_OUTPUT_ROWS_PER_TABLE,
    explain: false,
    analyze: false,
  }
  const lines = source.split(/\r\n?|\n/)
  lines.forEach((text, index) => {
    const start = PRAGMA_START.exec(text)
    if (start === null) return
    const line = index + 1
    const column = (start[1] ?? '').length + 1
    const m = PRAGMA_LINE.exec(text)
    if (m === null) {
      throw new PxlCompileError(
        `Malformed #px:set line; expected exactly '#px:set key=value': ${text.trim()}`,
        line,
        column
      )
    }
    const key = m[1] as string
    const value = m[2] as string
    switch (key) {
      case 'max_output_rows_per_table': {
        if (!/^\d+$/.test(value) || BigInt(value) < 1n || BigInt(value) > 2_147_483_647n) {
          throw new PxlCompileError(
            `Invalid value for max_output_rows_per_table: '${value}' (expected a positive integer)`,
            line,
            column
          )
        }
        flags.maxOutputRowsPerTable = Number(value)
        break
      }
      case 'explain':
      case 'analyze': {
        if (value !== 'true' && value !== 'false') {
          throw new PxlCompileError(
            `Invalid value for ${key}: '${value}' (expected true or false)`,
            line,
            column
          )
        }
        flags[key] = value === 'true'
        break
      }
      default:
        throw new PxlCompileError(`Unknown #px:set flag '${key}'`, line, column)
    }
  })
  return flags
}
