// The real canary/ Rollout and AnalysisTemplates, run through the Argo emulator against the
// bundled functions and the Vizier simulator: what Argo would decide for each kind of canary.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { VirtualClock } from '../argo-emulator/clock'
import { createAnalysisRun } from '../argo-emulator/factory'
import { emulateRollout } from '../argo-emulator/rollout'
import type { RolloutEmulationResult, RolloutManifest } from '../argo-emulator/rollout'
import type { AnalysisRunResult, AnalysisTemplate, MetricResult } from '../argo-emulator/types'
import { startBundle } from '../helpers/spawn'
import type { RunningBundle } from '../helpers/spawn'
import { canaryObjects, demoScenario } from './demo-traffic'
import { canaryManifests, clusterHost, readScenario, startStack } from './stack'
import type { Stack } from './stack'

// scenarios/demo.json: rollout canary-demo in namespace default, stable ReplicaSet hash 5b9d7c6f48,
// a healthy canary 7d9f8c6b5 (stable's ~0.5 % errors and p99 ~120 ms) and a bad-red canary
// 6c8d4b9f7 (~80 % 500s), with the pod counts and request rates the demo's manifests give them
// (the load generator's 20 rps over 1 canary and 5 stable pods at setWeight 10; demo-traffic.ts).
// scenarios/zero-traffic.json: canary idle-8f6d7c5b9 in namespace quiet receives
// only health probes.
const STABLE = '5b9d7c6f48'
const HEALTHY = '7d9f8c6b5'
const BAD = '6c8d4b9f7'

/** 30 s of emulated time take 30 ms. */
const TIME_SCALE = 0.001

const { rollout, templates } = canaryManifests()

function play(
  stack: Stack,
  canaryHash: string,
  options: { rollout?: RolloutManifest; namespace?: string; templates?: AnalysisTemplate[] } = {}
): Promise<RolloutEmulationResult> {
  return emulateRollout(options.rollout ?? rollout, {
    clock: new VirtualClock(TIME_SCALE),
    templates: options.templates ?? templates,
    namespace: options.namespace ?? 'default',
    podTemplateHashes: { Latest: canaryHash, Stable: STABLE },
    hostRewrite: stack.hostRewrite,
  })
}

const metricResult = (run: AnalysisRunResult | undefined, name: string): MetricResult | undefined =>
  run?.metricResults.find((m) => m.name === name)

const values = (m: MetricResult | undefined): Array<Record<string, unknown>> =>
  (m?.measurements ?? [])
    .filter((x) => x.value !== undefined)
    .map((x) => JSON.parse(x.value ?? 'null') as Record<string, unknown>)

describe('canary analysis with the demo scenario', () => {
  let stack: Stack

  beforeAll(async () => {
    stack = await startStack(
      demoScenario(readScenario('demo'), canaryObjects(), rollout, {
        namespace: 'default',
        stableHash: STABLE,
        canaryHashes: [HEALTHY, BAD],
      })
    )
  })

  afterAll(async () => {
    await stack?.close()
  })

  it('should promote the healthy canary with every metric measured and passing', async () => {
    const result = await play(stack, HEALTHY)
    expect(result.status).toBe('Healthy')
    expect(result.background?.phase).toBe('Successful')
    for (const name of ['error-rate', 'latency', 'throughput']) {
      const m = metricResult(result.background, name)
      expect(m?.phase, name).toBe('Successful')
      expect(m?.successful, name).toBeGreaterThanOrEqual(4)
      expect(m?.failed, name).toBe(0)
      expect(m?.error, name).toBe(0)
      for (const value of values(m)) {
        expect(value.metric).toBe(name)
        expect(value.requests as number).toBeGreaterThanOrEqual(50)
        expect(value.selector).toMatchObject({
          namespace: 'default',
          rollout: 'canary-demo',
          hash: HEALTHY,
        })
      }
    }
  })

  it('should abort the bad-red canary, every error-rate measurement failing', async () => {
    const result = await play(stack, BAD)
    expect(result.status).toBe('Degraded')
    expect(result.weight).toBe(0)
    expect(result.stepIndex).toBeLessThan(rollout.spec.strategy.canary?.steps?.length ?? 0)
    expect(result.background?.phase).toBe('Failed')
    const errorRate = metricResult(result.background, 'error-rate')
    expect(errorRate?.measurements.length).toBeGreaterThan(0)
    expect(errorRate?.measurements.every((m) => m.phase === 'Failed')).toBe(true)
    expect(values(errorRate).every((v) => (v.error_rate as number) > 0.05)).toBe(true)
    // bad-red's p99 (~400 ms, lognormal) also crosses the latency template's 500 ms now and then.
    // Argo measures each metric `interval` after its own last measurement finished, so which of
    // the two reaches failed (2) first depends on how long each request took, and the metric that
    // did not is assessed Successful once the run terminates (argoproj/argo-rollouts
    // analysis/analysis.go assessMetricStatus, "Metric was terminated").
    const crossed =
      /Metric "(error-rate|latency)" assessed Failed due to failed \(2\) > failureLimit \(1\)/.exec(
        result.message ?? ''
      )
    expect(crossed, result.message).not.toBeNull()
    expect(metricResult(result.background, crossed?.[1] ?? '')?.phase).toBe('Failed')
    if (crossed?.[1] === 'latency') {
      const latency = values(metricResult(result.background, 'latency'))
      expect(latency.filter((v) => (v.latency_ms as { p99: number }).p99 > 500)).toHaveLength(2)
    }
  })

  it('should abort with Error when Pixie is unavailable, never pass', async () => {
    stack.simulator.setFault({ error: 'unavailable' })
    try {
      const result = await play(stack, HEALTHY)
      expect(result.status).toBe('Degraded')
      expect(result.background?.phase).toBe('Error')
      for (const m of result.background?.metricResults ?? []) {
        expect(m.successful + m.failed + m.inconclusive, m.name).toBe(0)
        for (const x of m.measurements) {
          expect(x.phase).toBe('Error')
          expect(x.message).toBe('received non 2xx response code: 502')
        }
      }
      expect(result.message).toMatch(/consecutiveErrors \(5\) > consecutiveErrorLimit \(4\)/)
    } finally {
      stack.simulator.clearFaults()
    }
  })

  it('should judge with the ClusterAnalysisTemplate variant exactly as with the namespaced one', async () => {
    const clusterScoped = structuredClone(rollout)
    for (const ref of clusterScoped.spec.strategy.canary?.analysis?.templates ?? [])
      ref.clusterScope = true
    const onlyCluster = templates.filter((t) => t.kind === 'ClusterAnalysisTemplate')
    const healthy = await play(stack, HEALTHY, { rollout: clusterScoped, templates: onlyCluster })
    const bad = await play(stack, BAD, { rollout: clusterScoped, templates: onlyCluster })
    expect([healthy.status, bad.status]).toEqual(['Healthy', 'Degraded'])
  })

  describe('with a caller token', () => {
    const TOKEN = 'px-canary-test-token-0123456789'
    let guarded: RunningBundle

    beforeAll(async () => {
      guarded = await startBundle('error-rate', {
        PX_DIRECT_ADDR: stack.simulator.address,
        PX_CANARY_AUTH_TOKEN: TOKEN,
      })
    })

    afterAll(async () => {
      await guarded?.stop('SIGTERM', 5_000)
    })

    async function firstMeasurements(token: string, count: number) {
      const clock = new VirtualClock(TIME_SCALE)
      const run = createAnalysisRun(
        {
          templates: templates.filter((t) => t.metadata.name === 'px-error-rate-auth'),
          args: [
            { name: 'namespace', value: 'default' },
            { name: 'rollout', value: 'canary-demo' },
            { name: 'canary-hash', value: HEALTHY },
          ],
          sources: { secrets: { 'px-canary-auth': { token } } },
        },
        {
          clock,
          hostRewrite: { [clusterHost('error-rate')]: new URL(guarded.url).host },
          onMeasurement: (e) => {
            if (e.metricResult.measurements.length >= count) run.terminate()
          },
        }
      )
      run.start()
      return run.done
    }

    it('should pass the secret token as a Bearer header and be measured', async () => {
      const result = await firstMeasurements(TOKEN, 2)
      expect(result.metricResults[0]?.measurements.map((m) => m.phase)).toEqual([
        'Successful',
        'Successful',
      ])
    })

    it('should be an Error, with the token redacted, when the token is wrong', async () => {
      const result = await firstMeasurements('wrong-token-wrong-token-00', 5)
      expect(result.phase).toBe('Error')
      expect(
        result.metricResults[0]?.measurements.every(
          (m) => m.message === 'received non 2xx response code: 401'
        )
      ).toBe(true)
    })
  })
})

describe('canary analysis with no traffic (zero-traffic scenario)', () => {
  let stack: Stack

  beforeAll(async () => {
    stack = await startStack(readScenario('zero-traffic'))
  })

  afterAll(async () => {
    await stack?.close()
  })

  it('should pause the rollout as Inconclusive, never promote or abort it', async () => {
    // The same Rollout, as if it were named idle in namespace quiet (its args come from fieldRef).
    const idle = structuredClone(rollout)
    idle.metadata.name = 'idle'
    const result = await play(stack, '8f6d7c5b9', { rollout: idle, namespace: 'quiet' })
    expect(result.status).toBe('Paused')
    expect(result.message).toMatch(/^InconclusiveAnalysisRun/)
    expect(result.background?.phase).toBe('Inconclusive')
    const inconclusive =
      result.background?.metricResults.filter((m) => m.phase === 'Inconclusive') ?? []
    expect(inconclusive.length).toBeGreaterThan(0)
    for (const m of result.background?.metricResults ?? []) {
      expect(m.successful + m.failed, m.name).toBe(0)
      for (const value of values(m)) {
        expect(value.requests).toBe(0)
        expect(value.value).toBeNull()
      }
    }
  })
})
