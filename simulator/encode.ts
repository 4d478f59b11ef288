/**
 * Engine tables to Vizier's wire messages: Relation for the metadata, RowBatchData for the rows
 * (column-major, one oneof member per data type, UINT128 as {high, low}, STRING as UTF-8 bytes).
 */
import { create } from '@bufbuild/protobuf'
import {
  ColumnSchema,
  DataType,
  RelationSchema,
  Relation_ColumnInfoSchema,
  RowBatchDataSchema,
  UInt128Schema,
  type Column,
  type Relation,
  type RowBatchData,
} from '../shared/pixie/gen/vizierapi_pb'
import type { CellValue, ColumnType } from '../shared/pixie/types'
import type { EngineTable } from './pxl/types'
import { uuidToUint128 } from './topology'

const utf8 = new TextEncoder()

export const DATA_TYPES: Record<ColumnType, DataType> = {
  BOOLEAN: DataType.BOOLEAN,
  INT64: DataType.INT64,
  UINT128: DataType.UINT128,
  FLOAT64: DataType.FLOAT64,
  STRING: DataType.STRING,
  TIME64NS: DataType.TIME64NS,
}

export function relationOf(table: EngineTable): Relation {
  return create(RelationSchema, {
    columns: table.columns.map((c) =>
      create(Relation_ColumnInfoSchema, {
        columnName: c.name,
        columnType: DATA_TYPES[c.type],
        columnDesc: '',
        columnSemanticType: c.semanticType ?? 0,
      })
    ),
  })
}

function toBigInt(v: CellValue): bigint {
  if (typeof v === 'bigint') return v
  if (typeof v === 'number') return BigInt(Math.trunc(v))
  if (typeof v === 'boolean') return v ? 1n : 0n
  return BigInt(v)
}

function encodeColumn(type: ColumnType, values: CellValue[]): Column {
  switch (type) {
    case 'BOOLEAN':
      return create(ColumnSchema, {
        colData: { case: 'booleanData', value: { data: values.map((v) => Boolean(v)) } },
      })
    case 'INT64':
      return create(ColumnSchema, {
        colData: { case: 'int64Data', value: { data: values.map(toBigInt) } },
      })
    case 'TIME64NS':
      return create(ColumnSchema, {
        colData: { case: 'time64nsData', value: { data: values.map(toBigInt) } },
      })
    case 'FLOAT64':
      return create(ColumnSchema, {
        colData: { case: 'float64Data', value: { data: values.map((v) => Number(v)) } },
      })
    case 'STRING':
      return create(ColumnSchema, {
        colData: { case: 'stringData', value: { data: values.map((v) => utf8.encode(String(v))) } },
      })
    case 'UINT128':
      return create(ColumnSchema, {
        colData: {
          case: 'uint128Data',
          value: { data: values.map((v) => create(UInt128Schema, uuidToUint128(String(v)))) },
        },
      })
  }
}

/** Rows [from, to) of `table` as one RowBatchData. */
export function batchOf(
  table: EngineTable,
  tableId: string,
  from: number,
  to: number,
  last: boolean
): RowBatchData {
  return create(RowBatchDataSchema, {
    tableId,
    cols: table.columns.map((c, i) => encodeColumn(c.type, (table.data[i] ?? []).slice(from, to))),
    numRows: BigInt(Math.max(0, to - from)),
    eow: last,
    eos: last,
  })
}
