// The tail regression of scenarios/latency-regression.json asked of the bundled latency function
// (dist/latency.mjs) against the Vizier simulator, as a user or Argo asks it: a canary faster at
// the median (8 ms) whose slowest 3 % take 6 s, against a baseline with median 20 ms and p99
// 80 ms, 10 rps per pod over a 5-minute window, is worse at quantile=p99, decided by the tail;
// a canary identical to stable is not_worse. The simulator's clock is frozen, so the outcome
// depends only on the scenario's seed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FROZEN_NOW_NS } from '../comparison/engine'
import { readScenario, startStack } from './stack'
import type { Stack } from './stack'

const STABLE = '5b9d7c6f48'
const TAIL = '9c7b5d8f6'
const SAME = '7d9f8c6b5'

describe('the 6 s tail through the bundled latency function', () => {
  let stack: Stack

  beforeAll(async () => {
    stack = await startStack(readScenario('latency-regression'), {}, { clock: () => FROZEN_NOW_NS })
  }, 60_000)

  afterAll(async () => {
    await stack?.close()
  })

  async function ask(hash: string, extra = ''): Promise<Record<string, any>> {
    const url =
      `${stack.functions.latency.url}/?namespace=default&rollout=canary-demo&hash=${hash}` +
      `&baseline_hash=${STABLE}&window=5m&quantile=p99${extra}`
    const res = await fetch(url, { signal: AbortSignal.timeout(20_000) })
    expect(res.status).toBe(200)
    return (await res.json()) as Record<string, any>
  }

  it('should answer worse at p99, decided by the tail, though the canary is faster at the median', async () => {
    const json = await ask(TAIL, '&looks=10')
    const latency = json.comparison.latency
    expect(latency.verdict).toBe('worse')
    expect(latency.decided_by).toBe('tail')
    expect(latency.reason).toMatch(/^canary slower in the tail: /)
    expect(latency.looks).toBe(10)
    expect(latency.alpha_per_test).toBeCloseTo(0.05 / 20, 12)
    // Pixie's own p99: seconds against the baseline's ~80 ms.
    expect(json.value).toBeGreaterThan(1000)
    expect(latency.ratio).toBeGreaterThan(10)
    expect(latency.ratio_interval.lower).toBeGreaterThan(10)
    expect(latency.location.median_ratio).toBeLessThan(0.6)
    expect(latency.location.worse).toBe(false)
    expect(latency.tail.worse).toBe(true)
    expect(latency.tail.canary.requests).toBeGreaterThan(2500)
    expect(latency.tail.canary.share).toBeGreaterThan(
      latency.tail.margin * latency.tail.baseline.share
    )
    expect(latency.tail.p_value_canary_greater).toBeLessThan(latency.alpha_per_test)
  })

  it('should answer not_worse for a canary identical to stable', async () => {
    const latency = (await ask(SAME, '&looks=10')).comparison.latency
    expect(latency.verdict).toBe('not_worse')
    expect(latency.decided_by).toBeNull()
    expect(latency.location.worse).toBe(false)
    expect(latency.tail.worse).toBe(false)
    expect(latency.ratio_interval.lower).toBeLessThan(1)
  })

  it('should still catch the tail with a single look and the default parameters', async () => {
    const latency = (await ask(TAIL)).comparison.latency
    expect(latency).toMatchObject({
      verdict: 'worse',
      decided_by: 'tail',
      looks: 1,
      tail_margin: 2,
    })
  })
})
