// Runs the comparison calls (both sides in one request of the constant script) and the request
// filters on the simulator's PxL engine (a test-only dependency), then decodes them like a
// function does. This checks the PxL's meaning: the latency buckets PxL computes are the ones
// shared/stats expects, filters select what they say, and each side sees only its own pods.
import { describe, expect, it } from 'vitest'
import { parseRequestFilters } from './filters'
import type { RequestFilters } from './filters'
import type { ScriptResult } from './pixie/types'
import type { Selector } from './selector'
import { bucketIndex, LATENCY_BUCKET_LOWER_NS, LATENCY_BUCKET_MAX_NS } from './stats'
import { httpEventsSource, runOnEngine } from '../test/helpers/engine'
import type { HttpEvent, PodMetadata } from '../test/helpers/engine'
import { buildComparisonCall, decodeComparison } from './comparison'
import { DEFAULT_EXCLUDED_PATHS } from './pxl/exclusion'
import { buildHttpStatsCall } from './pxl/request'
import type { PxlCall } from './pxl/request'
import { decodeHttpStats, expectedSelectorEcho } from './pxl/result'

// Pod 1: the canary replicaset web-6d8f9; pod 2: stable web-55c7f; pod 3: stable in another ns.
const PODS: PodMetadata[] = [
  { pod: 'shop/web-6d8f9-abcde', namespace: 'shop', replicaset: 'shop/web-6d8f9', service: '' },
  { pod: 'shop/web-55c7f-xyz12', namespace: 'shop', replicaset: 'shop/web-55c7f', service: '' },
  { pod: 'other/web-55c7f-q', namespace: 'other', replicaset: 'other/web-55c7f', service: '' },
]

type Event = HttpEvent

const execute = (call: PxlCall, events: Event[]): ScriptResult =>
  runOnEngine(call, httpEventsSource(events, PODS))

const canaryRs: Selector = { kind: 'replicaset', namespace: 'shop', replicaset: 'web-6d8f9' }
const stableRs: Selector = { kind: 'replicaset', namespace: 'shop', replicaset: 'web-55c7f' }

function compare(events: Event[], latencyBuckets: boolean, filters?: RequestFilters) {
  const call = buildComparisonCall(
    {
      selector: canaryRs,
      baseline: stableRs,
      windowSeconds: 60,
      excludedPaths: DEFAULT_EXCLUDED_PATHS,
      errorMinStatus: 400,
      ...(filters === undefined ? {} : { filters }),
    },
    'test',
    { latencyBuckets }
  )
  return decodeComparison(execute(call, events), call.comparison)
}

/** Stats of the canary alone, without a baseline (the plain query), with filters. */
function plain(events: Event[], filters: RequestFilters) {
  const call = buildHttpStatsCall(
    {
      selector: canaryRs,
      windowSeconds: 60,
      excludedPaths: DEFAULT_EXCLUDED_PATHS,
      errorMinStatus: 400,
      filters,
    },
    'test'
  )
  return decodeHttpStats(execute(call, events), call.outputTable, expectedSelectorEcho(call))
}

describe('comparison PxL on the engine', () => {
  it('should measure each side over its own pods in one request', () => {
    const events: Event[] = [
      { pod: 1, status: 500 },
      { pod: 1 },
      { pod: 2 },
      { pod: 2 },
      { pod: 2, status: 404 },
      { pod: 3, status: 500 },
      { pod: 1, role: 1, status: 500 },
      { pod: 2, path: '/healthz', status: 500 },
    ]
    for (const latencyBuckets of [false, true]) {
      const sides = compare(events, latencyBuckets)
      expect(sides.canary.stats).toMatchObject({ requests: 2, errors: 1 })
      expect(sides.baseline.stats).toMatchObject({ requests: 3, errors: 1 })
    }
  })

  it('should put every latency in the bucket shared/stats computes for it', () => {
    const latencies: bigint[] = [0n, 1n, 500n, 1023n, 1024n, 1025n, 10_000_000n]
    for (const bound of LATENCY_BUCKET_LOWER_NS.slice(1)) {
      latencies.push(BigInt(bound) - 1n, BigInt(bound), BigInt(bound) + 1n)
    }
    latencies.push(BigInt(LATENCY_BUCKET_MAX_NS) * 4n, 2n ** 62n)
    const events = latencies.map((latencyNs) => ({ pod: 1, latencyNs }))
    const sides = compare([...events, { pod: 2 }], true)
    const expected = new Array<number>(110).fill(0)
    for (const ns of latencies) expected[bucketIndex(ns)]! += 1
    expect(sides.canary.buckets).toEqual(expected)
    expect(sides.canary.stats.requests).toBe(latencies.length)
    // Every bucket of the scheme was hit (the ±1 around each bound), so 110 rows came back.
    expect(sides.canary.buckets?.every((n) => n > 0)).toBe(true)
    expect(sides.baseline.buckets?.[bucketIndex(10_000_000)]).toBe(1)
  })

  it('should return no bucket rows and a zero summary for a side without traffic', () => {
    const sides = compare([{ pod: 2 }, { pod: 3 }], true)
    expect(sides.canary.stats).toEqual({ requests: 0, errors: 0, latencyNs: null })
    expect(sides.canary.buckets?.every((n) => n === 0)).toBe(true)
  })

  it('should apply the path and method filters inside PxL, on both sides', () => {
    const events: Event[] = [
      { pod: 1, path: '/orders/12/items', method: 'POST', status: 500 },
      { pod: 1, path: '/orders/12/items?x=1', method: 'POST' },
      { pod: 1, path: '/orders/12/items', method: 'GET', status: 500 },
      { pod: 1, path: '/orders//items', method: 'POST', status: 500 },
      { pod: 1, path: '/orders/12/items/7', method: 'POST', status: 500 },
      { pod: 1, path: '/api/cart', method: 'POST', status: 500 },
      { pod: 2, path: '/orders/9/items', method: 'POST' },
      { pod: 2, path: '/orders/9/items', method: 'DELETE', status: 500 },
    ]
    const both = parseRequestFilters({ path: '/orders/*/items', method: 'POST' })
    const sides = compare(events, true, both)
    expect(sides.canary.stats).toMatchObject({ requests: 2, errors: 1 })
    expect(sides.baseline.stats).toMatchObject({ requests: 1, errors: 0 })
    expect(plain(events, both)).toMatchObject({ requests: 2, errors: 1 })
    expect(plain(events, parseRequestFilters({ path: '/orders/*/items' }))).toMatchObject({
      requests: 3,
      errors: 2,
    })
    expect(plain(events, parseRequestFilters({ method: 'GET' }))).toMatchObject({
      requests: 1,
      errors: 1,
    })
    expect(plain(events, parseRequestFilters({}))).toMatchObject({ requests: 6, errors: 5 })
  })

  it('should keep excluding health-check paths when filtering by path', () => {
    const events: Event[] = [
      { pod: 1, path: '/healthz' },
      { pod: 1, path: '/healthz' },
    ]
    expect(plain(events, parseRequestFilters({ path: '/healthz' })).requests).toBe(0)
  })

  it('should match a filter literally, whatever regex characters the path holds', () => {
    const events: Event[] = [
      { pod: 1, path: '/v1.0/(x)+' },
      { pod: 1, path: '/v1x0/(x)+' },
      { pod: 1, path: '/v1.0/xx' },
    ]
    expect(plain(events, parseRequestFilters({ path: '/v1.0/(x)+' })).requests).toBe(1)
  })
})
