/**
 * Vizier's restricted data access: with spec.dataAccess Restricted the planner replaces each
 * sensitive column of a table a script reads by the string 'REDACTED' (pixie-io/pixie
 * src/carnot/planner/logical_planner.cc lists the columns, src/carnot/planner/compiler/analyzer/
 * restrict_columns_rule.cc RedactAllData does the replacement), before any filter or UDF sees it.
 */
import type { CellValue } from '../shared/pixie/types'
import type { EngineTable } from './pxl/types'

/** The sensitive columns per table (logical_planner.cc CreateCompilerState). */
export const SENSITIVE_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  cql_events: ['req_body', 'resp_body'],
  http_events: ['req_headers', 'req_body', 'resp_headers', 'resp_body'],
  'kafka_events.beta': ['req_body', 'resp'],
  mysql_events: ['req_body', 'resp_body'],
  'nats_events.beta': ['body', 'resp'],
  pgsql_events: ['req', 'resp'],
  redis_events: ['req_args', 'resp'],
}

/** The table as a Restricted Vizier lets a script read it (a copy; the input is not changed). */
export function redactTable(table: EngineTable): EngineTable {
  const sensitive = SENSITIVE_COLUMNS[table.name] ?? []
  const rows = table.data[0]?.length ?? 0
  return {
    ...table,
    data: table.data.map((column, i) =>
      sensitive.includes(table.columns[i]?.name ?? '')
        ? new Array<CellValue>(rows).fill('REDACTED')
        : column
    ),
  }
}
