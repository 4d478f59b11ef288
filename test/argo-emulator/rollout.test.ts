import { afterEach, describe, expect, it } from 'vitest'
import { VirtualClock } from './clock'
import { emulateRollout } from './rollout'
import type { CanaryStep, RolloutEvent, RolloutManifest } from './rollout'
import { json, startTestServer } from './test-server'
import type { Reply, TestServer } from './test-server'
import type { AnalysisTemplate } from './types'

let servers: TestServer[] = []
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()))
  servers = []
})

async function scripted(replies: Reply[]): Promise<TestServer> {
  const server = await startTestServer((_r, i) => replies[Math.min(i, replies.length - 1)] as Reply)
  servers.push(server)
  return server
}

const HOST = 'metric.metrics.svc.cluster.local'

const template: AnalysisTemplate = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'AnalysisTemplate',
  metadata: { name: 'check' },
  spec: {
    args: [{ name: 'namespace' }, { name: 'rollout' }, { name: 'hash' }],
    metrics: [
      {
        name: 'check',
        interval: '30s',
        initialDelay: '10s',
        successCondition: 'result.n >= 10 && result.v <= 1',
        failureCondition: 'result.n >= 10 && result.v > 1',
        provider: {
          web: {
            url: `http://${HOST}/?namespace={{args.namespace}}&rollout={{args.rollout}}&hash={{args.hash}}`,
            jsonPath: '{$}',
          },
        },
      },
    ],
  },
}

function rollout(steps: CanaryStep[], startingStep = 1): RolloutManifest {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name: 'shop' },
    spec: {
      strategy: {
        canary: {
          steps,
          analysis: {
            startingStep,
            templates: [{ templateName: 'check' }],
            args: [
              { name: 'namespace', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
              { name: 'rollout', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
              { name: 'hash', valueFrom: { podTemplateHashValue: 'Latest' } },
            ],
          },
        },
      },
    },
  }
}

const steps: CanaryStep[] = [
  { setWeight: 20 },
  { pause: { duration: '2m' } },
  { setWeight: 60 },
  { pause: { duration: '2m' } },
]

async function play(server: TestServer, manifest = rollout(steps), events: RolloutEvent[] = []) {
  return emulateRollout(manifest, {
    clock: new VirtualClock(0.001),
    templates: [template],
    namespace: 'prod',
    podTemplateHashes: { Latest: 'abc123', Stable: 'old999' },
    hostRewrite: { [HOST]: server.host },
    onEvent: (e) => events.push(e),
  })
}

describe('emulateRollout', () => {
  it('should promote a healthy canary after its steps, ending the background run Successful', async () => {
    const server = await scripted([json({ n: 50, v: 0 })])
    const events: RolloutEvent[] = []
    const result = await play(server, rollout(steps), events)
    expect(result.status).toBe('Healthy')
    expect(result.weight).toBe(100)
    expect(result.stepIndex).toBe(steps.length)
    expect(result.background?.phase).toBe('Successful')
    // Background analysis from step 1: measurements at 10 s, then every ~30 s during 4 minutes.
    expect(result.background?.metricResults[0]?.measurements.length).toBeGreaterThanOrEqual(7)
    expect(server.requests[0]?.url).toBe('/?namespace=prod&rollout=shop&hash=abc123')
    expect(
      events.filter((e) => e.type === 'step').map((e) => e.type === 'step' && e.weight)
    ).toEqual([20, 20, 60, 60])
  })

  it('should abort a failing canary before the end and send traffic back to stable', async () => {
    const server = await scripted([json({ n: 50, v: 0 }), json({ n: 50, v: 5 })])
    const result = await play(server)
    expect(result.status).toBe('Degraded')
    expect(result.weight).toBe(0)
    expect(result.stepIndex).toBeLessThan(steps.length)
    expect(result.message).toBe(
      'RolloutAborted: Background analysis phase failed: Metric "check" assessed Failed due to failed (1) > failureLimit (0)'
    )
  })

  it('should promote despite a failing metric in the dryRun of the analysis stanza', async () => {
    // argoproj/argo-rollouts docs/features/analysis.md "Dry-Run Mode": dryRun on the Rollout's
    // analysis stanza; a dry-run metric's failure never fails the run.
    const server = await scripted([json({ n: 50, v: 0 }), json({ n: 50, v: 5 })])
    const manifest = rollout(steps)
    const analysis = manifest.spec.strategy.canary?.analysis
    if (analysis) analysis.dryRun = [{ metricName: 'check' }]
    const result = await play(server, manifest)
    expect(result.status).toBe('Healthy')
    expect(result.background?.phase).toBe('Successful')
    expect(result.background?.metricResults[0]).toMatchObject({ phase: 'Failed', dryRun: true })
    expect(result.background?.dryRunSummary.failed).toBe(1)
  })

  it('should abort when the metric keeps erroring', async () => {
    const server = await scripted([json({ error: { code: 'pixie_unavailable' } }, 502)])
    const result = await play(server)
    expect(result.status).toBe('Degraded')
    expect(result.background?.phase).toBe('Error')
    expect(result.message).toMatch(/analysis phase error/)
  })

  it('should pause on an Inconclusive analysis (too little traffic)', async () => {
    const server = await scripted([json({ n: 2, v: null })])
    const result = await play(server)
    expect(result.status).toBe('Paused')
    expect(result.weight).toBe(20)
    expect(result.message).toMatch(/^InconclusiveAnalysisRun/)
  })

  it('should pause at a pause step without duration', async () => {
    const server = await scripted([json({ n: 50, v: 0 })])
    const result = await play(
      server,
      rollout([{ setWeight: 10 }, { pause: {} }, { setWeight: 50 }])
    )
    expect(result.status).toBe('Paused')
    expect(result.stepIndex).toBe(1)
  })

  it('should block on an inline analysis step and abort when it fails', async () => {
    const server = await scripted([json({ n: 50, v: 5 })])
    const inline: CanaryStep[] = [
      { setWeight: 20 },
      {
        analysis: {
          templates: [{ templateName: 'check' }],
          args: rollout([]).spec.strategy.canary?.analysis?.args,
        },
      },
      { setWeight: 100 },
    ]
    const manifest = rollout(inline, 99)
    const result = await play(server, manifest)
    expect(result.status).toBe('Degraded')
    expect(result.stepAnalyses[0]?.phase).toBe('Failed')
    expect(result.message).toMatch(/^RolloutAborted: Step-based analysis phase failed/)
  })

  it('should run onStep hooks with each weight before the step proceeds', async () => {
    const server = await scripted([json({ n: 50, v: 0 })])
    const seen: number[] = []
    await emulateRollout(rollout(steps), {
      clock: new VirtualClock(0.001),
      templates: [template],
      namespace: 'prod',
      podTemplateHashes: { Latest: 'abc123' },
      hostRewrite: { [HOST]: server.host },
      onStep: async ({ weight }) => {
        await new Promise((resolve) => setTimeout(resolve, 5))
        seen.push(weight)
      },
    })
    expect(seen).toEqual([20, 20, 60, 60])
  })
})
