/**
 * The client over real HTTP/2 gRPC, against the Vizier double (test/vizier-double).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createServer } from 'node:net'
import type { AddressInfo, Socket } from 'node:net'
import { PxCanaryError } from '../errors'
import { createVizierClient } from './client'
import { generateE2eKeyPair } from './encryption'
import { encryptRowBatch } from '../../simulator/vizier-wire/batch-encryption'
import type { VizierClient } from './types'
import {
  batchMessages,
  Code,
  compileErrorMessage,
  encryptForCall,
  answerInClear,
  refuseAfterGoaway,
  failWith,
  hang,
  metadataMessage,
  neverAnswer,
  resetAfter,
  respondWith,
  respondWithTable,
  respondWithTables,
  selfSignedCertificate,
  startVizierDouble,
  statsMessage,
  thenFail,
} from '../../test/vizier-double'
import type { CallOutcome, TableSpec, VizierDouble } from '../../test/vizier-double'
import { freePort } from '../../test/helpers/spawn'

const SCRIPT = "import px\ndf = px.DataFrame('http_events')\npx.display(df, 'out')\n"

const http: TableSpec = {
  name: 'http_stats',
  id: '6a1e33c4-9d0f-4c55-8a47-1f2b8f9d7c10',
  columns: [
    { name: 'pod', type: 'STRING' },
    { name: 'requests', type: 'INT64' },
    { name: 'errors', type: 'INT64' },
  ],
  rows: Array.from({ length: 25 }, (_, i) => ({
    pod: `ns/web-${i}`,
    requests: 100 + i,
    errors: i % 3,
  })),
}

const allTypes: TableSpec = {
  name: 'all_types',
  columns: [
    { name: 'b', type: 'BOOLEAN' },
    { name: 'i', type: 'INT64' },
    { name: 'u', type: 'UINT128' },
    { name: 'f', type: 'FLOAT64' },
    { name: 's', type: 'STRING' },
    { name: 't', type: 'TIME64NS' },
  ],
  rows: [
    {
      b: true,
      i: 9_007_199_254_740_993n, // 2^53 + 1: not representable as a number
      u: { high: 77311094061n, low: 34858981n },
      f: 0.125,
      s: 'ünïcode ✓',
      t: 1_700_000_000_123_456_789n,
    },
    {
      b: false,
      i: -(2n ** 63n),
      u: '00112233-4455-6677-8899-aabbccddeeff',
      f: -1e300,
      s: '',
      t: 0n,
    },
  ],
}

/** Resolves with the promise's value, or rejects when it takes longer than ms. */
function within<T>(promise: Promise<T>, ms = 5000): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not settled within ${ms} ms`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection')
    },
    (e: unknown) => e
  )
}

async function pxError(promise: Promise<unknown>): Promise<PxCanaryError> {
  const err = await rejection(promise)
  expect(err).toBeInstanceOf(PxCanaryError)
  return err as PxCanaryError
}

function lastOutcome(double: VizierDouble): Promise<CallOutcome> {
  const call = double.requests.at(-1)
  if (!call) throw new Error('the double received no call')
  return within(call.outcome)
}

/** A behaviour wrapper that reports when a call arrived. */
function arrival() {
  let arrived!: () => void
  const promise = new Promise<void>((resolve) => (arrived = resolve))
  return { promise, arrived }
}

describe('Vizier client, direct mode (h2c)', () => {
  let double: VizierDouble
  let client: VizierClient

  beforeAll(async () => {
    double = await startVizierDouble(respondWithTable(http))
    client = createVizierClient({ mode: 'direct', address: double.address })
  })
  afterAll(async () => {
    await client?.close()
    await double?.close()
  })

  it('should fetch one table as typed rows and send the request fields', async () => {
    double.setBehaviour(respondWithTable(http, { batchSize: 10, queryId: 'query-1' }))
    const result = await client.executeScript({
      script: SCRIPT,
      execFuncs: [
        {
          funcName: 'error_rate',
          args: { namespace: 'prod', window: '60s' },
          outputTablePrefix: 'out',
        },
      ],
      queryName: 'px-canary-error-rate',
    })
    expect(result.queryId).toBe('query-1')
    const table = result.tables.get('http_stats')
    expect(table?.rows).toHaveLength(25)
    expect(table?.rows[7]).toEqual({ pod: 'ns/web-7', requests: 107n, errors: 1n })
    expect(result.stats?.recordsProcessed).toBe(25n)

    const { request, headers } = double.requests.at(-1)!
    expect(request.queryStr).toBe(SCRIPT)
    expect(request.queryName).toBe('px-canary-error-rate')
    expect(request.clusterId).toBe('')
    expect(request.encryptionOptions).toBeUndefined()
    expect(request.execFuncs.map((f) => [f.funcName, f.outputTablePrefix])).toEqual([
      ['error_rate', 'out'],
    ])
    expect(request.execFuncs[0]?.argValues.map((a) => [a.name, a.value])).toEqual([
      ['namespace', 'prod'],
      ['window', '60s'],
    ])
    expect(headers['pixie-api-key']).toBeUndefined()
    expect(headers['grpc-timeout']).toMatch(/^\d+[mSM]$/)
    expect(await lastOutcome(double)).toBe('ok')
  })

  it('should assemble two tables whose batches interleave', async () => {
    const other: TableSpec = {
      name: 'latency',
      id: 'b7c1a2d3-0000-4000-8000-00000000000b',
      columns: [{ name: 'p99_ms', type: 'FLOAT64' }],
      rows: [{ p99_ms: 10 }, { p99_ms: 11 }, { p99_ms: 12 }],
    }
    double.setBehaviour(respondWithTables([http, other], { batchSize: 2 }))
    const result = await client.executeScript({ script: SCRIPT })
    expect([...result.tables.keys()]).toEqual(['http_stats', 'latency'])
    expect(result.tables.get('http_stats')?.rows.map((r) => r.pod)).toEqual(
      http.rows.map((r) => r.pod)
    )
    expect(result.tables.get('latency')?.rows.map((r) => r.p99_ms)).toEqual([10, 11, 12])
  })

  it('should ignore zero-row keepalive batches', async () => {
    double.setBehaviour(respondWithTable(http, { batchSize: 4, keepalives: true }))
    const result = await client.executeScript({ script: SCRIPT })
    expect(result.tables.get('http_stats')?.rows).toHaveLength(25)
  })

  it('should decode every column type, UINT128 as UUID and int64 beyond 2^53 exactly', async () => {
    double.setBehaviour(respondWithTable(allTypes))
    const rows = (await client.executeScript({ script: SCRIPT })).tables.get('all_types')?.rows
    expect(rows).toEqual([
      {
        b: true,
        i: 9_007_199_254_740_993n,
        u: '00000012-0019-ad2d-0000-00000213e7e5',
        f: 0.125,
        s: 'ünïcode ✓',
        t: 1_700_000_000_123_456_789n,
      },
      {
        b: false,
        i: -(2n ** 63n),
        u: '00112233-4455-6677-8899-aabbccddeeff',
        f: -1e300,
        s: '',
        t: 0n,
      },
    ])
  })

  it('should report a compile error with its line and column, ahead of the trailer status', async () => {
    double.setBehaviour(
      thenFail(
        respondWith(compileErrorMessage([{ line: 4, column: 9, message: "Could not find 'pxx'" }])),
        Code.InvalidArgument,
        'Compilation failed'
      )
    )
    const err = await pxError(client.executeScript({ script: SCRIPT }))
    expect(err.code).toBe('pixie_script_error')
    expect(err.details).toMatchObject({
      line: 4,
      column: 9,
      compiler_message: "Could not find 'pxx'",
    })
  })

  it("should map INTERNAL 'Auth middleware failed' to pixie_unauthenticated", async () => {
    double.setBehaviour(
      failWith(Code.Internal, 'Auth middleware failed: failed to fetch token - unauthenticated')
    )
    const err = await pxError(client.executeScript({ script: SCRIPT }))
    expect(err.code).toBe('pixie_unauthenticated')
    expect(err.message).toContain('failed to fetch token')
  })

  it("should map UNAVAILABLE 'cluster is not in a healthy state' to pixie_unavailable", async () => {
    double.setBehaviour(failWith(Code.Unavailable, 'cluster is not in a healthy state'))
    const err = await pxError(client.executeScript({ script: SCRIPT }))
    expect(err.code).toBe('pixie_unavailable')
    expect(err.message).toContain('cluster is not in a healthy state')
  })

  it('should give up at the deadline when the server never answers, and cancel the stream', async () => {
    double.setBehaviour(neverAnswer())
    const err = await pxError(client.executeScript({ script: SCRIPT, timeoutMs: 300 }))
    expect(err.code).toBe('pixie_deadline_exceeded')
    expect(err.details).toEqual({ timeout_ms: 300 })
    expect(await lastOutcome(double)).toBe('cancelled')
  })

  it('should give up at the deadline when the stream stalls after data', async () => {
    double.setBehaviour(
      respondWith(metadataMessage(http), ...batchMessages(http, http.rows, { eos: false }), hang())
    )
    const err = await pxError(client.executeScript({ script: SCRIPT, timeoutMs: 300 }))
    expect(err.code).toBe('pixie_deadline_exceeded')
  })

  it('should report a stream reset mid-way as a transport error', async () => {
    double.setBehaviour(resetAfter(2, respondWithTable(http, { batchSize: 5 })))
    const err = await pxError(client.executeScript({ script: SCRIPT }))
    expect(err.code).toBe('pixie_transport_error')
    expect(await lastOutcome(double)).toBe('reset')
  })

  it('should call a stream that ends OK before a table ended a partial result', async () => {
    double.setBehaviour(
      respondWith(metadataMessage(http), ...batchMessages(http, http.rows, { eos: false }))
    )
    const err = await pxError(client.executeScript({ script: SCRIPT }))
    expect(err.code).toBe('pixie_protocol_error')
    expect(err.message).toContain('partial result')
  })

  it('should cancel the server-side stream and reject with the reason when the caller aborts', async () => {
    const { promise, arrived } = arrival()
    double.setBehaviour(async function* () {
      yield metadataMessage(http)
      arrived()
      yield hang()
    })
    const controller = new AbortController()
    const pending = client.executeScript({ script: SCRIPT, signal: controller.signal })
    await within(promise)
    const reason = new Error('the caller gave up')
    controller.abort(reason)
    expect(await rejection(pending)).toBe(reason)
    expect(await lastOutcome(double)).toBe('cancelled')
  })

  it('should reject at once with the reason when the signal is already aborted', async () => {
    const before = double.requests.length
    const reason = new Error('too late')
    const err = await rejection(
      client.executeScript({ script: SCRIPT, signal: AbortSignal.abort(reason) })
    )
    expect(err).toBe(reason)
    expect(double.requests.length).toBe(before)
  })

  it('should refuse a table over the row cap and cancel the call', async () => {
    const capped = createVizierClient({
      mode: 'direct',
      address: double.address,
      maxRowsPerTable: 20,
    })
    try {
      double.setBehaviour(
        respondWith(
          metadataMessage(http),
          ...batchMessages(http, http.rows, { batchSize: 5 }),
          hang()
        )
      )
      const err = await pxError(capped.executeScript({ script: SCRIPT }))
      expect(err.code).toBe('pixie_result_too_large')
      expect(err.details).toMatchObject({ table: 'http_stats', max_rows_per_table: 20 })
      expect(await lastOutcome(double)).toBe('cancelled')
    } finally {
      await capped.close()
    }
  })

  it('should refuse a result over the byte cap and cancel the call', async () => {
    const wide: TableSpec = {
      name: 'wide',
      columns: [{ name: 's', type: 'STRING' }],
      rows: Array.from({ length: 50 }, () => ({ s: 'x'.repeat(1000) })),
    }
    const capped = createVizierClient({
      mode: 'direct',
      address: double.address,
      maxResultBytes: 20_000,
    })
    try {
      double.setBehaviour(
        respondWith(
          metadataMessage(wide),
          ...batchMessages(wide, wide.rows, { batchSize: 10 }),
          hang()
        )
      )
      const err = await pxError(capped.executeScript({ script: SCRIPT }))
      expect(err.code).toBe('pixie_result_too_large')
      expect(await lastOutcome(double)).toBe('cancelled')
    } finally {
      await capped.close()
    }
  })

  it('should refuse an encrypted batch when encryption is off', async () => {
    const stranger = await generateE2eKeyPair(2048)
    double.setBehaviour(async function* () {
      yield metadataMessage(http)
      for (const m of batchMessages(http, http.rows)) {
        if (m.result.case === 'data' && m.result.value.batch) {
          m.result.value.encryptedBatch = await encryptRowBatch(
            m.result.value.batch,
            stranger.publicJwk
          )
          m.result.value.batch = undefined
        }
        yield m
      }
    })
    const err = await pxError(client.executeScript({ script: SCRIPT }))
    expect(err.code).toBe('pixie_decryption_failed')
    expect(err.message).toContain('no key was sent')
  })

  it('should retry once, on a fresh session, a stream refused after a GOAWAY (never processed)', async () => {
    double.setBehaviour(refuseAfterGoaway(respondWithTable(http)))
    const calls = double.requests.length
    const sessions = double.sessionCount
    const result = await client.executeScript({ script: SCRIPT, timeoutMs: 5000 })
    expect(result.tables.get('http_stats')?.rows).toHaveLength(25)
    expect(double.requests.length - calls).toBe(2)
    expect(await double.requests.at(-2)!.outcome).toBe('reset')
    expect(double.requests.at(-1)!.session).toBeGreaterThan(double.requests.at(-2)!.session)
    expect(double.sessionCount).toBeGreaterThan(sessions)
  })

  it('should retry a refused stream only once: refused twice is a transport error', async () => {
    double.setBehaviour(refuseAfterGoaway(respondWithTable(http), 2))
    const calls = double.requests.length
    const err = await pxError(client.executeScript({ script: SCRIPT, timeoutMs: 5000 }))
    expect(err.code).toBe('pixie_transport_error')
    expect(double.requests.length - calls).toBe(2)
    // A stream the server did process is never retried.
    double.setBehaviour(resetAfter(1, respondWithTable(http)))
    const before = double.requests.length
    expect((await pxError(client.executeScript({ script: SCRIPT }))).code).toBe(
      'pixie_transport_error'
    )
    expect(double.requests.length - before).toBe(1)
    double.setBehaviour(respondWithTable(http))
  })

  it('should reject calls after close, and cancel calls in flight', async () => {
    const closing = createVizierClient({ mode: 'direct', address: double.address })
    const { promise, arrived } = arrival()
    double.setBehaviour(async function* () {
      arrived()
      yield hang()
    })
    const pending = pxError(closing.executeScript({ script: SCRIPT }))
    await within(promise)
    await closing.close()
    expect((await pending).code).toBe('pixie_transport_error')
    expect((await pxError(closing.executeScript({ script: SCRIPT }))).code).toBe(
      'pixie_transport_error'
    )
  })
})

describe('Vizier client, E2E encryption', () => {
  let double: VizierDouble
  let client: VizierClient

  beforeAll(async () => {
    double = await startVizierDouble(respondWithTable(http))
    // RSA-4096 generation can take seconds on a loaded machine; the deadline is not under test here.
    client = createVizierClient({
      mode: 'direct',
      address: double.address,
      encryption: true,
      defaultTimeoutMs: 60_000,
    })
  })
  afterAll(async () => {
    await client?.close()
    await double?.close()
  })

  it('should send its public key and decrypt batches encrypted for it', async () => {
    double.setBehaviour(respondWithTable(allTypes, { encrypt: true, keepalives: true }))
    const result = await client.executeScript({ script: SCRIPT })
    expect(result.tables.get('all_types')?.rows[0]?.i).toBe(9_007_199_254_740_993n)

    const options = double.requests.at(-1)?.request.encryptionOptions
    expect(options).toMatchObject({
      keyAlg: 'RSA-OAEP-256',
      contentAlg: 'A256GCM',
      compressionAlg: 'DEF',
    })
    const jwk = JSON.parse(options?.jwkKey ?? '{}') as Record<string, string>
    expect(jwk.kty).toBe('RSA')
    expect(jwk.d).toBeUndefined()
    // RSA-4096: a 512-byte modulus.
    expect(Buffer.from(jwk.n ?? '', 'base64url').length).toBe(512)
  })

  it('should reuse one key pair across calls', async () => {
    double.setBehaviour(respondWithTable(http, { encrypt: true }))
    await client.executeScript({ script: SCRIPT })
    const keys = new Set(double.requests.map((r) => r.request.encryptionOptions?.jwkKey))
    expect(keys.size).toBe(1)
  })

  // A fresh client starts generating its RSA-4096 key pair at construction, which takes far
  // longer than the few milliseconds these calls allow: they end while still waiting for it.
  it('should end a call still waiting for the key pair at its deadline, sending nothing', async () => {
    const fresh = createVizierClient({ mode: 'direct', address: double.address, encryption: true })
    const before = double.requests.length
    const err = await pxError(fresh.executeScript({ script: SCRIPT, timeoutMs: 5 }))
    expect(err.code).toBe('pixie_deadline_exceeded')
    expect(err.details).toEqual({ timeout_ms: 5 })
    expect(double.requests.length).toBe(before)
    await fresh.close()
  })

  it("should end a call waiting for the key pair on the caller's abort, and on close()", async () => {
    const fresh = createVizierClient({ mode: 'direct', address: double.address, encryption: true })
    const caller = new AbortController()
    const aborted = pxError(fresh.executeScript({ script: SCRIPT, signal: caller.signal }))
    const closed = pxError(fresh.executeScript({ script: SCRIPT }))
    const reason = new PxCanaryError('bad_request', 'the caller went away')
    caller.abort(reason)
    expect(await within(aborted)).toBe(reason)
    await fresh.close()
    expect((await within(closed)).message).toBe('the Vizier client is closed')
  })

  it('should refuse a batch in the clear with encryption on (a downgrade) as pixie_decryption_failed', async () => {
    double.setBehaviour(answerInClear(http))
    const err = await pxError(client.executeScript({ script: SCRIPT }))
    expect(err.code).toBe('pixie_decryption_failed')
    expect(double.requests.at(-1)!.request.encryptionOptions?.jwkKey).toContain('RSA')
  })

  it('should fail a tampered batch with pixie_decryption_failed', async () => {
    double.setBehaviour(async function* (call) {
      yield metadataMessage(http)
      for (const m of batchMessages(http, http.rows)) {
        const encrypted = await encryptForCall(m, call)
        if (encrypted.result.case === 'data') {
          const bytes = encrypted.result.value.encryptedBatch
          const at = bytes.length - 30 // inside the ciphertext/tag, still base64url
          bytes[at] = bytes[at] === 0x41 ? 0x42 : 0x41
        }
        yield encrypted
      }
      yield statsMessage()
    })
    const err = await pxError(client.executeScript({ script: SCRIPT }))
    expect(err.code).toBe('pixie_decryption_failed')
  })
})

const certificate = selfSignedCertificate()

describe.skipIf(!certificate)('Vizier client, cloud mode (TLS)', () => {
  const apiKey = 'px-api-00000000-secret-key-value'
  const clusterId = '3f1d9c2e-5b7a-4e21-9f0c-8d6b2a4e1c37'
  let double: VizierDouble

  beforeAll(async () => {
    double = await startVizierDouble(respondWithTable(http), { tls: certificate! })
  })
  afterAll(async () => {
    await double?.close()
  })

  it('should send the API key header and cluster id over TLS, encrypted by default', async () => {
    const client = createVizierClient({
      mode: 'cloud',
      apiKey,
      clusterId,
      cloudAddr: double.address,
      tls: { ca: certificate!.cert },
      defaultTimeoutMs: 60_000,
    })
    try {
      double.setBehaviour(respondWithTable(http, { encrypt: true }))
      const result = await client.executeScript({ script: SCRIPT })
      expect(result.tables.get('http_stats')?.rows).toHaveLength(25)
      const { request, headers } = double.requests.at(-1)!
      expect(headers['pixie-api-key']).toBe(apiKey)
      expect(request.clusterId).toBe(clusterId)
      expect(request.encryptionOptions?.jwkKey).toContain('"kty":"RSA"')
    } finally {
      await client.close()
    }
  })

  it('should never put the API key in an error message', async () => {
    const client = createVizierClient({
      mode: 'cloud',
      apiKey,
      clusterId,
      cloudAddr: double.address,
      encryption: false,
      tls: { ca: certificate!.cert },
    })
    try {
      double.setBehaviour(failWith(Code.Unauthenticated, 'invalid API key'))
      const err = await pxError(client.executeScript({ script: SCRIPT }))
      expect(err.code).toBe('pixie_unauthenticated')
      expect(JSON.stringify({ m: err.message, d: err.details })).not.toContain(apiKey)
    } finally {
      await client.close()
    }
  })

  it('should refuse a server whose certificate it does not trust', async () => {
    const client = createVizierClient({
      mode: 'cloud',
      apiKey,
      clusterId,
      cloudAddr: double.address,
      encryption: false,
    })
    try {
      const err = await pxError(client.executeScript({ script: SCRIPT }))
      expect(err.code).toBe('pixie_transport_error')
      expect(err.message).not.toContain(apiKey)
    } finally {
      await client.close()
    }
  })
})

describe('Vizier client, connection handling', () => {
  it('should not connect before the first call', async () => {
    const sockets: Socket[] = []
    const server = createServer((socket) => {
      sockets.push(socket)
      socket.destroy()
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    const client = createVizierClient({ mode: 'direct', address: `127.0.0.1:${port}` })
    try {
      await new Promise((resolve) => setTimeout(resolve, 50))
      expect(sockets).toHaveLength(0)
      const err = await pxError(client.executeScript({ script: SCRIPT, timeoutMs: 2000 }))
      expect(['pixie_transport_error', 'pixie_deadline_exceeded']).toContain(err.code)
      expect(sockets.length).toBeGreaterThan(0)
    } finally {
      await client.close()
      await new Promise((resolve) => server.close(resolve))
    }
  })

  it('should connect and make its key pair on warm(), and use both for the first calls', async () => {
    const double = await startVizierDouble(respondWithTable(http, { encrypt: true }))
    const client = createVizierClient({ mode: 'direct', address: double.address, encryption: true })
    try {
      await within(client.warm(), 20_000)
      expect(double.sessionCount).toBe(1)
      expect(double.requests).toHaveLength(0)
      for (let i = 0; i < 2; i++) {
        const result = await client.executeScript({ script: SCRIPT })
        expect(result.tables.get('http_stats')?.rows).toHaveLength(25)
      }
      expect(double.sessionCount).toBe(1)
      expect(new Set(double.requests.map((r) => r.request.encryptionOptions?.jwkKey)).size).toBe(1)
    } finally {
      await client.close()
      await double.close()
    }
  })

  it('should not fail warm() when Vizier is unreachable: the call then reports it', async () => {
    // A port nothing listens on: connecting is refused.
    const port = await freePort()
    const client = createVizierClient({ mode: 'direct', address: `127.0.0.1:${port}` })
    try {
      await within(client.warm())
      const err = await pxError(client.executeScript({ script: SCRIPT }))
      expect(err.code).toBe('pixie_transport_error')
    } finally {
      await client.close()
    }
  })

  it('should report a refused connection as a transport error', async () => {
    // A port nothing listens on: connecting is refused.
    const port = await freePort()
    const client = createVizierClient({ mode: 'direct', address: `127.0.0.1:${port}` })
    try {
      const err = await pxError(client.executeScript({ script: SCRIPT }))
      expect(err.code).toBe('pixie_transport_error')
      expect(err.message).toContain(`127.0.0.1:${port}`)
    } finally {
      await client.close()
    }
  })

  it('should refuse unusable options at construction', () => {
    expect(() => createVizierClient({ mode: 'direct', address: '127.0.0.1' })).toThrow(/port/)
    expect(() => createVizierClient({ mode: 'direct', address: 'not a host:1' })).toThrow(TypeError)
    expect(() => createVizierClient({ mode: 'cloud', apiKey: 'k', clusterId: 'nope' })).toThrow(
      /clusterId/
    )
    expect(() =>
      createVizierClient({
        mode: 'cloud',
        apiKey: '',
        clusterId: '3f1d9c2e-5b7a-4e21-9f0c-8d6b2a4e1c37',
      })
    ).toThrow(/apiKey/)
    expect(() =>
      createVizierClient({ mode: 'direct', address: '127.0.0.1:1', defaultTimeoutMs: 0 })
    ).toThrow(TypeError)
  })
})
