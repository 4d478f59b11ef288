import { describe, expect, it } from 'vitest'
import { parseOptions } from './options'

describe('parseOptions', () => {
  it('should default to the full run with 15 cold-start rounds', () => {
    const o = parseOptions([], {})
    expect(o).toMatchObject({ quick: false, runs: 15, concurrency: 10, burst: 100 })
    expect(o.multipliers).toEqual([1, 10, 100])
  })

  it('should shrink every phase for --quick and for BENCH_QUICK=1', () => {
    const full = parseOptions([], {})
    for (const quick of [parseOptions(['--quick'], {}), parseOptions([], { BENCH_QUICK: '1' })]) {
      expect(quick.quick).toBe(true)
      expect(quick.runs).toBeLessThan(full.runs)
      expect(quick.loadSeconds).toBeLessThan(full.loadSeconds)
    }
  })

  it('should take BENCH_RUNS and BENCH_SEED from the environment', () => {
    expect(parseOptions([], { BENCH_RUNS: '7', BENCH_SEED: '99' })).toMatchObject({
      runs: 7,
      seed: 99,
    })
  })

  it('should refuse a bad number with the variable name', () => {
    expect(() => parseOptions([], { BENCH_RUNS: 'ten' })).toThrow(
      /BENCH_RUNS must be a positive integer, got "ten"/
    )
    expect(() => parseOptions([], { BENCH_LOAD_SECONDS: '-1' })).toThrow(/BENCH_LOAD_SECONDS/)
  })

  it('should refuse an unknown argument and show the usage', () => {
    expect(() => parseOptions(['--fast'], {})).toThrow(/unknown argument "--fast"[\s\S]*--quick/)
  })
})
