import { describe, expect, it } from 'vitest'
import {
  coalescingFigures,
  coldStartFigures,
  FigureTable,
  imageOverheadExpected,
  imageOverheadFigures,
  imageOverheadFloorFigures,
  memoryFigures,
  overheadFigures,
  overheadFloorFigures,
  scalingFigures,
  type ColdStartOutcome,
} from './figures'
import type { BurstResult } from './coalescing'
import type { OverheadSamples } from './overhead'
import type { ScalingLevel } from './scaling'

const byId = (t: FigureTable, id: string) => t.figures.find((f) => f.id === id)

function outcome(unavailable: [string, string][] = []): ColdStartOutcome {
  const runs = (ms: number[], rssMb: number) =>
    ms.map((m) => ({ ms: m, rssBytes: rssMb * 2 ** 20, attempts: 5 }))
  return {
    samples: new Map([
      ['floor', runs([100, 98, 102], 45)],
      ['hono', runs([130, 128, 132], 54)],
      ['error-rate', runs([120, 130, 125], 56)],
      ['latency', runs([190, 170, 180], 61)],
    ]),
    floor: 'floor',
    hono: 'hono',
    functions: ['error-rate', 'latency', 'throughput'],
    unavailable: new Map([['throughput', 'exited early (code 1)'], ...unavailable]),
  }
}

describe('coldStartFigures', () => {
  const t = new FigureTable()
  coldStartFigures(t, outcome())

  it('should state each function as a multiple of the floor median of the same run', () => {
    expect(byId(t, 'cold_start.floor.ms')).toMatchObject({ value: 100, unit: 'ms', samples: 3 })
    expect(byId(t, 'cold_start.error-rate.x_floor')).toMatchObject({
      value: 1.25,
      goal: { met: true },
    })
    expect(byId(t, 'cold_start.latency.x_floor')).toMatchObject({
      value: 1.8,
      goal: { met: false },
    })
  })

  it('should keep an unmeasured function as n/a with the reason, never as met', () => {
    const row = byId(t, 'cold_start.throughput.x_floor')
    expect(row).toMatchObject({ value: null, note: 'exited early (code 1)', goal: { met: false } })
  })
})

describe('memoryFigures', () => {
  it('should check each function resident size against the node:http floor + 12 MB', () => {
    const t = new FigureTable()
    memoryFigures(t, outcome())
    expect(byId(t, 'rss.error-rate.mb')).toMatchObject({ value: 56 })
    expect(byId(t, 'rss.error-rate.over_floor_mb')).toMatchObject({
      value: 11,
      goal: { met: true },
    })
    expect(byId(t, 'rss.latency.over_floor_mb')).toMatchObject({ value: 16, goal: { met: false } })
    expect(byId(t, 'rss.throughput.over_floor_mb')).toMatchObject({
      value: null,
      goal: { met: false },
    })
  })
})

describe('overheadFigures', () => {
  const n = 100
  const samples = (vsDirectMs: number[]): OverheadSamples => ({
    functionMs: Array.from({ length: n }, (_, i) => 10 + i / 100),
    directMs: Array.from({ length: n }, () => 9),
    vsDirectMs,
    vsSimulatorMs: Array.from({ length: n }, () => 3),
    simulatorMs: Array.from({ length: n }, () => 7),
    pixieCalls: 110,
    requestsSent: 110,
    functionCpuMs: 55,
    failures: 0,
    nextSeq: 0,
    calls: [],
  })

  it('should put the goal on the p50 of the paired differences and report the p99', () => {
    const t = new FigureTable()
    overheadFigures(t, 'latency', samples(Array.from({ length: n }, (_, i) => 0.1 + i / 250)))
    const p50 = byId(t, 'overhead.latency.vs_direct.p50_ms')
    expect(p50?.value).toBeCloseTo(0.298)
    expect(p50?.goal?.met).toBe(true)
    const p99 = byId(t, 'overhead.latency.vs_direct.p99_ms')
    expect(p99?.value).toBeCloseTo(0.49204)
    expect(p99?.goal).toBeUndefined()
    expect(byId(t, 'overhead.latency.pixie_queries_per_request')?.value).toBe(1)
    expect(byId(t, 'overhead.latency.cpu_per_request_ms')).toMatchObject({ value: 0.5 })
  })

  it('should not meet the goal when the median pair costs more than 0.5 ms', () => {
    const t = new FigureTable()
    overheadFigures(t, 'latency', samples(Array.from({ length: n }, () => 0.6)))
    expect(byId(t, 'overhead.latency.vs_direct.p50_ms')?.goal?.met).toBe(false)
  })

  it('should report the floor fixture beside the goal rows without a goal of its own', () => {
    const t = new FigureTable()
    overheadFloorFigures(t, samples(Array.from({ length: n }, (_, i) => 0.2 + i / 1000)))
    const floor = byId(t, 'overhead.floor.vs_direct.p50_ms')
    expect(floor?.value).toBeCloseTo(0.25)
    expect(floor?.goal).toBeUndefined()
    expect(floor?.note).toMatch(/^p99 0\.29/)
  })
})

describe('imageOverheadFigures', () => {
  const samples = (vsDirectMs: number[]): OverheadSamples => ({
    functionMs: vsDirectMs.map((v) => 9 + v),
    directMs: vsDirectMs.map(() => 9),
    vsDirectMs,
    vsSimulatorMs: [],
    simulatorMs: [],
    pixieCalls: vsDirectMs.length,
    requestsSent: 200,
    functionCpuMs: 120,
    failures: 0,
    nextSeq: 0,
    calls: [],
  })
  const spread = (from: number, n = 101) => Array.from({ length: n }, (_, i) => from + i / 1000)

  it("should judge each function's p50 on the image's Node against the same 0.5 ms goal", () => {
    const t = new FigureTable()
    imageOverheadFigures(t, 'v24.22.3', 'latency', samples(spread(0.4)))
    imageOverheadFigures(t, 'v24.22.3', 'throughput', samples(spread(0.55)))
    const met = byId(t, 'overhead_image.latency.vs_direct.p50_ms')
    expect(met).toMatchObject({ value: 0.45, samples: 101, method: 'over-direct' })
    expect(met?.label).toContain('on v24.22.3')
    expect(met?.goal?.met).toBe(true)
    expect(met?.note).toMatch(/^p99 0\.499/)
    expect(byId(t, 'overhead_image.throughput.vs_direct.p50_ms')?.goal?.met).toBe(false)
    expect(byId(t, 'overhead_image.latency.cpu_per_request_ms')?.value).toBeCloseTo(0.6)
  })

  it('should report the floor on that Node without a goal', () => {
    const t = new FigureTable()
    imageOverheadFloorFigures(t, 'v24.22.3', samples(spread(0.3)))
    const floor = byId(t, 'overhead_image.floor.vs_direct.p50_ms')
    expect(floor).toMatchObject({ value: 0.35, method: 'over-floor' })
    expect(floor?.goal).toBeUndefined()
  })

  it('should leave every goal row n/a, never met, when the phase does not run', () => {
    const t = new FigureTable()
    t.missing('x', imageOverheadExpected(['error-rate', 'latency']), 'skipped: no image node')
    const goals = t.figures.filter((f) => f.goal)
    expect(goals.map((f) => f.id)).toEqual([
      'overhead_image.error-rate.vs_direct.p50_ms',
      'overhead_image.latency.vs_direct.p50_ms',
    ])
    expect(goals.every((f) => f.goal?.met === false && f.value === null)).toBe(true)
    expect(byId(t, 'overhead_image.floor.vs_direct.p50_ms')?.note).toBe('skipped: no image node')
  })
})

describe('coalescingFigures', () => {
  it('should judge the worst open-connection burst with Pixie time and report the others without a goal', () => {
    const t = new FigureTable()
    const burst = (pixieCalls: number, connections: 'warm' | 'fresh', ok = 100): BurstResult => ({
      connections,
      pixieCalls,
      ok,
      failures: ok === 100 ? {} : { 'HTTP 503': 100 - ok },
    })
    coalescingFigures(
      t,
      'error-rate',
      {
        'warm-slow': [burst(1, 'warm'), burst(2, 'warm')],
        'fresh-slow': [burst(4, 'fresh', 97)],
        'warm-fast': [burst(3, 'warm')],
      },
      100
    )
    expect(byId(t, 'coalescing.error-rate.warm-slow.pixie_queries')).toMatchObject({
      value: 2,
      goal: { met: false },
    })
    expect(byId(t, 'coalescing.error-rate.fresh-slow.pixie_queries')?.goal).toBeUndefined()
    expect(byId(t, 'coalescing.error-rate.fresh-slow.pixie_queries')?.note).toMatch(
      /3 of 100 requests not answered 200/
    )
    expect(byId(t, 'coalescing.error-rate.warm-fast.pixie_queries')?.value).toBe(3)
  })
})

describe('scalingFigures', () => {
  const level = (multiplier: number, rows: number, fn: number, cpu = 1.5): ScalingLevel => ({
    multiplier,
    rowsReturned: [rows, rows],
    rowsScanned: [1000 * multiplier],
    simulatorMs: [multiplier],
    functionMs: [multiplier + fn],
    pairedMs: [fn],
    vsDirectMs: [fn, fn],
    failures: 0,
    functionCpuMs: cpu * 200,
    requests: 200,
    floorVsDirectMs: [0.3 + multiplier / 100, 0.3 + multiplier / 100],
  })

  it('should meet the goals when rows stay the same and function time stays flat', () => {
    const t = new FigureTable()
    scalingFigures(t, [level(1, 1, 1.2), level(10, 1, 1.3), level(100, 1, 1.5)])
    expect(byId(t, 'scaling.rows_fetched_ratio')).toMatchObject({ value: 1, goal: { met: true } })
    expect(byId(t, 'scaling.function_time_growth_ms')?.value).toBeCloseTo(0.3)
    expect(byId(t, 'scaling.function_time_growth_ms')?.goal?.met).toBe(true)
  })

  it('should fail them when rows or function time grow with traffic', () => {
    const t = new FigureTable()
    scalingFigures(t, [level(1, 1, 1), level(100, 100, 9)])
    expect(byId(t, 'scaling.rows_fetched_ratio')).toMatchObject({
      value: 100,
      goal: { met: false },
    })
    expect(byId(t, 'scaling.function_time_growth_ms')).toMatchObject({
      value: 8,
      goal: { met: false },
    })
  })

  it("should report the function's CPU per request at each level and its growth, without a goal", () => {
    const t = new FigureTable()
    scalingFigures(t, [level(1, 1, 1, 1.6), level(100, 1, 2.2, 1.75)])
    expect(byId(t, 'scaling.x1.function_cpu_per_request_ms')?.value).toBeCloseTo(1.6)
    expect(byId(t, 'scaling.x100.function_cpu_per_request_ms')?.value).toBeCloseTo(1.75)
    expect(byId(t, 'scaling.function_cpu_growth_ms')).toMatchObject({ samples: 400 })
    expect(byId(t, 'scaling.function_cpu_growth_ms')?.value).toBeCloseTo(0.15)
    expect(byId(t, 'scaling.function_cpu_growth_ms')?.goal).toBeUndefined()
    expect(byId(t, 'scaling.x100.floor_vs_direct_p50_ms')?.value).toBeCloseTo(1.3)
    expect(byId(t, 'scaling.floor_time_growth_ms')?.value).toBeCloseTo(0.99)
    expect(byId(t, 'scaling.floor_time_growth_ms')?.goal).toBeUndefined()
  })
})
