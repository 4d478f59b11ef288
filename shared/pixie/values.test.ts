import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { create } from '@bufbuild/protobuf'
import { ColumnSchema, DataType } from './gen/vizierapi_pb'
import type { Column } from './gen/vizierapi_pb'
import {
  columnByteSize,
  columnTypeOf,
  dataTypeOf,
  decodeColumn,
  uint128ToUuid,
  uuidToUint128,
} from './values'
import { encodeColumn } from '../../simulator/vizier-wire/row-batch'

const col = (colData: Column['colData']) => create(ColumnSchema, { colData })

describe('uint128ToUuid', () => {
  it("should render Pixie's UI test vector as the same UUID", () => {
    expect(uint128ToUuid(77311094061n, 34858981n)).toBe('00000012-0019-ad2d-0000-00000213e7e5')
  })

  it('should render the byte order big-endian high then low', () => {
    expect(uint128ToUuid(0x0011223344556677n, 0x8899aabbccddeeffn)).toBe(
      '00112233-4455-6677-8899-aabbccddeeff'
    )
  })

  it('should round-trip any 128-bit value through uuidToUint128', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
        fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
        (high, low) => {
          expect(uuidToUint128(uint128ToUuid(high, low))).toEqual({ high, low })
        }
      )
    )
  })

  it('should refuse a string that is not a UUID', () => {
    expect(() => uuidToUint128('not-a-uuid')).toThrow(TypeError)
  })
})

describe('columnTypeOf', () => {
  it('should name every known data type and round-trip through dataTypeOf', () => {
    for (const name of ['BOOLEAN', 'INT64', 'UINT128', 'FLOAT64', 'STRING', 'TIME64NS'] as const) {
      expect(columnTypeOf(dataTypeOf(name))).toBe(name)
    }
  })

  it('should return undefined for DATA_TYPE_UNKNOWN and unknown numbers', () => {
    expect(columnTypeOf(DataType.DATA_TYPE_UNKNOWN)).toBeUndefined()
    expect(columnTypeOf(42 as DataType)).toBeUndefined()
  })
})

describe('decodeColumn', () => {
  it('should keep INT64 and TIME64NS exact beyond 2^53 as bigint', () => {
    const big = 1_700_000_000_123_456_789n
    expect(decodeColumn(col({ case: 'int64Data', value: { data: [big, -big] } } as never))).toEqual(
      [big, -big]
    )
    const [t] = decodeColumn(encodeColumn('TIME64NS', [2n ** 53n + 1n]))
    expect(t).toBe(9007199254740993n)
  })

  it('should decode STRING bytes as UTF-8', () => {
    const values = decodeColumn(encodeColumn('STRING', ['plain', 'grüße', '日本', '']))
    expect(values).toEqual(['plain', 'grüße', '日本', ''])
  })

  it('should decode UINT128 as UUID strings', () => {
    const column = col({
      case: 'uint128Data',
      value: { data: [{ high: 77311094061n, low: 34858981n }] },
    } as never)
    expect(decodeColumn(column)).toEqual(['00000012-0019-ad2d-0000-00000213e7e5'])
  })

  it('should pass BOOLEAN and FLOAT64 through, NaN and Infinity included', () => {
    expect(decodeColumn(encodeColumn('BOOLEAN', [true, false]))).toEqual([true, false])
    expect(decodeColumn(encodeColumn('FLOAT64', [0.25, NaN, Infinity]))).toEqual([
      0.25,
      NaN,
      Infinity,
    ])
  })

  it('should decode what encodeColumn encoded, for every column type', () => {
    const uuid = '00112233-4455-6677-8899-aabbccddeeff'
    expect(decodeColumn(encodeColumn('UINT128', [uuid]))).toEqual([uuid])
    expect(decodeColumn(encodeColumn('INT64', [3, -4n]))).toEqual([3n, -4n])
  })
})

describe('columnByteSize', () => {
  it('should count payload bytes by type', () => {
    expect(columnByteSize(encodeColumn('BOOLEAN', [true, false, true]))).toBe(3)
    expect(columnByteSize(encodeColumn('INT64', [1, 2]))).toBe(16)
    expect(columnByteSize(encodeColumn('FLOAT64', [1]))).toBe(8)
    expect(columnByteSize(encodeColumn('UINT128', ['00000012-0019-ad2d-0000-00000213e7e5']))).toBe(
      16
    )
    expect(columnByteSize(encodeColumn('STRING', ['ab', 'ü']))).toBe(4)
  })
})
