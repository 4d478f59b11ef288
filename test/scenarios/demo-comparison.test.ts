// The demo scenario (scenarios/demo.json) judged by every comparison template: its healthy canary
// has the stable ReplicaSet's error and latency distributions, so each template promotes it,
// and each template that judges errors or latency aborts bad-red. px-throughput-comparison judges
// only the canary's share of traffic, which bad-red gets: it promotes bad-red, by design. Through the Argo emulator, the bundled functions and the simulator,
// with the simulator's clock frozen so the outcome depends only on the scenario's seed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { VirtualClock } from '../argo-emulator/clock'
import { emulateRollout } from '../argo-emulator/rollout'
import { FROZEN_NOW_NS } from '../comparison/engine'
import { canaryManifests, comparisonRollout, readScenario, startStack } from './stack'
import type { Stack } from './stack'

const STABLE = '5b9d7c6f48'
const HEALTHY = '7d9f8c6b5'
const BAD = '6c8d4b9f7'

const { templates } = canaryManifests()
const COMPARISON_TEMPLATES = templates
  .filter((t) => t.kind === 'AnalysisTemplate' && t.metadata.name.endsWith('-comparison'))
  .map((t) => t.metadata.name)

function play(stack: Stack, templateName: string, canaryHash: string) {
  const rollout = comparisonRollout()
  rollout.spec.strategy.canary!.analysis!.templates = [{ templateName }]
  return emulateRollout(rollout, {
    clock: new VirtualClock(0.001),
    templates,
    namespace: 'default',
    podTemplateHashes: { Latest: canaryHash, Stable: STABLE },
    hostRewrite: stack.hostRewrite,
  })
}

describe('the demo scenario against every comparison template', () => {
  let stack: Stack

  beforeAll(async () => {
    stack = await startStack(readScenario('demo'), {}, { clock: () => FROZEN_NOW_NS })
  }, 60_000)

  afterAll(async () => {
    await stack?.close()
  })

  it('should find the comparison templates', () => {
    expect(COMPARISON_TEMPLATES.length).toBeGreaterThanOrEqual(3)
  })

  for (const name of COMPARISON_TEMPLATES.filter((n) => n !== 'px-throughput-comparison')) {
    it(`should promote the healthy canary and abort bad-red with ${name}`, async () => {
      const healthy = await play(stack, name, HEALTHY)
      expect(healthy.status, healthy.message).toBe('Healthy')
      const bad = await play(stack, name, BAD)
      expect(bad.status).toBe('Degraded')
    })
  }

  it('should promote both canaries with px-throughput-comparison: each gets its share', async () => {
    expect(COMPARISON_TEMPLATES).toContain('px-throughput-comparison')
    for (const hash of [HEALTHY, BAD]) {
      const result = await play(stack, 'px-throughput-comparison', hash)
      expect(result.status, result.message).toBe('Healthy')
      const throughput = result.background?.metricResults.find((m) => m.name === 'throughput')
      expect(throughput?.failed).toBe(0)
      expect(throughput?.successful).toBeGreaterThan(0)
    }
  })
})
