import { describe, expect, it } from 'vitest'
import { decodeColumn } from '../../shared/pixie/values'
import { encodeColumn, encodeRowBatch } from './row-batch'

describe('encodeColumn', () => {
  it('should refuse to encode a value of the wrong kind', () => {
    expect(() => encodeColumn('INT64', [1.5])).toThrow(TypeError)
    expect(() => encodeColumn('STRING', [1])).toThrow(TypeError)
  })
})

describe('encodeRowBatch', () => {
  it('should set num_rows from the columns and carry the end-of-window/stream flags', () => {
    const batch = encodeRowBatch(
      't1',
      [{ type: 'STRING' }, { type: 'INT64' }],
      [
        ['a', 'b'],
        [1, 2n],
      ],
      { eos: true }
    )
    expect(batch.tableId).toBe('t1')
    expect(batch.numRows).toBe(2n)
    expect(batch.eos).toBe(true)
    expect(batch.eow).toBe(false)
    expect(batch.cols.map((c) => decodeColumn(c))).toEqual([
      ['a', 'b'],
      [1n, 2n],
    ])
  })

  it('should refuse columns of different lengths or a missing column', () => {
    expect(() =>
      encodeRowBatch('t', [{ type: 'INT64' }, { type: 'INT64' }], [[1, 2], [3]])
    ).toThrow(TypeError)
    expect(() => encodeRowBatch('t', [{ type: 'INT64' }, { type: 'INT64' }], [[1]])).toThrow(
      TypeError
    )
  })
})
