/**
 * What a protocol's row says beyond the shared stats columns. gRPC: a row counting calls whose
 * resp_headers Vizier replaced with 'REDACTED' (restricted data access, pixie-io/pixie
 * src/carnot/planner/compiler/analyzer/restrict_columns_rule.cc) cannot classify them, so it is
 * refused as a whole: its error count would only say that the status was unreadable.
 */
import { PxCanaryError } from '../errors'
import type { ScriptResult } from '../pixie/types'
import type { Protocol } from '../protocol'
import { GRPC_EXTRA_COLUMNS } from './grpc-stats'
import { checkColumns } from './result'

/**
 * Checks a protocol's extra columns of the one-row table `tableName` (already decoded by
 * decodeHttpStats, so the table and its row count are known good).
 *
 * @throws PxCanaryError result_redacted (502) for gRPC calls whose headers were redacted;
 *   result_missing_column, result_bad_type for a malformed column
 */
export function checkProtocolRow(
  result: ScriptResult,
  tableName: string,
  protocol: Protocol
): void {
  if (protocol !== 'grpc') return
  const table = result.tables.get(tableName)
  if (table === undefined) return
  checkColumns(table, GRPC_EXTRA_COLUMNS)
  const redacted = table.rows[0]?.headers_redacted ?? 0n
  if (redacted !== 0n) {
    throw new PxCanaryError(
      'result_redacted',
      `Pixie redacted the response headers of ${String(redacted)} gRPC calls, so their grpc-status is unknown: Vizier runs with restricted data access (spec.dataAccess: Restricted)`,
      { details: { table: tableName } }
    )
  }
}
