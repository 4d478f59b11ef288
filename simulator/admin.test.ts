import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startAdminServer, type AdminServer } from './admin'
import { startSimulator, type Simulator } from './server'

const noEngine = () => []

describe('simulator control endpoint', () => {
  let sim: Simulator
  let admin: AdminServer
  let base: string
  beforeAll(async () => {
    sim = await startSimulator({
      scenario: {
        name: 't',
        seed: 1,
        history: '2m',
        namespaces: [{ name: 'a', replicasets: [{ name: 'web-1', pods: 1, traffic: { rps: 1 } }] }],
      },
      port: 0,
      executePxl: noEngine,
    })
    admin = await startAdminServer(sim, 0)
    base = `http://127.0.0.1:${admin.port}`
  })
  afterAll(async () => {
    await admin?.close()
    await sim?.close()
  })

  it('should replace, merge, show and clear faults', async () => {
    const put = await fetch(`${base}/faults`, { method: 'PUT', body: '{"error":"unavailable"}' })
    expect(put.status).toBe(200)
    expect(sim.faults()).toEqual({ error: 'unavailable' })
    await fetch(`${base}/faults`, { method: 'POST', body: '{"latencyMs":100}' })
    expect(await (await fetch(`${base}/faults`)).json()).toEqual({
      error: 'unavailable',
      latencyMs: 100,
    })
    await fetch(`${base}/faults`, { method: 'PUT', body: '{"error":"hang"}' })
    expect(sim.faults()).toEqual({ error: 'hang' })
    await fetch(`${base}/faults`, { method: 'DELETE' })
    expect(sim.faults()).toEqual({})
  })

  it('should reject bad input with 400 and a message, and unknown routes with 404', async () => {
    const bad = await fetch(`${base}/faults`, { method: 'PUT', body: '{"error":"boom"}' })
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as { error: string }).error).toMatch(/error must be one of/)
    expect((await fetch(`${base}/faults`, { method: 'PUT', body: 'nope' })).status).toBe(400)
    expect(
      (await fetch(`${base}/multiplier`, { method: 'PUT', body: '{"multiplier":0}' })).status
    ).toBe(400)
    expect((await fetch(`${base}/nope`)).status).toBe(404)
  })

  it('should change the traffic multiplier and report stats', async () => {
    const r = await fetch(`${base}/multiplier`, { method: 'PUT', body: '{"multiplier":10}' })
    expect(await r.json()).toEqual({ multiplier: 10 })
    expect(sim.store.multiplier).toBe(10)
    const stats = (await (await fetch(`${base}/stats`)).json()) as {
      stats: { executeScriptCalls: number }
    }
    expect(stats.stats.executeScriptCalls).toBe(0)
  })
})
