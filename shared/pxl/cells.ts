/**
 * Reading one typed cell of a decoded result row, failing closed: a missing value or one of
 * another type means the table is not the script's answer.
 */
import { PxCanaryError } from '../errors'
import type { CellValue, ResultTable } from '../pixie/types'

/**
 * The row's `name` value, which must be a bigint (Pixie's INT64 and TIME64NS cells decode so);
 * `typeName` is what the message calls the expected type.
 *
 * @throws PxCanaryError result_missing_column, result_bad_type
 */
export function bigintCell(
  table: ResultTable,
  row: Record<string, CellValue>,
  name: string,
  typeName: 'INT64' | 'TIME64NS'
): bigint {
  const value = row[name]
  if (typeof value !== 'bigint') {
    const article = typeName === 'INT64' ? 'an' : 'a'
    throw new PxCanaryError(
      value === undefined ? 'result_missing_column' : 'result_bad_type',
      `Pixie's '${table.name}' value '${name}' is ${value === undefined ? 'missing' : `not ${article} ${typeName}`}`,
      { details: { table: table.name, column: name } }
    )
  }
  return value
}
