// Integration: the simulator process the bench drives, and the load worker's direct and paired
// modes against it. Uses the real simulator and PxL engine with the bench scenario.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildHttpStatsCall } from '../shared/pxl/request'
import { DEFAULT_EXCLUDED_PATHS } from '../shared/pxl/exclusion'
import { cleanupLoadWorker, runLoad, type ReplayCall } from './load'
import { liveCount } from '../test/helpers/spawn'
import { BENCH_NAMESPACE, BENCH_REPLICASET, benchScenario } from './scenario'
import { startSimulatorHost, type SimulatorHandle } from './simulator-client'

let sim: SimulatorHandle
let server: Server
let port = 0
let call: ReplayCall

beforeAll(async () => {
  sim = await startSimulatorHost(benchScenario, 1)
  server = createServer((_req, res) => res.end('{}'))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  port = (server.address() as AddressInfo).port
  const built = buildHttpStatsCall(
    {
      selector: { kind: 'replicaset', namespace: BENCH_NAMESPACE, replicaset: BENCH_REPLICASET },
      windowSeconds: 60,
      excludedPaths: [...DEFAULT_EXCLUDED_PATHS, '/bench-77'],
      errorMinStatus: 400,
    },
    'bench-test'
  )
  call = {
    script: built.options.script,
    execFuncs: built.options.execFuncs ?? [],
    queryName: 'bench-test',
  }
})

afterAll(async () => {
  cleanupLoadWorker()
  await sim?.close()
  server?.closeAllConnections()
  await new Promise((resolve) => server?.close(resolve))
})

describe('simulator host', () => {
  it('should listen on 127.0.0.1 and start with zero counters', async () => {
    expect(sim.address).toMatch(/^127\.0\.0\.1:\d+$/)
    await sim.resetStats()
    expect((await sim.stats()).executeScriptCalls).toBe(0)
  })

  it('should count direct calls and time each one inside the simulator', async () => {
    await sim.resetStats()
    const result = await runLoad({
      target: { kind: 'grpc', address: sim.address, calls: [call] },
      concurrency: 1,
      warmupMs: 0,
      durationMs: 300,
    })
    expect(result.ok).toBeGreaterThan(0)
    const stats = await sim.stats()
    expect(stats.executeScriptCalls).toBeGreaterThanOrEqual(result.ok)
    const records = await sim.records(1)
    expect(records.length).toBe(stats.executeScriptCalls)
    expect(records[0]?.queryStr).toBe(call.script)
    expect(records[1]?.queryStr).toBeUndefined()
    expect(records.every((r) => r.outcome === 'ok' && typeof r.engineMs === 'number')).toBe(true)
    expect(records[0]?.rowsScanned).toBeGreaterThan(0)
    expect(records[0]?.rowsReturned).toBeGreaterThan(0)
  })

  it('should scan more rows after the traffic multiplier grows', async () => {
    await sim.resetStats()
    await runLoad({
      target: { kind: 'grpc', address: sim.address, calls: [call] },
      concurrency: 1,
      warmupMs: 0,
      durationMs: 100,
    })
    const before = (await sim.records(0))[0]?.rowsScanned ?? 0
    await sim.setMultiplier(10)
    await sim.resetStats()
    await runLoad({
      target: { kind: 'grpc', address: sim.address, calls: [call] },
      concurrency: 1,
      warmupMs: 0,
      durationMs: 100,
    })
    const after = (await sim.records(0))[0]?.rowsScanned ?? 0
    await sim.setMultiplier(1)
    expect(after).toBeGreaterThan(before * 5)
  })

  it('should pair each HTTP request with one direct call in paired mode', async () => {
    await sim.resetStats()
    const result = await runLoad({
      target: { kind: 'paired', port, paths: ['/x'], address: sim.address, calls: [call] },
      concurrency: 2,
      warmupMs: 0,
      durationMs: 300,
    })
    expect(result.completed).toBeGreaterThan(0)
    expect(result.directMs).toHaveLength(result.completed)
    expect((await sim.stats()).executeScriptCalls).toBeGreaterThanOrEqual(result.completed)
  })
})

describe('simulator host close', () => {
  it('should leave no process behind', async () => {
    const other = await startSimulatorHost(benchScenario, 1)
    await other.close()
    await expect(other.stats()).rejects.toThrow(/simulator/)
    await sim.close()
    expect(liveCount()).toBe(0)
  })
})
