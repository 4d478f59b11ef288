// Simulator faults seen through the bundled functions: each Pixie failure mode must come back as
// the documented HTTP error (status + stable code), never as a number.
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startSimulator, type Simulator } from '../../simulator/server'
import { ROOT, startFunction, type RunningFunction } from './helpers/functions'

const QUERY = '/?namespace=default&replicaset=canary-demo-7d9f8c6b5'

describe('e2e: Pixie faults through the functions', () => {
  let sim: Simulator | undefined
  let errorRate: RunningFunction | undefined
  // The latency function has a simulator of its own, so the two cases that wait for the function's
  // real deadline can wait at the same time without one's fault reaching the other's call. A
  // simulator takes a call's faults when the call arrives, so clearing them later never changes a
  // call in flight.
  let hangSim: Simulator | undefined
  let latency: RunningFunction | undefined

  beforeAll(async () => {
    const scenario = join(ROOT, 'scenarios', 'demo.json')
    ;[sim, hangSim] = await Promise.all([
      startSimulator({ scenario, port: 0, host: '127.0.0.1' }),
      startSimulator({ scenario, port: 0, host: '127.0.0.1' }),
    ])
    ;[errorRate, latency] = await Promise.all([
      startFunction('error-rate', sim.address),
      startFunction('latency', hangSim.address),
    ])
  })
  afterAll(async () => {
    await Promise.all([errorRate?.close(), latency?.close()])
    await Promise.all([sim?.close(), hangSim?.close()])
  })
  afterEach(() => sim?.clearFaults())

  async function expectError(fn: RunningFunction, status: number, code: string): Promise<void> {
    const r = await fn.get(QUERY)
    expect(r.status, JSON.stringify(r.body)).toBe(status)
    const error = r.body.error as { code: string; message: string }
    expect(error.code).toBe(code)
    expect(error.message.length).toBeGreaterThan(0)
    expect(r.body).not.toHaveProperty('value')
  }

  it('should answer 200 with a measurement while Pixie is healthy', async () => {
    const r = await errorRate!.get(QUERY)
    expect(r.status).toBe(200)
    expect(typeof r.body.value).toBe('number')
  })

  it('should map UNAVAILABLE (cluster not healthy) to 502 pixie_unavailable', async () => {
    sim!.setFault({ error: 'unavailable' })
    await expectError(errorRate!, 502, 'pixie_unavailable')
  })

  it('should map the auth middleware failure to 502 pixie_unauthenticated', async () => {
    sim!.setFault({ error: 'unauthenticated' })
    await expectError(errorRate!, 502, 'pixie_unauthenticated')
  })

  it('should map a stream reset mid-stream to 502 pixie_transport_error', async () => {
    sim!.setFault({ error: 'reset', resetAfterMessages: 1 })
    await expectError(errorRate!, 502, 'pixie_transport_error')
  })

  it.concurrent(
    'should map added latency beyond the function deadline to 504 pixie_deadline_exceeded',
    async () => {
      sim!.setFault({ latencyMs: 20_000 })
      await expectError(errorRate!, 504, 'pixie_deadline_exceeded')
    }
  )

  it.concurrent(
    'should map a Pixie that never answers to 504 pixie_deadline_exceeded',
    async () => {
      hangSim!.setFault({ error: 'hang' })
      try {
        await expectError(latency!, 504, 'pixie_deadline_exceeded')
      } finally {
        hangSim!.clearFaults()
      }
    }
  )

  it('should measure again once the fault is gone', async () => {
    sim!.setFault({ error: 'unavailable', times: 1 })
    await expectError(errorRate!, 502, 'pixie_unavailable')
    const r = await errorRate!.get(QUERY)
    expect(r.status).toBe(200)
    expect(typeof r.body.value).toBe('number')
  })
})
