import { describe, expect, it } from 'vitest'
import { checkGoal, formatValue, renderTable, wrap, type Figure } from './report'

describe('checkGoal', () => {
  it('should report a value at or under a <= threshold as met with its ratio', () => {
    expect(checkGoal(150, '<=', 200, '<= 200 KB')).toMatchObject({ met: true, ratio: 0.75 })
    expect(checkGoal(200, '<=', 200, '<= 200 KB').met).toBe(true)
  })

  it('should report a value over a <= threshold as not met', () => {
    expect(checkGoal(3, '<=', 2, '<= 2 ms')).toMatchObject({ met: false, ratio: 1.5 })
  })

  it('should require equality for an == goal', () => {
    expect(checkGoal(1, '==', 1, '1 query').met).toBe(true)
    expect(checkGoal(3, '==', 1, '1 query')).toMatchObject({ met: false, ratio: 3 })
  })

  it('should never count a missing value as met', () => {
    expect(checkGoal(null, '<=', 60, '<= 60 MB')).toMatchObject({ met: false, ratio: null })
    expect(checkGoal(Number.NaN, '<=', 60, '<= 60 MB').met).toBe(false)
  })
})

describe('formatValue', () => {
  it('should print integers plainly and missing values as n/a', () => {
    expect(formatValue(204800)).toBe('204,800')
    expect(formatValue(null)).toBe('n/a')
    expect(formatValue(1.23456)).toBe('1.235')
    expect(formatValue(190480.5)).toBe('190,481')
  })
})

describe('renderTable', () => {
  const figures: Figure[] = [
    {
      id: 'size.a',
      section: 'bundle size',
      label: 'a minified',
      value: 150,
      unit: 'KB',
      samples: 1,
      method: 'M1',
      goal: checkGoal(150, '<=', 200, '<= 200 KB'),
    },
    {
      id: 'rss.a',
      section: 'memory',
      label: 'a RSS',
      value: null,
      unit: 'MB',
      samples: 0,
      method: 'M2',
      goal: checkGoal(null, '<=', 60, '<= 60 MB'),
      note: 'no /proc on this machine',
    },
  ]
  const text = renderTable(figures, { M1: 'sizes from disk', M2: 'VmRSS' })

  it('should show each figure with unit, sample count, goal and status', () => {
    expect(text).toMatch(/a minified\s+150\s+KB\s+1\s+M1\s+<= 200 KB\s+met \(0\.75 of goal\)/)
  })

  it('should mark an unmeasured goal row as not met and print its note', () => {
    expect(text).toMatch(/a RSS \(\*1\)\s+n\/a.*NOT MET \(not measured\)/)
    expect(text).toContain('(*1) no /proc on this machine')
  })

  it('should number a repeated note once', () => {
    const same = {
      section: 's',
      unit: 'ms',
      samples: 0,
      method: 'M1',
      value: null,
      note: 'simulator unavailable',
    }
    const out = renderTable(
      [
        { ...same, id: 'a', label: 'a' },
        { ...same, id: 'b', label: 'b' },
      ],
      {}
    )
    expect(out).toMatch(/a \(\*1\)[\s\S]*b \(\*1\)/)
    expect(out.match(/simulator unavailable/g)).toHaveLength(1)
  })

  it('should explain every method used and count the goals met', () => {
    expect(text).toContain('M1: sizes from disk')
    expect(text).toContain('M2: VmRSS')
    expect(text).toContain('goals met: 1 of 2')
  })
})

describe('wrap', () => {
  it('should break long text at word boundaries within the width and indent continuations', () => {
    const text = 'alpha beta gamma delta epsilon zeta eta theta'
    const lines = wrap(text, 16, '  ').split('\n')
    expect(lines.length).toBeGreaterThan(1)
    expect(lines.every((l) => l.length <= 16)).toBe(true)
    expect(lines.slice(1).every((l) => l.startsWith('  '))).toBe(true)
    expect(lines.join(' ').split(/\s+/).filter(Boolean).join(' ')).toBe(text)
  })

  it('should keep the leading indentation of the first line', () => {
    expect(wrap('  key: some text', 100, '    ')).toBe('  key: some text')
  })
})
