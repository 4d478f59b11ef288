/**
 * Value decoding: turns Vizier's column-major protobuf columns into typed JavaScript values.
 * Pure functions, no I/O. See types.ts (CellValue) for the typing rules.
 */
import { DataType } from './vizierapi'
import type { Column } from './vizierapi'
import type { CellValue, ColumnType } from './types'

/** The protobuf oneof member that carries each column type's data. */
export const COLUMN_CASE: Readonly<Record<ColumnType, NonNullable<Column['colData']['case']>>> = {
  BOOLEAN: 'booleanData',
  INT64: 'int64Data',
  UINT128: 'uint128Data',
  FLOAT64: 'float64Data',
  STRING: 'stringData',
  TIME64NS: 'time64nsData',
}

/**
 * Maps a wire DataType to its name, or undefined for DATA_TYPE_UNKNOWN and numbers this client
 * does not know (a newer Vizier): the caller must refuse such a column rather than guess.
 */
export function columnTypeOf(dataType: number): ColumnType | undefined {
  switch (dataType) {
    case DataType.BOOLEAN:
      return 'BOOLEAN'
    case DataType.INT64:
      return 'INT64'
    case DataType.UINT128:
      return 'UINT128'
    case DataType.FLOAT64:
      return 'FLOAT64'
    case DataType.STRING:
      return 'STRING'
    case DataType.TIME64NS:
      return 'TIME64NS'
    default:
      return undefined
  }
}

/** Maps a column type name back to the wire DataType (used by encoders and test doubles). */
export function dataTypeOf(type: ColumnType): number {
  return DataType[type]
}

const HEX_64 = 16

/**
 * Renders a UINT128 as Pixie's clients do: 16 big-endian bytes (high then low) as a UUID string
 * (8-4-4-4-12 lowercase hex). UPIDs and other 128-bit ids are compared and joined as these strings.
 */
export function uint128ToUuid(high: bigint, low: bigint): string {
  const hex =
    BigInt.asUintN(64, high).toString(16).padStart(HEX_64, '0') +
    BigInt.asUintN(64, low).toString(16).padStart(HEX_64, '0')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** The inverse of uint128ToUuid; throws a TypeError for anything that is not a UUID string. */
export function uuidToUint128(uuid: string): { high: bigint; low: bigint } {
  if (!UUID_PATTERN.test(uuid)) throw new TypeError(`not a UUID string: ${JSON.stringify(uuid)}`)
  const hex = uuid.replace(/-/g, '')
  return { high: BigInt(`0x${hex.slice(0, 16)}`), low: BigInt(`0x${hex.slice(16)}`) }
}

const utf8 = new TextDecoder('utf-8')

/** Number of values a column holds, whatever its kind (0 for an empty oneof). */
export function columnLength(column: Column): number {
  return column.colData.case === undefined ? 0 : column.colData.value.data.length
}

/**
 * Payload size of a column in bytes: 1 per boolean, 8 per int64/time/float64, 16 per uint128,
 * the UTF-8 length of each string. Computed before decoding so a result cap can refuse a batch
 * without first materialising it.
 */
export function columnByteSize(column: Column): number {
  const { colData } = column
  switch (colData.case) {
    case 'booleanData':
      return colData.value.data.length
    case 'int64Data':
    case 'time64nsData':
    case 'float64Data':
      return colData.value.data.length * 8
    case 'uint128Data':
      return colData.value.data.length * 16
    case 'stringData': {
      let bytes = 0
      for (const s of colData.value.data) bytes += s.byteLength
      return bytes
    }
    default:
      return 0
  }
}

/**
 * Decodes one column into cell values. INT64 and TIME64NS stay bigint (exact beyond 2^53:
 * nanosecond timestamps near 1.7e18 would lose precision as numbers); UINT128 becomes a UUID
 * string; STRING bytes are decoded as UTF-8. The caller has already checked that the column's
 * oneof member matches its declared type.
 */
export function decodeColumn(column: Column): CellValue[] {
  const { colData } = column
  switch (colData.case) {
    case 'booleanData':
    case 'int64Data':
    case 'time64nsData':
    case 'float64Data':
      return colData.value.data
    case 'uint128Data':
      return colData.value.data.map((v) => uint128ToUuid(v.high, v.low))
    case 'stringData':
      return colData.value.data.map((bytes) => utf8.decode(bytes))
    default:
      return []
  }
}
