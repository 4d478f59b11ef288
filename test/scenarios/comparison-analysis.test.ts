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
import type { ScenarioInput } from '../../simulator/scenario'

// scenarios/comparison.json, rollout canary-demo: stable 5b9d7c6f48 (1 % errors, p99 ~120 ms) and
// canaries of 1 pod each. Namespace outage: stable and canary 7d9f8c6b5 both at 8 % errors.
const STABLE = '5b9d7c6f48'
const SAME = '7d9f8c6b5'
const ERRORS = '6c8d4b9f7'
const SLOW = '8d7c6b5f4'
const QUIET = '4f6b8d9c7'

const TIME_SCALE = 0.001

/** The scenario plus namespace quiet: the default stable and SAME canary at 0.1 rps per pod. */
function withQuietNamespace(scenario: ScenarioInput): ScenarioInput {
  const copy = structuredClone(scenario)
  const base = copy.namespaces.find((n) => n.name === 'default')!
  const keep = new Set([`canary-demo-${STABLE}`, `canary-demo-${SAME}`])
  const quiet = structuredClone(base)
  quiet.name = 'quiet'
  quiet.replicasets = (quiet.replicasets ?? [])
    .filter((r) => keep.has(r.name))
    .map((r) => ({ ...r, traffic: { ...r.traffic!, rps: 0.1 } }))
  quiet.services = []
  copy.namespaces.push(quiet)
  return copy
}

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
    stack = await startStack(
      withQuietNamespace(readScenario('comparison')),
      {},
      {
        clock: () => FROZEN_NOW_NS,
      }
    )
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
      // Never more measurements than the looks the function was told of (the example's 10).
      expect(m?.count, name).toBeGreaterThan(0)
      expect(m?.count, name).toBeLessThanOrEqual(10)
      for (const value of values(m)) {
        expect(value.comparison[block].verdict).toBe('not_worse')
        expect(value.comparison[block].looks).toBe(10)
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

  it('should abort a canary starved of its share of traffic, which no quality metric can judge', async () => {
    // 0.5 rps next to stable's 60: under 1 % of the requests, where min-share is 5 %.
    const result = await play(stack, QUIET)
    expect(result.status).toBe('Degraded')
    const throughput = metricResult(result.background, 'throughput')
    expect(throughput?.phase).toBe('Failed')
    for (const value of values(throughput)) {
      expect(value.comparison.throughput.verdict).toBe('worse')
      expect(value.comparison.throughput.share).toBeLessThan(0.05)
      expect(value.comparison.throughput.p_value_starved).toBeLessThan(
        value.comparison.throughput.alpha_per_look
      )
    }
    // Error rate and latency have too few canary requests for a verdict: never a pass.
    const errorRate = metricResult(result.background, 'error-rate')
    expect(errorRate?.successful).toBe(0)
    for (const value of values(errorRate)) {
      expect(value.comparison.error_rate.verdict).toBe('insufficient_data')
      expect(value.requests).toBeLessThan(50)
    }
  })

  it('should pause the rollout as Inconclusive on a quiet service, starving no one', async () => {
    // Namespace quiet: stable and canary both at 0.1 rps per pod, about 24 requests a minute
    // together, too few to tell a starved canary from bad luck.
    const result = await play(stack, SAME, { namespace: 'quiet' })
    expect(result.status).toBe('Paused')
    expect(result.background?.phase).toBe('Inconclusive')
    const throughput = metricResult(result.background, 'throughput')
    expect(throughput?.failed).toBe(0)
    expect(throughput?.inconclusive).toBeGreaterThan(0)
    for (const value of values(throughput)) {
      expect(value.comparison.throughput.verdict).toBe('insufficient_data')
      expect(value.requests + value.baseline.requests).toBeLessThan(
        value.comparison.throughput.min_total
      )
    }
  })

  it('should show that the threshold template cannot tell a quiet service from a starved canary', async () => {
    // px-canary-analysis (canary/analysis-templates.yaml) on the quiet namespace: 6 requests a
    // minute is under min-rps 0.5 -> Failed, where the comparison above pauses.
    const result = await play(stack, SAME, { rollout: thresholdRollout, namespace: 'quiet' })
    expect(result.status).toBe('Degraded')
    const throughput = metricResult(result.background, 'throughput')
    expect(throughput?.phase).toBe('Failed')
    for (const value of values(throughput)) {
      expect(value.requests).toBeGreaterThan(0)
      expect(value.rps).toBeLessThan(0.5)
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
