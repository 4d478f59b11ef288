// canary/protocol-templates.yaml run through the Argo emulator against the bundled functions and
// the simulator (scenarios/protocols.json, frozen clock): a gRPC canary whose calls fail with
// UNAVAILABLE 20 % of the time is failed on its grpc-status although every HTTP status is 200, a
// canary whose MySQL queries fail is failed on them, and the healthy stable passes both.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { VirtualClock } from '../argo-emulator/clock'
import { createAnalysisRun } from '../argo-emulator/factory'
import type { AnalysisRunResult, MetricResult } from '../argo-emulator/types'
import { canaryManifests, readScenario, startStack } from './stack'
import type { Stack } from './stack'

const CANARY = '7b8c9d6f5'
const STABLE = '6d5f7c8b9'
const NOW = 1_800_000_000_500_000_000n
/** Measurements per metric before a run that keeps passing is stopped. */
const MEASUREMENTS = 3

const { templates } = canaryManifests()

function analyse(stack: Stack, template: string, hash: string): Promise<AnalysisRunResult> {
  const clock = new VirtualClock(0.001)
  const seen = new Map<string, number>()
  const run = createAnalysisRun(
    {
      templates: templates.filter((t) => t.metadata.name === template),
      args: [
        { name: 'namespace', value: 'shop' },
        { name: 'rollout', value: 'orders' },
        { name: 'canary-hash', value: hash },
      ],
    },
    {
      clock,
      hostRewrite: stack.hostRewrite,
      maxMeasurementsPerMetric: MEASUREMENTS,
      onMeasurement: (e) => {
        seen.set(e.metric, e.metricResult.measurements.length)
        if ([...seen.values()].every((n) => n >= MEASUREMENTS) && seen.size === 2) run.terminate()
      },
    }
  )
  run.start()
  return run.done
}

const metric = (run: AnalysisRunResult, name: string): MetricResult =>
  run.metricResults.find((m) => m.name === name)!

const measured = (m: MetricResult): Array<Record<string, unknown>> =>
  m.measurements.map((x) => JSON.parse(x.value ?? 'null') as Record<string, unknown>)

describe('protocol templates with the protocols scenario', () => {
  let stack: Stack
  beforeAll(async () => {
    stack = await startStack(readScenario('protocols'), {}, { clock: () => NOW })
  })
  afterAll(async () => {
    await stack?.close()
  })

  it('should fail the gRPC canary on its UNAVAILABLE calls, measured at a 0.2 error rate', async () => {
    const run = await analyse(stack, 'px-grpc-canary-analysis', CANARY)
    expect(run.phase).toBe('Failed')
    const errors = metric(run, 'grpc-error-rate')
    expect(errors.phase).toBe('Failed')
    for (const value of measured(errors)) {
      expect(value.protocol).toBe('grpc')
      expect(Math.abs((value.error_rate as number) - 0.2)).toBeLessThan(0.03)
    }
  })

  it('should pass the stable replicaset on both gRPC metrics', async () => {
    const run = await analyse(stack, 'px-grpc-canary-analysis', STABLE)
    for (const name of ['grpc-error-rate', 'grpc-latency']) {
      const m = metric(run, name)
      expect(m.failed, name).toBe(0)
      expect(m.error, name).toBe(0)
      expect(m.successful, name).toBeGreaterThanOrEqual(1)
    }
  })

  it("should fail the canary on its MySQL errors and pass the stable's queries", async () => {
    const bad = await analyse(stack, 'px-mysql-errors', CANARY)
    expect(metric(bad, 'mysql-error-rate').phase).toBe('Failed')
    const good = await analyse(stack, 'px-mysql-errors', STABLE)
    for (const name of ['mysql-error-rate', 'mysql-latency']) {
      expect(metric(good, name).failed, name).toBe(0)
      expect(metric(good, name).error, name).toBe(0)
      expect(metric(good, name).successful, name).toBeGreaterThanOrEqual(1)
    }
  })
})
