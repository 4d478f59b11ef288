import { describe, expect, it } from 'vitest'
import { loadScenario, parseScenario } from './scenario'
import { buildWorld, uint128ToUuid, uuidToUint128 } from './topology'

const demo = buildWorld(loadScenario(new URL('../scenarios/demo.json', import.meta.url).pathname))

describe('topology', () => {
  it('should name pods <replicaset>-<5 chars> and keep names stable for a seed', () => {
    for (const pod of demo.pods)
      expect(pod.name).toMatch(new RegExp(`^${pod.replicaset}-[bcdfghjklmnpqrstvwxz2456789]{5}$`))
    const again = buildWorld(
      loadScenario(new URL('../scenarios/demo.json', import.meta.url).pathname)
    )
    expect(again.pods.map((p) => [p.name, p.upid, p.podId])).toEqual(
      demo.pods.map((p) => [p.name, p.upid, p.podId])
    )
    expect(new Set(demo.pods.map((p) => p.upid)).size).toBe(demo.pods.length)
  })

  it("should resolve ctx metadata in Pixie's formats", () => {
    const canary = demo.pods.find(
      (p) => p.namespace === 'default' && p.replicaset === 'canary-demo-7d9f8c6b5'
    )!
    const stable = demo.pods.find((p) => p.replicaset === 'canary-demo-5b9d7c6f48')!
    const neighbour = demo.pods.find((p) => p.replicaset === 'canary-demo-6c8d4b9f7z')!
    const r = (key: Parameters<typeof demo.metadata.resolve>[0], upid: string) =>
      demo.metadata.resolve(key, upid)
    expect(r('pod', canary.upid)).toBe(`default/${canary.name}`)
    expect(r('replicaset', canary.upid)).toBe('default/canary-demo-7d9f8c6b5')
    expect(r('namespace', canary.upid)).toBe('default')
    expect(r('service', canary.upid)).toBe('["default/canary-demo","default/canary-demo-preview"]')
    expect(r('service', stable.upid)).toBe('default/canary-demo')
    expect(r('service', neighbour.upid)).toBe('')
    expect(r('deployment', canary.upid)).toBe('')
    expect(r('pod_id', canary.upid)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4/)
    expect(r('node', canary.upid)).toMatch(/^sim-node-/)
    expect(r('pod', '00000000-0000-0000-0000-000000000000')).toBe('')
  })

  it('should resolve a Deployment owner as ns/name and merge pod traffic over the replicaset', () => {
    const world = buildWorld(
      parseScenario({
        name: 't',
        seed: 1,
        namespaces: [
          {
            name: 'a',
            replicasets: [
              {
                name: 'api-7c9d',
                deployment: 'api',
                pods: [{ name: 'api-7c9d-one', traffic: { rps: 3 } }, {}],
                traffic: { rps: 1, status: { '500': 1 } },
              },
            ],
          },
        ],
      })
    )
    const [one, two] = world.pods
    expect(world.metadata.resolve('deployment', one!.upid)).toBe('a/api')
    expect(one!.name).toBe('api-7c9d-one')
    expect(one!.traffic.rps).toBe(3)
    expect(one!.traffic.status).toEqual({ '500': 1 })
    expect(two!.traffic.rps).toBe(1)
  })

  it('should render UPIDs as UUIDs from (asid << 32 | pid, start time) and parse them back', () => {
    expect(uint128ToUuid(77311094061n, 34858981n)).toBe('00000012-0019-ad2d-0000-00000213e7e5')
    expect(uuidToUint128('00000012-0019-ad2d-0000-00000213e7e5')).toEqual({
      high: 77311094061n,
      low: 34858981n,
    })
    const { high } = uuidToUint128(demo.pods[0]!.upid)
    expect(high >> 32n).toBeGreaterThan(0n)
  })
})
