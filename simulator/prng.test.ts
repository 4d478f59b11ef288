import { describe, expect, it } from 'vitest'
import { hashSeed, mulberry32, normal, pickIndex, randomString, randomUuid, rngFor } from './prng'

describe('prng', () => {
  it('should give the same sequence for the same seed and a different one for another seed', () => {
    const a = mulberry32(42)
    const b = mulberry32(42)
    const c = mulberry32(43)
    const seqA = Array.from({ length: 5 }, a)
    expect(Array.from({ length: 5 }, b)).toEqual(seqA)
    expect(Array.from({ length: 5 }, c)).not.toEqual(seqA)
    for (const x of seqA) expect(x >= 0 && x < 1).toBe(true)
  })

  it('should derive distinct, stable streams from hashed parts', () => {
    expect(hashSeed(1, 'main', 0, 100)).toBe(hashSeed(1, 'main', 0, 100))
    expect(hashSeed(1, 'main', 0, 100)).not.toBe(hashSeed(1, 'main', 0, 101))
    expect(hashSeed(1, 'ab', 'c')).not.toBe(hashSeed(1, 'a', 'bc'))
    expect(rngFor(5, 'x')()).toBe(rngFor(5, 'x')())
  })

  it('should pick keys in proportion to their weights', () => {
    const rng = mulberry32(1)
    const counts = [0, 0, 0]
    for (let i = 0; i < 20_000; i++) counts[pickIndex([1, 4, 5], rng)]! += 1
    expect(counts[0]! / 20_000).toBeCloseTo(0.2, 1)
    expect(counts[1]! / 20_000).toBeCloseTo(0.6, 1)
    expect(counts[2]! / 20_000).toBeCloseTo(0.2, 1)
  })

  it('should draw standard normal deviates', () => {
    const rng = mulberry32(3)
    const xs = Array.from({ length: 20_000 }, () => normal(rng))
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length
    const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length
    expect(Math.abs(mean)).toBeLessThan(0.05)
    expect(variance).toBeCloseTo(1, 1)
  })

  it('should make suffixes from the alphabet and version-4 shaped UUIDs', () => {
    expect(randomString(mulberry32(1), 'bcd', 5)).toMatch(/^[bcd]{5}$/)
    expect(randomUuid(mulberry32(1))).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
    )
  })
})
