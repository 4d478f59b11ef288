// The comparison templates (canary/comparison-templates.yaml, run by the Rollout example in
// canary/examples/rollout-comparison.yaml) through the Argo emulator, against the bundled functions
// and the Vizier simulator (scenarios/comparison.json): what Argo decides for a canary judged
// against its stable ReplicaSet, next to what the threshold templates decide for the same pods.
//
// The simulator's clock is frozen, so every measurement sees the same window and each outcome
// depends only on the scenario's seed; how often the comparison errs over many seeds is
// test/comparison/seeded.test.ts's business.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { VirtualClock } from '../argo-emulator/clock'
import { emulateRollout } from '../argo-emulator/rollout'
import type { RolloutEmulationResult, RolloutManifest } from '../argo-emulator/rollout'
import type { AnalysisRunResult, MetricResult } from '../argo-emulator/types'
import { FROZEN_NOW_NS } from '../comparison/engine'
import { canaryManifests, comparisonRollout, readScenario, startStack } from './stack'
import type { Stack } from './stack'

// scenarios/comparison.json, rollout canary-demo: stable 5b9d7c6f48 (1 % errors, p99 ~120 ms) and
// canaries of 1 pod each. Namespace outage: stable and canary 7d9f8c6b5 both at 8 % errors.
const STABLE = '5b9d7c6f48'
const SAME = '7d9f8c6b5'
const ERRORS = '6c8d4b9f7'
const SLOW = '8d7c6b5f4'
const QUIET = '4f6b8d9c7'

const TIME_SCALE = 0.001

const { rollout: thresholdRollout, templates } = canaryManifests()
const rollout = comparisonRollout()

function play(
  stack: Stack,
  canaryHash: string,
  options: { rollout?: RolloutManifest; namespace?: string } = {}
): Promise<RolloutEmulationResult> {
  return emulateRollout(options.rollout ?? rollout, {
    clock: new VirtualClock(TIME_SCALE),
    templates,
    namespace: options.namespace ?? 'default',
    podTemplateHashes: { Latest: canaryHash, Stable: STABLE },
    hostRewrite: stack.hostRewrite,
  })
}

const metricResult = (run: AnalysisRunResult | undefined, name: string): MetricResult | undefined =>
  run?.metricResults.find((m) => m.name === name)

const values = (m: MetricResult | undefined): Array<Record<string, any>> =>
  (m?.measurements ?? [])
    .filter((x) => x.value !== undefined)
    .map((x) => JSON.parse(x.value ?? 'null') as Record<string, any>)

describe('canary analysis against the baseline (comparison scenario)', () => {
  let stack: Stack

  beforeAll(async () => {
    stack = await startStack(readScenario('comparison'), {}, { clock: () => FROZEN_NOW_NS })
  }, 60_000)

  afterAll(async () => {
    await stack?.close()
  })

  it('should promote a canary that behaves like stable, measuring both in every answer', async () => {
    const result = await play(stack, SAME)
    expect(result.status).toBe('Healthy')
    expect(result.background?.phase).toBe('Successful')
    for (const [name, block] of [
      ['error-rate', 'error_rate'],
      ['latency', 'latency'],
    ] as const) {
      const m = metricResult(result.background, name)
      expect(m?.phase, name).toBe('Successful')
      expect(m?.failed, name).toBe(0)
      for (const value of values(m)) {
        expect(value.comparison[block].verdict).toBe('not_worse')
        expect(value.selector).toMatchObject({ rollout: 'canary-demo', hash: SAME })
        expect(value.baseline.selector).toMatchObject({ rollout: 'canary-demo', hash: STABLE })
        expect(value.baseline.requests).toBeGreaterThan(value.requests)
      }
    }
  })

  it("should abort a canary at 3.5x stable's error rate, which the 5 % threshold lets through", async () => {
    const compared = await play(stack, ERRORS)
    expect(compared.status).toBe('Degraded')
    const errorRate = metricResult(compared.background, 'error-rate')
    expect(errorRate?.phase).toBe('Failed')
    expect(values(errorRate).every((v) => v.comparison.error_rate.verdict === 'worse')).toBe(true)
    expect(metricResult(compared.background, 'latency')?.failed).toBe(0)

    const threshold = await play(stack, ERRORS, { rollout: thresholdRollout })
    expect(threshold.status).toBe('Healthy')
  })

  it('should abort a canary 1.5x slower than stable on latency', async () => {
    const result = await play(stack, SLOW)
    expect(result.status).toBe('Degraded')
    const latency = metricResult(result.background, 'latency')
    expect(latency?.phase).toBe('Failed')
    for (const value of values(latency)) {
      expect(value.comparison.latency.verdict).toBe('worse')
      expect(value.comparison.latency.ratio).toBeGreaterThan(1.1)
    }
    expect(metricResult(result.background, 'error-rate')?.failed).toBe(0)
  })

  it('should pause the rollout as Inconclusive when the canary has too little traffic', async () => {
    const result = await play(stack, QUIET)
    expect(result.status).toBe('Paused')
    expect(result.background?.phase).toBe('Inconclusive')
    const errorRate = metricResult(result.background, 'error-rate')
    expect(errorRate?.inconclusive).toBeGreaterThan(0)
    for (const value of values(errorRate)) {
      expect(value.comparison.error_rate.verdict).toBe('insufficient_data')
      expect(value.requests).toBeLessThan(50)
    }
  })

  it('should promote a canary hit by the same outage as stable, which the threshold aborts', async () => {
    const compared = await play(stack, SAME, { namespace: 'outage' })
    expect(compared.status).toBe('Healthy')
    for (const value of values(metricResult(compared.background, 'error-rate'))) {
      expect(value.error_rate).toBeGreaterThan(0.05)
      expect(value.baseline.error_rate).toBeGreaterThan(0.05)
      expect(value.comparison.error_rate.verdict).toBe('not_worse')
    }
    const threshold = await play(stack, SAME, { rollout: thresholdRollout, namespace: 'outage' })
    expect(threshold.status).toBe('Degraded')
  })
})
