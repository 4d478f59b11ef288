// The simulator's gRPC server over real HTTP/2, with a stand-in engine so the protocol behaviour
// (message order, batching, statuses, faults, encryption, recording) is tested on its own. The
// real PxL engine runs through the server in test/e2e and in simulator/pxl-integration.test.ts.
import { generateKeyPairSync } from 'node:crypto'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { create } from '@bufbuild/protobuf'
import { Code, ConnectError, createClient, type Client } from '@connectrpc/connect'
import { createGrpcTransport } from '@connectrpc/connect-node'
import {
  ExecuteScriptRequestSchema,
  VizierService,
  type ExecuteScriptResponse,
} from '../shared/pixie/gen/vizierapi_pb'
import { createVizierClient } from '../shared/pixie/client'
import { decryptRowBatch } from '../shared/pixie/encryption'
import { PxCanaryError } from '../shared/errors'
import type { VizierClient } from '../shared/pixie/types'
import { PxlCompileError, PxlRuntimeError, type ExecutePxl } from './pxl/types'
import { startSimulator, type Simulator } from './server'
import { generateHttpEvents } from './traffic'
import { visibleEndNs } from './datasource'
import { webScenario } from '../test/helpers/web-scenario'

const NOW = 1_800_000_000_000_000_000n
const WINDOW_NS = 60_000_000_000n

const scenario = webScenario('server-test', 7, { '200': 0.9, '500': 0.1 })

/**
 * Stand-in engine: 'COMPILE_ERROR' / 'RUNTIME_ERROR' in the script raise the engine's errors;
 * otherwise it returns http_events of the last 60 s ('events') and a one-row table echoing the
 * exec_funcs ('echo').
 */
const fakeEngine: ExecutePxl = (script, { source, execFuncs, nowNs }) => {
  if (script.includes('COMPILE_ERROR')) throw new PxlCompileError("name 'foo' is not defined", 3, 5)
  if (script.includes('RUNTIME_ERROR')) throw new PxlRuntimeError('division by zero')
  const table = source.table('http_events')
  if (!table) throw new PxlCompileError("Table 'http_events' not found", 1, 1)
  const times = table.data[0] as bigint[]
  const from = times.findIndex((t) => t >= nowNs - WINDOW_NS)
  return [
    { name: 'events', columns: table.columns, data: table.data.map((c) => c.slice(from)) },
    {
      name: 'echo',
      columns: [{ name: 'exec_funcs', type: 'STRING' }],
      data: [[JSON.stringify(execFuncs ?? [])]],
    },
  ]
}

function rawClient(sim: Simulator): Client<typeof VizierService> {
  return createClient(VizierService, createGrpcTransport({ baseUrl: `http://${sim.address}` }))
}

/** Reads a whole ExecuteScript stream: every message, and the error that ended it (if any). */
async function collect(
  sim: Simulator,
  request: Partial<{ queryStr: string; queryId: string }> & Record<string, unknown>,
  options: { timeoutMs?: number; headers?: Record<string, string> } = {}
): Promise<{ messages: ExecuteScriptResponse[]; error?: ConnectError }> {
  const messages: ExecuteScriptResponse[] = []
  try {
    const stream = rawClient(sim).executeScript(create(ExecuteScriptRequestSchema, request), {
      timeoutMs: options.timeoutMs ?? 10_000,
      ...(options.headers ? { headers: options.headers } : {}),
    })
    for await (const message of stream) messages.push(message)
    return { messages }
  } catch (err) {
    return { messages, error: ConnectError.from(err) }
  }
}

describe('simulator gRPC server', () => {
  let sim: Simulator
  let client: VizierClient

  beforeAll(async () => {
    sim = await startSimulator({
      scenario,
      port: 0,
      clock: () => NOW,
      batchRows: 100,
      executePxl: fakeEngine,
    })
    client = createVizierClient({ mode: 'direct', address: sim.address, defaultTimeoutMs: 5000 })
  })
  afterAll(async () => {
    await client?.close()
    await sim?.close()
  })
  afterEach(() => sim.clearFaults())

  it('should listen on 127.0.0.1 with an ephemeral port when asked for port 0', () => {
    expect(sim.host).toBe('127.0.0.1')
    expect(sim.port).toBeGreaterThan(0)
    expect(sim.address).toBe(`127.0.0.1:${sim.port}`)
  })

  it('should stream metadata, then batches ending in eow+eos per table, then stats, like Vizier', async () => {
    const { messages, error } = await collect(sim, { queryStr: 'import px' })
    expect(error).toBeUndefined()
    const queryIds = new Set(messages.map((m) => m.queryId))
    expect(queryIds.size).toBe(1)
    expect([...queryIds][0]).toMatch(/^[0-9a-f-]{36}$/)

    const kinds = messages.map((m) =>
      m.result.case === 'metaData' ? 'meta' : m.result.value?.executionStats ? 'stats' : 'batch'
    )
    expect(kinds.slice(0, 2)).toEqual(['meta', 'meta'])
    expect(kinds[kinds.length - 1]).toBe('stats')
    expect(kinds.slice(2, -1).every((k) => k === 'batch')).toBe(true)

    const metas = messages.flatMap((m) => (m.result.case === 'metaData' ? [m.result.value] : []))
    expect(metas.map((m) => m.name)).toEqual(['events', 'echo'])
    for (const meta of metas) expect(meta.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-/)
    expect(metas[0]?.relation?.columns.map((c) => c.columnName)).toContain('resp_status')

    const expected = generateHttpEvents(sim.world, {
      startNs: NOW - WINDOW_NS,
      endNs: visibleEndNs(sim.world, NOW),
    })
    const expectedRows = expected.data[0]?.length ?? 0
    expect(expectedRows).toBeGreaterThan(100) // so the events table needs several batches
    for (const meta of metas) {
      const batches = messages.flatMap((m) =>
        m.result.case === 'data' && m.result.value.batch?.tableId === meta.id
          ? [m.result.value.batch]
          : []
      )
      expect(batches.length).toBeGreaterThan(1) // a zero-row batch first, then data
      expect(Number(batches[0]?.numRows)).toBe(0)
      expect(batches.every((b) => Number(b.numRows) <= 100)).toBe(true)
      const last = batches[batches.length - 1]
      expect(last?.eos && last.eow).toBe(true)
      expect(batches.slice(0, -1).some((b) => b.eos || b.eow)).toBe(false)
      const rows = batches.reduce((n, b) => n + Number(b.numRows), 0)
      expect(rows).toBe(meta.name === 'events' ? expectedRows : 1)
    }
    const stats = messages[messages.length - 1]?.result.value
    expect(stats && 'executionStats' in stats && stats.executionStats?.recordsProcessed).toBe(
      BigInt(sim.requests[sim.requests.length - 1]?.rowsScanned ?? -1)
    )
  })

  it('should deliver exactly the generated rows through the shared client', async () => {
    const result = await client.executeScript({ script: 'import px' })
    const events = result.tables.get('events')
    const expected = generateHttpEvents(sim.world, {
      startNs: NOW - WINDOW_NS,
      endNs: visibleEndNs(sim.world, NOW),
    })
    expect(events?.rows.length).toBe(expected.data[0]?.length)
    const statusIndex = expected.columns.findIndex((c) => c.name === 'resp_status')
    const upidIndex = expected.columns.findIndex((c) => c.name === 'upid')
    expect(events?.rows.map((r) => r.resp_status)).toEqual(expected.data[statusIndex])
    expect(events?.rows.map((r) => r.upid)).toEqual(expected.data[upidIndex])
    expect(result.stats?.recordsProcessed).toBeGreaterThan(0n)
  })

  it('should record each request with its script, exec_funcs and headers, and count calls', async () => {
    sim.resetStats()
    const execFuncs = [
      {
        funcName: 'stats_by_replicaset',
        args: { start_time: '-60s', replicaset: 'default/web-6d4b9c7f8' },
        outputTablePrefix: 'http_stats',
      },
    ]
    const { messages } = await collect(
      sim,
      {
        queryStr: 'import px # recorded',
        queryName: 'px-canary/test',
        execFuncs: execFuncs.map((f) => ({
          funcName: f.funcName,
          argValues: Object.entries(f.args).map(([name, value]) => ({ name, value })),
          outputTablePrefix: f.outputTablePrefix,
        })),
      },
      { headers: { 'pixie-api-key': 'px-api-test' } }
    )
    expect(messages.length).toBeGreaterThan(0)
    expect(sim.stats.executeScriptCalls).toBe(1)
    expect(sim.requests).toHaveLength(1)
    const recorded = sim.requests[0]
    expect(recorded?.queryStr).toBe('import px # recorded')
    expect(recorded?.queryName).toBe('px-canary/test')
    expect(recorded?.execFuncs).toEqual(execFuncs)
    expect(recorded?.headers['pixie-api-key']).toBe('px-api-test')
    expect(recorded?.outcome).toBe('ok')
    expect(recorded?.nowNs).toBe(NOW)
    expect(recorded?.rowsScanned).toBeGreaterThan(0)
    expect(sim.stats.rowsScanned).toBe(recorded?.rowsScanned)
  })

  it('should warn when a start_time argument reaches past the simulated history', async () => {
    const warnings: string[] = []
    const local = await startSimulator({
      scenario,
      port: 0,
      clock: () => NOW,
      executePxl: fakeEngine,
      onWarning: (m) => warnings.push(m),
    })
    try {
      for (const start of ['-60s', '-1h']) {
        await collect(local, {
          queryStr: 'import px',
          execFuncs: [{ funcName: 'f', argValues: [{ name: 'start_time', value: start }] }],
        })
      }
      expect(local.requests.map((r) => r.warnings.length)).toEqual([0, 1])
      expect(warnings).toHaveLength(1)
      expect(warnings[0]).toContain('start_time -1h reaches past the simulated history (300s)')
    } finally {
      await local.close()
    }
  })

  it('should report a compile error in-band with line and column, then end INVALID_ARGUMENT', async () => {
    const { messages, error } = await collect(sim, { queryStr: 'COMPILE_ERROR' })
    expect(messages).toHaveLength(1)
    const status = messages[0]?.status
    expect(status?.code).toBe(3)
    const detail = status?.errorDetails[0]?.error
    expect(detail?.case).toBe('compilerError')
    expect(detail?.value?.line).toBe(3n)
    expect(detail?.value?.column).toBe(5n)
    expect(error?.code).toBe(Code.InvalidArgument)
  })

  it('should report a runtime error in-band, then end INTERNAL', async () => {
    const { messages, error } = await collect(sim, { queryStr: 'RUNTIME_ERROR' })
    expect(messages[0]?.status?.code).toBe(13)
    expect(messages[0]?.status?.message).toBe('division by zero')
    expect(error?.code).toBe(Code.Internal)
  })

  it('should reject an empty script with INVALID_ARGUMENT', async () => {
    const { error } = await collect(sim, { queryStr: '' })
    expect(error?.code).toBe(Code.InvalidArgument)
    expect(error?.rawMessage).toBe('Query should not be empty.')
  })

  it('should answer HealthCheck with an OK status', async () => {
    const replies = []
    for await (const r of rawClient(sim).healthCheck({ clusterId: 'x' }, { timeoutMs: 5000 })) {
      replies.push(r)
    }
    expect(replies).toHaveLength(1)
    expect(replies[0]?.status?.code).toBe(0)
  })

  describe('faults', () => {
    async function failure(timeoutMs = 5000): Promise<PxCanaryError> {
      const err = await client.executeScript({ script: 'import px', timeoutMs }).catch((e) => e)
      expect(err).toBeInstanceOf(PxCanaryError)
      return err as PxCanaryError
    }

    it('should fail UNAVAILABLE with the cloud message when the cluster is unhealthy', async () => {
      sim.setFault({ error: 'unavailable' })
      const { error } = await collect(sim, { queryStr: 'import px' })
      expect(error?.code).toBe(Code.Unavailable)
      expect(error?.rawMessage).toBe('cluster is not in a healthy state')
      expect((await failure()).code).toBe('pixie_unavailable')
    })

    it('should fail INTERNAL with the auth middleware message for a bad key', async () => {
      sim.setFault({ error: 'unauthenticated' })
      const { error } = await collect(sim, { queryStr: 'import px' })
      expect(error?.code).toBe(Code.Internal)
      expect(error?.rawMessage).toBe(
        'Auth middleware failed: failed to fetch token - unauthenticated'
      )
      expect((await failure()).code).toBe('pixie_unauthenticated')
    })

    it('should reset the HTTP/2 stream after the configured number of messages', async () => {
      sim.setFault({ error: 'reset', resetAfterMessages: 1 })
      const { messages, error } = await collect(sim, { queryStr: 'import px' })
      expect(messages.length).toBeLessThanOrEqual(1)
      expect(error).toBeDefined()
      expect(error?.metadata.has('grpc-status')).toBe(false) // no trailers: a transport failure
      expect((await failure()).code).toBe('pixie_transport_error')
    })

    it('should hang until the client deadline when told to hang', async () => {
      sim.setFault({ error: 'hang' })
      const { error } = await collect(sim, { queryStr: 'import px' }, { timeoutMs: 300 })
      expect(error?.code).toBe(Code.DeadlineExceeded)
      expect((await failure(300)).code).toBe('pixie_deadline_exceeded')
    })

    it('should delay answers by the added latency, beyond a short deadline', async () => {
      sim.setFault({ latencyMs: 2000 })
      expect((await failure(200)).code).toBe('pixie_deadline_exceeded')
      sim.setFault({ latencyMs: 50 })
      const result = await client.executeScript({ script: 'import px', timeoutMs: 5000 })
      expect(result.tables.has('events')).toBe(true)
    })

    it('should apply a fault to the next N calls only when given times', async () => {
      sim.setFault({ error: 'unavailable', times: 1 })
      expect((await failure()).code).toBe('pixie_unavailable')
      const result = await client.executeScript({ script: 'import px' })
      expect(result.tables.has('events')).toBe(true)
      expect(sim.faults()).toEqual({})
    })
  })

  it('should scale rows with the traffic multiplier', async () => {
    const local = await startSimulator({
      scenario,
      port: 0,
      clock: () => NOW,
      executePxl: fakeEngine,
    })
    const localClient = createVizierClient({ mode: 'direct', address: local.address })
    try {
      const base = (await localClient.executeScript({ script: 'x' })).tables.get('events')?.rows
      local.setMultiplier(10)
      const scaled = (await localClient.executeScript({ script: 'x' })).tables.get('events')?.rows
      const ratio = (scaled?.length ?? 0) / (base?.length ?? 1)
      expect(ratio).toBeGreaterThan(9)
      expect(ratio).toBeLessThan(11)
    } finally {
      await localClient.close()
      await local.close()
    }
  })

  it('should end a hanging call when the simulator closes', async () => {
    const local = await startSimulator({
      scenario,
      port: 0,
      clock: () => NOW,
      executePxl: fakeEngine,
      faults: { error: 'hang' },
    })
    const pending = collect(local, { queryStr: 'import px' }, { timeoutMs: 20_000 })
    for (let i = 0; i < 100 && local.stats.executeScriptCalls === 0; i++) {
      await new Promise((r) => setTimeout(r, 20))
    }
    await local.close()
    const { error } = await pending
    expect(error).toBeDefined()
    expect(error?.code).not.toBe(Code.DeadlineExceeded)
  })
})

describe('simulator encryption', () => {
  let sim: Simulator
  beforeAll(async () => {
    sim = await startSimulator({
      scenario: { ...scenario, encrypt: true },
      port: 0,
      clock: () => NOW,
      executePxl: fakeEngine,
    })
  })
  afterAll(async () => {
    await sim?.close()
  })

  it('should encrypt every batch as a JWE when the request asks for it, leaving metadata clear', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const jwk = JSON.stringify(publicKey.export({ format: 'jwk' }))
    const { messages, error } = await collect(sim, {
      queryStr: 'import px',
      encryptionOptions: {
        jwkKey: jwk,
        keyAlg: 'RSA-OAEP-256',
        contentAlg: 'A256GCM',
        compressionAlg: 'DEF',
      },
    })
    expect(error).toBeUndefined()
    const metas = messages.filter((m) => m.result.case === 'metaData')
    expect(metas.map((m) => (m.result.case === 'metaData' ? m.result.value.name : ''))).toEqual([
      'events',
      'echo',
    ])
    const data = messages.flatMap((m) => (m.result.case === 'data' ? [m.result.value] : []))
    const encrypted = data.filter((d) => d.encryptedBatch.length > 0)
    expect(data.some((d) => d.batch !== undefined)).toBe(false)
    expect(encrypted.length).toBeGreaterThan(2)
    const first = new TextDecoder().decode(encrypted[0]?.encryptedBatch)
    expect(first.split('.')).toHaveLength(5)
    const header = JSON.parse(Buffer.from(first.split('.')[0] ?? '', 'base64url').toString())
    expect(header).toEqual({ alg: 'RSA-OAEP-256', enc: 'A256GCM', zip: 'DEF' })
    let rows = 0
    for (const d of encrypted)
      rows += Number((await decryptRowBatch(d.encryptedBatch, privateKey)).numRows)
    const expected = generateHttpEvents(sim.world, {
      startNs: NOW - WINDOW_NS,
      endNs: visibleEndNs(sim.world, NOW),
    })
    expect(rows).toBe((expected.data[0]?.length ?? 0) + 1)
  })

  it('should decrypt end to end with the shared client in encryption mode', async () => {
    const client = createVizierClient({ mode: 'direct', address: sim.address, encryption: true })
    try {
      const result = await client.executeScript({ script: 'import px', timeoutMs: 20_000 })
      const expected = generateHttpEvents(sim.world, {
        startNs: NOW - WINDOW_NS,
        endNs: visibleEndNs(sim.world, NOW),
      })
      expect(result.tables.get('events')?.rows.length).toBe(expected.data[0]?.length)
      expect(sim.requests[sim.requests.length - 1]?.encryptionRequested).toBe(true)
    } finally {
      await client.close()
    }
  })

  // Vizier returns newEncryptConsumer's plain Go error, which gRPC sends as UNKNOWN (pixie-io/pixie
  // src/vizier/services/query_broker/controllers/server.go ExecuteScript).
  it('should reject bad encryption options with UNKNOWN, checking the key first', async () => {
    const { error } = await collect(sim, {
      queryStr: 'import px',
      encryptionOptions: {
        jwkKey: '{}',
        keyAlg: 'RSA1_5',
        contentAlg: 'A256GCM',
        compressionAlg: '',
      },
    })
    expect(error?.code).toBe(Code.Unknown)
    expect(error?.rawMessage).toContain('jwk_key')
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const publicJwk = JSON.stringify(publicKey.export({ format: 'jwk' }))
    const { error: algError } = await collect(sim, {
      queryStr: 'import px',
      encryptionOptions: {
        jwkKey: publicJwk,
        keyAlg: 'nope',
        contentAlg: 'A256GCM',
        compressionAlg: '',
      },
    })
    expect(algError?.code).toBe(Code.Unknown)
    expect(algError?.rawMessage).toContain('key_alg')
  })
})
