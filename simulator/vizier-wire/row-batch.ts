/**
 * Row batches as Vizier sends them, from plain values: the inverse of shared/pixie/values.ts, for
 * code that plays Vizier's side (the gRPC test double, the client's tests). It lives outside the
 * client library because no function ever encodes a batch.
 */
import { create } from '@bufbuild/protobuf'
import {
  ColumnSchema,
  RowBatchDataSchema,
  UInt128Schema,
} from '../../shared/pixie/gen/vizierapi_pb'
import type { Column, RowBatchData } from '../../shared/pixie/gen/vizierapi_pb'
import type { ColumnType } from '../../shared/pixie/types'
import { uuidToUint128 } from '../../shared/pixie/values'

/**
 * A value a producer may hand in for a column. Besides the decoded CellValue forms, INT64 and
 * TIME64NS accept safe integers as numbers and UINT128 accepts a {high, low} pair.
 */
export type EncodableValue = boolean | bigint | number | string | { high: bigint; low: bigint }

const utf8 = new TextEncoder()

function fail(type: ColumnType, value: unknown): never {
  const shown = typeof value === 'bigint' ? `${value}n` : JSON.stringify(value)
  throw new TypeError(`cannot encode ${shown} as ${type}`)
}

function toInt64(type: ColumnType, value: EncodableValue): bigint {
  if (typeof value === 'bigint') return BigInt.asIntN(64, value)
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value)
  return fail(type, value)
}

/** Builds a protobuf Column of the given type from values; throws a TypeError on a wrong value. */
export function encodeColumn(type: ColumnType, values: readonly EncodableValue[]): Column {
  switch (type) {
    case 'BOOLEAN':
      return create(ColumnSchema, {
        colData: {
          case: 'booleanData',
          value: { data: values.map((v) => (typeof v === 'boolean' ? v : fail(type, v))) },
        },
      })
    case 'INT64':
    case 'TIME64NS':
      return create(ColumnSchema, {
        colData: {
          case: type === 'INT64' ? 'int64Data' : 'time64nsData',
          value: { data: values.map((v) => toInt64(type, v)) },
        },
      })
    case 'FLOAT64':
      return create(ColumnSchema, {
        colData: {
          case: 'float64Data',
          value: { data: values.map((v) => (typeof v === 'number' ? v : fail(type, v))) },
        },
      })
    case 'STRING':
      return create(ColumnSchema, {
        colData: {
          case: 'stringData',
          value: {
            data: values.map((v) => (typeof v === 'string' ? utf8.encode(v) : fail(type, v))),
          },
        },
      })
    case 'UINT128':
      return create(ColumnSchema, {
        colData: {
          case: 'uint128Data',
          value: {
            data: values.map((v) => {
              if (typeof v === 'string') return create(UInt128Schema, uuidToUint128(v))
              if (typeof v === 'object' && v !== null) return create(UInt128Schema, v)
              return fail(type, v)
            }),
          },
        },
      })
  }
}

/**
 * Builds one RowBatchData from column-major data (data[i] holds column i's values). Every column
 * must have the same length; that length becomes num_rows.
 */
export function encodeRowBatch(
  tableId: string,
  columns: ReadonlyArray<{ type: ColumnType }>,
  data: ReadonlyArray<readonly EncodableValue[]>,
  flags: { eow?: boolean; eos?: boolean } = {}
): RowBatchData {
  if (data.length !== columns.length) {
    throw new TypeError(`expected ${columns.length} columns of data, got ${data.length}`)
  }
  const numRows = data[0]?.length ?? 0
  const cols = columns.map((c, i) => {
    const values = data[i] ?? []
    if (values.length !== numRows) {
      throw new TypeError(`column ${i} has ${values.length} values, column 0 has ${numRows}`)
    }
    return encodeColumn(c.type, values)
  })
  return create(RowBatchDataSchema, {
    tableId,
    cols,
    numRows: BigInt(numRows),
    eow: flags.eow ?? false,
    eos: flags.eos ?? false,
  })
}
