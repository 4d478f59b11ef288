import { describe, expect, it } from 'vitest'
import { parseAbsoluteTime, parseDuration } from './time'

describe('parseDuration', () => {
  it('should parse the relative windows PxL scripts use', () => {
    expect(parseDuration('-60s')).toBe(-60_000_000_000n)
    expect(parseDuration('-5m')).toBe(-300_000_000_000n)
    expect(parseDuration('-1h')).toBe(-3_600_000_000_000n)
    expect(parseDuration('-500ms')).toBe(-500_000_000n)
    expect(parseDuration('-2d')).toBe(-172_800_000_000_000n)
    expect(parseDuration('10us')).toBe(10_000n)
    expect(parseDuration('7ns')).toBe(7n)
  })

  it('should parse compound and fractional durations exactly', () => {
    expect(parseDuration('-1h30m')).toBe(-5_400_000_000_000n)
    expect(parseDuration('1.5s')).toBe(1_500_000_000n)
    expect(parseDuration('-0.25ms')).toBe(-250_000n)
  })

  it('should return undefined for text that is not a duration', () => {
    for (const bad of ['', '-', '60', '-5x', 'five minutes', '--5m', '5m-'])
      expect(parseDuration(bad)).toBeUndefined()
  })
})

describe('parseAbsoluteTime', () => {
  it('should parse a UTC timestamp with fraction and zone', () => {
    // 2020-07-13T18:02:05Z is 1594663325 s since the epoch.
    expect(parseAbsoluteTime('2020-07-13 18:02:05.5 +0000')).toBe(1_594_663_325_500_000_000n)
    expect(parseAbsoluteTime('2020-07-13 18:02:5.00 +0000')).toBe(1_594_663_325_000_000_000n)
  })

  it('should apply a zone offset', () => {
    expect(parseAbsoluteTime('2020-07-13 20:02:05 +0200')).toBe(1_594_663_325_000_000_000n)
  })

  it('should return undefined for other text', () => {
    expect(parseAbsoluteTime('yesterday')).toBeUndefined()
  })
})
