import { describe, expect, it } from 'vitest'
import type { KubeObject } from '../manifests/kustomize'
import {
  basicCanaryReplicas,
  canaryObjects,
  demoScenario,
  firstWeight,
  parseLoadGenerator,
  serviceRoles,
} from './demo-traffic'
import { canaryManifests, readScenario } from './stack'

const { rollout } = canaryManifests()

describe('basicCanaryReplicas', () => {
  // argoproj/argo-rollouts utils/replicaset/canary.go: both counts rounded up
  // (desiredStableRSReplicaCount, desiredNewRSReplicaCount), one surge pod when they overlap.
  it.each([
    [5, 10, 1, 5],
    [5, 50, 3, 3],
    [10, 30, 3, 7],
    [1, 5, 1, 1],
    [1, 95, 1, 1],
    [4, 100, 4, 0],
  ])('should give %i replicas at setWeight %i: %i canary, %i stable', (replicas, weight, c, s) => {
    expect(basicCanaryReplicas(replicas, weight)).toEqual({ canary: c, stable: s })
  })
})

describe('parseLoadGenerator', () => {
  it('should read the demo load generator: 20 rps of GET /color to canary-demo, no keep-alive', () => {
    expect(parseLoadGenerator(canaryObjects())).toMatchObject({
      deployment: 'canary-demo-load',
      service: 'canary-demo',
      port: 80,
      path: '/color',
      qps: 20,
      keepAlive: false,
    })
  })

  it('should refuse a generator without a fixed rate', () => {
    const objects = structuredClone(canaryObjects())
    const deployment = objects.find((o) => o.kind === 'Deployment') as KubeObject
    const container = (
      deployment.spec as { template: { spec: { containers: Array<{ args: string[] }> } } }
    ).template.spec.containers[0] as { args: string[] }
    container.args = container.args.filter((a) => !a.startsWith('-qps'))
    expect(() => parseLoadGenerator(objects)).toThrow(/-qps/)
  })
})

describe('demoScenario', () => {
  const options = { namespace: 'default', stableHash: '5b9d7c6f48', canaryHashes: ['7d9f8c6b5'] }

  it('should give every pod of the Rollout an equal share of the load at the first setWeight', () => {
    expect(firstWeight(rollout)).toBe(10)
    const scenario = demoScenario(readScenario('demo'), canaryObjects(), rollout, options)
    const ns = scenario.namespaces?.find((n) => n.name === 'default')
    const rs = (name: string) => ns?.replicasets?.find((r) => r.name === name)
    expect(rs('canary-demo-5b9d7c6f48')?.pods).toBe(5)
    expect(rs('canary-demo-7d9f8c6b5')?.pods).toBe(1)
    expect(rs('canary-demo-5b9d7c6f48')?.traffic?.rps).toBeCloseTo(20 / 6)
    expect(rs('canary-demo-7d9f8c6b5')?.traffic?.rps).toBeCloseTo(20 / 6)
    expect(ns?.services).toEqual([
      {
        name: 'canary-demo',
        selector: { replicasets: ['canary-demo-5b9d7c6f48', 'canary-demo-7d9f8c6b5'], pods: [] },
      },
      {
        name: 'canary-demo-preview',
        selector: { replicasets: ['canary-demo-7d9f8c6b5'], pods: [] },
      },
      {
        name: 'canary-demo-stable',
        selector: { replicasets: ['canary-demo-5b9d7c6f48'], pods: [] },
      },
    ])
  })

  it('should refuse a load generator that calls a Service Argo patches', () => {
    const patched = structuredClone(rollout)
    ;(patched.spec.strategy.canary as { stableService?: string }).stableService = 'canary-demo'
    expect(serviceRoles(canaryObjects(), patched).get('canary-demo')).toBe('stable')
    expect(() => demoScenario(readScenario('demo'), canaryObjects(), patched, options)).toThrow(
      /not a Service Argo leaves alone/
    )
  })
})
