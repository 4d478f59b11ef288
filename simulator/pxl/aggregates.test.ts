import { describe, expect, it } from 'vitest'
import { groupRows } from './aggregates'

describe('groupRows', () => {
  it('should number groups in order of first appearance', () => {
    const g = groupRows([['b', 'a', 'b', 'c', 'a']], 5)
    expect(Array.from(g.ids)).toEqual([0, 1, 0, 2, 1])
    expect(g.firstRows).toEqual([0, 1, 3])
  })

  it('should group on several keys of different types', () => {
    const g = groupRows(
      [
        ['x', 'x', 'y', 'x'],
        [1n, 2n, 1n, 1n],
      ],
      4
    )
    expect(Array.from(g.ids)).toEqual([0, 1, 2, 0])
    expect(g.count).toBe(3)
  })

  it('should put equal int64 keys in one group', () => {
    const g = groupRows([[1n, 1n, 2n]], 3)
    expect(g.count).toBe(2)
  })
})
