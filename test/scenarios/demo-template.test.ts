// The original Pixie demo's AnalysisTemplate and Rollout (pixie-io/pixie-demos argo-rollouts-demo,
// as described in its README and blog post), written here from those facts and pointed at our
// error-rate function: "its AnalysisTemplate works by changing the host".
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { VirtualClock } from '../argo-emulator/clock'
import { emulateRollout } from '../argo-emulator/rollout'
import type { RolloutManifest } from '../argo-emulator/rollout'
import type { AnalysisTemplate } from '../argo-emulator/types'
import { readScenario, startStack } from './stack'
import type { Stack } from './stack'

/** The demo's background template: the error rate of the canary pods every 30 s, at most 10 %. */
const demoTemplate: AnalysisTemplate = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'AnalysisTemplate',
  metadata: { name: 'http-error-rate-background' },
  spec: {
    args: [{ name: 'service-name' }, { name: 'namespace' }, { name: 'canary-pod-hash' }],
    metrics: [
      {
        name: 'webmetric',
        successCondition: 'result <= 0.1',
        interval: '30s',
        initialDelay: '30s',
        provider: {
          web: {
            // Only the host differs from the demo (px-metrics.px-metrics.svc.cluster.local).
            url: 'http://px-error-rate.px-canary.svc.cluster.local/error-rate/{{args.namespace}}/{{args.service-name}}-{{args.canary-pod-hash}}',
            timeoutSeconds: 20,
            jsonPath: '{$.error_rate}',
          },
        },
      },
    ],
  },
}

/** The demo's rollout-with-analysis: 10 % then 50 %, a minute each, background analysis. */
const demoRollout: RolloutManifest = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Rollout',
  metadata: { name: 'canary-demo' },
  spec: {
    replicas: 5,
    strategy: {
      canary: {
        canaryService: 'canary-demo-preview',
        analysis: {
          templates: [{ templateName: 'http-error-rate-background' }],
          args: [
            { name: 'namespace', value: 'default' },
            { name: 'service-name', value: 'canary-demo' },
            { name: 'canary-pod-hash', valueFrom: { podTemplateHashValue: 'Latest' } },
          ],
        },
        steps: [
          { setWeight: 10 },
          { pause: { duration: '60s' } },
          { setWeight: 50 },
          { pause: { duration: '60s' } },
        ],
      },
    },
  },
}

describe("the original demo's AnalysisTemplate against px-canary's error-rate function", () => {
  let stack: Stack

  beforeAll(async () => {
    stack = await startStack(readScenario('demo'))
  })

  afterAll(async () => {
    await stack?.close()
  })

  const play = (hash: string) =>
    emulateRollout(demoRollout, {
      clock: new VirtualClock(0.001),
      templates: [demoTemplate],
      namespace: 'default',
      podTemplateHashes: { Latest: hash, Stable: '5b9d7c6f48' },
      hostRewrite: stack.hostRewrite,
    })

  it('should promote the healthy canary (yellow)', async () => {
    const result = await play('7d9f8c6b5')
    expect(result.status).toBe('Healthy')
    const measurements = result.background?.metricResults[0]?.measurements ?? []
    expect(measurements.length).toBeGreaterThanOrEqual(3)
    for (const m of measurements) {
      expect(m.phase).toBe('Successful')
      expect(Number(m.value)).toBeLessThanOrEqual(0.1)
    }
  })

  it('should abort the bad canary (bad-red) at its first measurement', async () => {
    const result = await play('6c8d4b9f7')
    expect(result.status).toBe('Degraded')
    const [first, ...rest] = result.background?.metricResults[0]?.measurements ?? []
    expect(rest).toHaveLength(0)
    expect(first?.phase).toBe('Failed')
    expect(Number(first?.value)).toBeGreaterThan(0.5)
    expect(result.message).toMatch(
      /Metric "webmetric" assessed Failed due to failed \(1\) > failureLimit \(0\)/
    )
  })

  it('should not pass a canary without traffic, where the demo server answered 0', async () => {
    const result = await play('0000000000')
    expect(result.status).not.toBe('Healthy')
    for (const m of result.background?.metricResults[0]?.measurements ?? []) {
      expect(m.phase).toBe('Error')
      expect(m.message).toMatch(/metric result is nil or empty/)
    }
  })
})
