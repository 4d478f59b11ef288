// px.quantiles must be what Pixie computes: QuantilesUDA (pixie-io/pixie
// src/carnot/funcs/builtins/math_sketches.h: TDigest(1000), one add per value, Finalize writes
// p01..p99 with rapidjson's Writer) over pixie-io/tdigest tdigest.h (the commit pinned in
// pixie-io/pixie bazel/repository_locations.bzl). The expected strings below are the outputs of
// that C++ (tdigest.h compiled with a harness doing what Finalize does); two of the inputs are
// Pixie's own unit-test inputs (pixie-io/pixie src/carnot/funcs/builtins/math_sketches_test.cc).
import { describe, expect, it } from 'vitest'
import { DBL_MIN_POSITIVE, formatJsonDouble, quantilesJson, TDigest } from './tdigest'

const KEYS = ['p01', 'p10', 'p25', 'p50', 'p75', 'p90', 'p99']

describe('px.quantiles: the worked examples', () => {
  it.each([
    [[5], '{"p01":5.0,"p10":5.0,"p25":5.0,"p50":5.0,"p75":5.0,"p90":5.0,"p99":5.0}'],
    // p25: rank 0.5 is exactly half the first weight (the C++'s out-of-bounds read) -> the min.
    [[1, 2], '{"p01":1.0,"p10":1.0,"p25":1.0,"p50":1.5,"p75":2.0,"p90":2.0,"p99":2.0}'],
    [
      [10, 20, 30, 40],
      '{"p01":10.0,"p10":10.0,"p25":15.0,"p50":25.0,"p75":35.0,"p90":40.0,"p99":40.0}',
    ],
    [
      [100, 200, 300, 400, 500, 600, 700, 800, 900, 1000],
      '{"p01":100.0,"p10":150.0,"p25":300.0,"p50":550.0,"p75":800.0,"p90":950.0,"p99":1000.0}',
    ],
    // Pixie's test input; p90 is the double 5.7999999999999998, as Pixie's test expects.
    [
      [1, 2, 2, 1, 1, 5, 6],
      '{"p01":1.0,"p10":1.0,"p25":1.0,"p50":2.0,"p75":4.25,"p90":5.8,"p99":6.0}',
    ],
    [
      [1.234, 2.442, 1.04, 5.322, 6.333],
      '{"p01":1.04,"p10":1.04,"p25":1.1855,"p50":2.442,"p75":5.57475,"p90":6.333,"p99":6.333}',
    ],
    [
      [1500000, 2500000, 3000000, 12000000],
      '{"p01":1500000.0,"p10":1500000.0,"p25":2000000.0,"p50":2750000.0,"p75":7500000.0,"p90":12000000.0,"p99":12000000.0}',
    ],
  ])('should turn %j into %s', (values, json) => {
    expect(quantilesJson(values)).toBe(json)
  })

  it('should serialise no values as the truncated string rapidjson leaves at the first NaN', () => {
    expect(quantilesJson([])).toBe('{"p01":')
    // NaN inputs are dropped, so only-NaN input is empty input too.
    expect(quantilesJson([NaN, NaN])).toBe('{"p01":')
  })

  it('should report the smallest positive double as the right tail when every value is <= 0', () => {
    expect(quantilesJson([0, 0, 0])).toBe(
      '{"p01":0.0,"p10":0.0,"p25":0.0,"p50":0.0,"p75":0.0,"p90":2.2250738585072014e-308,"p99":2.2250738585072014e-308}'
    )
    const negative = JSON.parse(quantilesJson([-5, -3])) as Record<string, number>
    expect(negative.p90).toBe(DBL_MIN_POSITIVE)
    expect(negative.p99).toBe(DBL_MIN_POSITIVE)
    expect(negative.p01).toBe(-5)
  })

  it('should give the same double as Grisu2 where rapidjson prints more digits', () => {
    // rapidjson prints p75 of [0.1, 0.2, 0.3] as 0.27499999999999999: the same double.
    const q = JSON.parse(quantilesJson([0.1, 0.2, 0.3])) as Record<string, number>
    expect(q.p75).toBe(0.27499999999999999)
    expect(q.p75).toBe(0.27499999999999997)
  })
})

describe('px.quantiles: small groups', () => {
  it('should interpolate at position q*n - 1/2, so p99 is the maximum up to n = 50', () => {
    // 98 requests near 10 ms, one at 200 ms, one at 5 s: rank 99 - 0.5 lies halfway between the
    // 200 ms and the 5 s value, so Pixie's p99 is 2,600 ms (type-7 interpolation gives 248 ms).
    const ms = [...Array.from({ length: 98 }, (_, i) => 9.5 + i / 98), 200, 5000]
    const q = JSON.parse(quantilesJson(ms)) as Record<string, number>
    expect(q.p99).toBe(2600)
    const fifty = Array.from({ length: 50 }, (_, i) => i + 1)
    expect((JSON.parse(quantilesJson(fifty)) as Record<string, number>).p99).toBe(50)
    const five = [3, 1, 4, 1, 5]
    expect((JSON.parse(quantilesJson(five)) as Record<string, number>).p90).toBe(5)
  })

  it('should keep every value as its own centroid up to 1,273 values and merge from 1,274', () => {
    const digest = (n: number) => {
      const d = new TDigest()
      for (let i = 0; i < n; i++) d.add(i)
      return d
    }
    expect(digest(1273).centroidCount()).toBe(1273)
    expect(digest(1274).centroidCount()).toBeLessThan(1274)
    // Compression keeps at most 2 x 1000 centroids however many values arrive.
    expect(digest(20000).centroidCount()).toBeLessThanOrEqual(2000)
  })

  it('should keep equal values apart and report them exactly', () => {
    expect(quantilesJson([3, 3, 3, 3])).toBe(
      '{"p01":3.0,"p10":3.0,"p25":3.0,"p50":3.0,"p75":3.0,"p90":3.0,"p99":3.0}'
    )
  })
})

/** MINSTD, the generator the C++ harness used for the inputs below. */
function inputs(n: number, mode: 0 | 1 | 2): number[] {
  let x = 12345 + n + mode * 7
  const out: number[] = []
  for (let i = 0; i < n; i++) {
    x = (x * 48271) % 2147483647
    out.push(mode === 0 ? 1000000 + (x % 300000000) : mode === 1 ? (x % 1000003) / 997 : x % 37)
  }
  return out
}

describe('px.quantiles: merged centroids', () => {
  // Outputs of tdigest.h (printf %.17g) for the same inputs in the same order.
  it.each([
    [
      1276,
      0,
      [
        4836871.9000000004, 29188050.800000004, 71280325.5, 147187324.5, 224731439.5,
        273898055.10000002, 299101521.13999999,
      ],
    ],
    [
      4001,
      1,
      [
        11.086459378134403, 101.74978268137748, 248.77714142427286, 497.14362532040565,
        755.59625877632902, 906.27872506408119, 989.33596790371121,
      ],
    ],
    [
      8001,
      0,
      [
        4182004.8275000001, 27574576.448979594, 68761639.637500018, 145559137.46180555,
        223880810.63749999, 271113281.59183675, 298453470.23750001,
      ],
    ],
    [8001, 2, [0, 3, 9, 18, 27, 33, 36]],
  ] as const)('should equal the C++ bit for bit for n = %i (inputs %i)', (n, mode, expected) => {
    const q = JSON.parse(quantilesJson(inputs(n, mode))) as Record<string, number>
    expect(KEYS.map((k) => q[k])).toEqual(expected)
  })

  it('should not depend on arrival order up to 8,001 values', () => {
    const values = inputs(8001, 0)
    const reversed = [...values].reverse()
    const sorted = [...values].sort((a, b) => a - b)
    const json = quantilesJson(values)
    expect(quantilesJson(reversed)).toBe(json)
    expect(quantilesJson(sorted)).toBe(json)
  })
})

describe('formatJsonDouble', () => {
  it('should print numbers the way rapidjson Writer does', () => {
    expect(formatJsonDouble(5)).toBe('5.0')
    expect(formatJsonDouble(0)).toBe('0.0')
    expect(formatJsonDouble(-0)).toBe('-0.0')
    expect(formatJsonDouble(1500000)).toBe('1500000.0')
    expect(formatJsonDouble(1e20)).toBe('100000000000000000000.0')
    expect(formatJsonDouble(1e21)).toBe('1e21')
    expect(formatJsonDouble(5.061728394506173e21)).toBe('5.061728394506173e21')
    expect(formatJsonDouble(0.000001)).toBe('0.000001')
    expect(formatJsonDouble(1e-7)).toBe('1e-7')
    expect(formatJsonDouble(5.5e-7)).toBe('5.5e-7')
    expect(formatJsonDouble(61.7280005)).toBe('61.7280005')
  })
})
