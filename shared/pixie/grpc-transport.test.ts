/**
 * The gRPC transport over real HTTP/2: against the Vizier double (sessions, statuses, faults),
 * against small raw node:http2 servers for answers no gRPC server gives (non-gRPC HTTP, missing
 * status, odd DATA framing, a flood for backpressure), and through a TCP proxy that can silently
 * swallow a connection (the idle PING check).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import * as http2 from 'node:http2'
import { createServer, connect as netConnect } from 'node:net'
import type { AddressInfo, Server, Socket } from 'node:net'
import { create, fromBinary, toBinary } from '@bufbuild/protobuf'
import { ExecuteScriptRequestSchema, ExecuteScriptResponseSchema } from './gen/vizierapi_pb'
import type { ExecuteScriptResponse } from './gen/vizierapi_pb'
import { encodeGrpcMessage } from './grpc-framing'
import { GrpcCode, GrpcError } from './grpc-status'
import { createGrpcTransport } from './grpc-transport'
import type { GrpcTransport, GrpcTransportOptions } from './grpc-transport'
import {
  Code,
  failWith,
  hang,
  metadataMessage,
  neverAnswer,
  resetAfter,
  respondWith,
  respondWithTable,
  startVizierDouble,
  statsMessage,
  thenFail,
} from '../../test/vizier-double'
import type {
  CallOutcome,
  TableSpec,
  VizierBehaviour,
  VizierDouble,
} from '../../test/vizier-double'

const PATH = '/px.api.vizierpb.VizierService/ExecuteScript'
const REQUEST = toBinary(
  ExecuteScriptRequestSchema,
  create(ExecuteScriptRequestSchema, { queryStr: 'import px' })
)

const table: TableSpec = {
  name: 'http_stats',
  columns: [
    { name: 'pod', type: 'STRING' },
    { name: 'requests', type: 'INT64' },
  ],
  rows: Array.from({ length: 12 }, (_, i) => ({ pod: `ns/web-${i}`, requests: i })),
}

/** Resolves with the promise's value, or rejects when it takes longer than ms. */
function within<T>(promise: Promise<T>, ms = 5000): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not settled within ${ms} ms`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

/** Polls until check() is true, at most `ms`; fails the test otherwise. */
async function until(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

async function collect(iterator: AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = []
  for await (const message of iterator) out.push(message)
  return out
}

function decode(messages: Uint8Array[]): ExecuteScriptResponse[] {
  return messages.map((m) => fromBinary(ExecuteScriptResponseSchema, m))
}

/** Runs the call to its end; returns what arrived and how it failed (undefined: status OK). */
async function outcome(
  iterator: AsyncIterable<Uint8Array>
): Promise<{ messages: Uint8Array[]; error: unknown }> {
  const messages: Uint8Array[] = []
  try {
    for await (const message of iterator) messages.push(message)
    return { messages, error: undefined }
  } catch (error) {
    return { messages, error }
  }
}

async function grpcFailure(iterator: AsyncIterable<Uint8Array>): Promise<GrpcError> {
  const { error } = await within(outcome(iterator))
  expect(error).toBeInstanceOf(GrpcError)
  return error as GrpcError
}

function lastOutcome(double: VizierDouble): Promise<CallOutcome> {
  const call = double.requests.at(-1)
  if (!call) throw new Error('the double received no call')
  return within(call.outcome)
}

/** A behaviour that sends metadata, then waits for release() before finishing the table. */
function gated(): { behaviour: VizierBehaviour; arrived: Promise<void>; release: () => void } {
  let release!: () => void
  let arrived!: () => void
  const gate = new Promise<void>((resolve) => (release = resolve))
  const arrival = new Promise<void>((resolve) => (arrived = resolve))
  return {
    arrived: arrival,
    release,
    behaviour: async function* (call) {
      yield metadataMessage(table)
      arrived()
      await gate
      yield* respondWithTable(table)(call)
    },
  }
}

describe('gRPC transport, against the Vizier double', () => {
  let double: VizierDouble
  const transports: GrpcTransport[] = []

  function transport(options: Partial<GrpcTransportOptions> = {}): GrpcTransport {
    const t = createGrpcTransport({ authority: double.address, ...options })
    transports.push(t)
    return t
  }

  beforeAll(async () => {
    double = await startVizierDouble(respondWithTable(table))
  })
  afterEach(async () => {
    await Promise.all(transports.splice(0).map((t) => t.close()))
  })
  afterAll(async () => {
    await double?.close()
  })

  it('should send a gRPC POST with the protocol headers, the deadline and extra headers', async () => {
    double.setBehaviour(respondWithTable(table))
    await collect(
      transport({ userAgent: 'px-canary-test' }).serverStream(PATH, REQUEST, {
        timeoutMs: 5000,
        headers: { 'pixie-api-key': 'k' },
      })
    )
    const { headers, request } = double.requests.at(-1)!
    expect(headers[':method']).toBe('POST')
    expect(headers[':path']).toBe(PATH)
    expect(headers['content-type']).toBe('application/grpc+proto')
    expect(headers.te).toBe('trailers')
    expect(headers['user-agent']).toBe('px-canary-test')
    expect(headers['grpc-timeout']).toMatch(/^\d{1,4}m$/)
    expect(Number(headers['grpc-timeout']?.slice(0, -1))).toBeLessThanOrEqual(5000)
    expect(headers['pixie-api-key']).toBe('k')
    expect(request.queryStr).toBe('import px')
  })

  it('should deliver every message in order, then end on status OK', async () => {
    double.setBehaviour(respondWithTable(table, { batchSize: 5, queryId: 'q1' }))
    const messages = decode(
      await collect(transport().serverStream(PATH, REQUEST, { timeoutMs: 5000 }))
    )
    expect(messages.map((m) => m.result.case)).toEqual(['metaData', 'data', 'data', 'data', 'data'])
    expect(messages.every((m) => m.queryId === 'q1')).toBe(true)
    expect(await lastOutcome(double)).toBe('ok')
  })

  it('should reuse one session for a second call', async () => {
    double.setBehaviour(respondWithTable(table))
    const t = transport()
    const before = double.sessionCount
    await collect(t.serverStream(PATH, REQUEST, { timeoutMs: 5000 }))
    await collect(t.serverStream(PATH, REQUEST, { timeoutMs: 5000 }))
    expect(double.sessionCount - before).toBe(1)
    const [first, second] = double.requests.slice(-2)
    expect(second?.session).toBe(first?.session)
  })

  it('should run concurrent calls on the one session', async () => {
    double.setBehaviour(respondWithTable(table))
    const t = transport()
    const before = double.sessionCount
    const results = await Promise.all(
      [1, 2, 3].map(() => collect(t.serverStream(PATH, REQUEST, { timeoutMs: 5000 })))
    )
    expect(results.map((r) => r.length)).toEqual([3, 3, 3])
    expect(double.sessionCount - before).toBe(1)
  })

  it('should let a call finish across a GOAWAY, then open a new session for the next', async () => {
    const gate = gated()
    double.setBehaviour(gate.behaviour)
    const t = transport()
    const pending = collect(t.serverStream(PATH, REQUEST, { timeoutMs: 5000 }))
    await within(gate.arrived)
    const firstSession = double.requests.at(-1)!.session
    double.goaway()
    gate.release()
    expect(await within(pending)).toHaveLength(4)

    double.setBehaviour(respondWithTable(table))
    await collect(t.serverStream(PATH, REQUEST, { timeoutMs: 5000 }))
    expect(double.requests.at(-1)!.session).not.toBe(firstSession)
  })

  it('should fail a call cut by a dropped connection, and reconnect for the next', async () => {
    const gate = gated()
    double.setBehaviour(gate.behaviour)
    const t = transport()
    const pending = grpcFailure(t.serverStream(PATH, REQUEST, { timeoutMs: 5000 }))
    await within(gate.arrived)
    const firstSession = double.requests.at(-1)!.session
    double.dropConnections()
    const err = await pending
    expect(err.source).toBe('transport')
    gate.release()

    double.setBehaviour(respondWithTable(table))
    const messages = await collect(t.serverStream(PATH, REQUEST, { timeoutMs: 5000 }))
    expect(messages).toHaveLength(3)
    expect(double.requests.at(-1)!.session).not.toBe(firstSession)
  })

  it('should reuse an idle session that answers its PING', async () => {
    double.setBehaviour(respondWithTable(table))
    const t = transport({ idlePingAfterMs: 0 })
    const before = double.sessionCount
    await collect(t.serverStream(PATH, REQUEST, { timeoutMs: 5000 }))
    await collect(t.serverStream(PATH, REQUEST, { timeoutMs: 5000 }))
    expect(double.sessionCount - before).toBe(1)
  })

  it('should report a trailers-only status with its percent-decoded message', async () => {
    const message = 'cluster is not in a healthy state: 100% ✓'
    double.setBehaviour(failWith(Code.Unavailable, message))
    const err = await grpcFailure(transport().serverStream(PATH, REQUEST, { timeoutMs: 5000 }))
    expect(err.source).toBe('server')
    expect(err.code).toBe(GrpcCode.UNAVAILABLE)
    expect(err.rawMessage).toBe(message)
  })

  it('should deliver the messages sent before an error status, then the status', async () => {
    double.setBehaviour(
      thenFail(respondWith(metadataMessage(table)), Code.InvalidArgument, 'Compilation failed')
    )
    const { messages, error } = await within(
      outcome(transport().serverStream(PATH, REQUEST, { timeoutMs: 5000 }))
    )
    expect(decode(messages).map((m) => m.result.case)).toEqual(['metaData'])
    expect(error).toBeInstanceOf(GrpcError)
    expect((error as GrpcError).code).toBe(GrpcCode.INVALID_ARGUMENT)
    expect((error as GrpcError).rawMessage).toBe('Compilation failed')
  })

  it('should turn an RST_STREAM into a transport error', async () => {
    double.setBehaviour(resetAfter(2, respondWithTable(table, { batchSize: 2 })))
    const err = await grpcFailure(transport().serverStream(PATH, REQUEST, { timeoutMs: 5000 }))
    expect(err.source).toBe('transport')
    expect(err.code).toBe(GrpcCode.INTERNAL)
    expect(err.rawMessage).toContain('INTERNAL_ERROR')
    expect(await lastOutcome(double)).toBe('reset')
  })

  it('should refuse a message over the size limit and cancel the stream', async () => {
    double.setBehaviour(respondWith(metadataMessage(table), hang()))
    const err = await grpcFailure(
      transport({ maxMessageBytes: 16 }).serverStream(PATH, REQUEST, { timeoutMs: 5000 })
    )
    expect(err.source).toBe('limit')
    expect(err.code).toBe(GrpcCode.RESOURCE_EXHAUSTED)
    expect(await lastOutcome(double)).toBe('cancelled')
  })

  it('should cancel the stream at the deadline with a deadline error', async () => {
    double.setBehaviour(neverAnswer())
    const err = await grpcFailure(transport().serverStream(PATH, REQUEST, { timeoutMs: 200 }))
    expect(err.source).toBe('deadline')
    expect(err.code).toBe(GrpcCode.DEADLINE_EXCEEDED)
    expect(await lastOutcome(double)).toBe('cancelled')
  })

  it("should cancel the stream when the caller aborts, rejecting with the signal's reason", async () => {
    const gate = gated()
    double.setBehaviour(gate.behaviour)
    const controller = new AbortController()
    const pending = outcome(
      transport().serverStream(PATH, REQUEST, { timeoutMs: 5000, signal: controller.signal })
    )
    await within(gate.arrived)
    const reason = new Error('caller gave up')
    controller.abort(reason)
    expect((await within(pending)).error).toBe(reason)
    expect(await lastOutcome(double)).toBe('cancelled')
    gate.release()
  })

  it('should not call the server when the signal is already aborted', async () => {
    const before = double.requests.length
    const reason = new Error('too late')
    const { error } = await outcome(
      transport().serverStream(PATH, REQUEST, {
        timeoutMs: 5000,
        signal: AbortSignal.abort(reason),
      })
    )
    expect(error).toBe(reason)
    expect(double.requests.length).toBe(before)
  })

  it('should cancel the stream when the consumer stops reading early', async () => {
    const gate = gated()
    double.setBehaviour(gate.behaviour)
    for await (const message of transport().serverStream(PATH, REQUEST, { timeoutMs: 5000 })) {
      expect(message.byteLength).toBeGreaterThan(0)
      break
    }
    expect(await lastOutcome(double)).toBe('cancelled')
    gate.release()
  })

  it('should cancel calls in flight on close, and refuse calls after it', async () => {
    const gate = gated()
    double.setBehaviour(gate.behaviour)
    const t = createGrpcTransport({ authority: double.address })
    const pending = grpcFailure(t.serverStream(PATH, REQUEST, { timeoutMs: 5000 }))
    await within(gate.arrived)
    await within(t.close())
    const err = await pending
    expect(err.source).toBe('cancelled')
    expect(await lastOutcome(double)).toBe('cancelled')
    gate.release()
    const after = await grpcFailure(t.serverStream(PATH, REQUEST, { timeoutMs: 5000 }))
    expect(after.source).toBe('cancelled')
  })
})

describe('gRPC transport, connection failures', () => {
  it('should report a refused connection as a transport error', async () => {
    const server = createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    await new Promise((resolve) => server.close(resolve))
    const t = createGrpcTransport({ authority: `127.0.0.1:${port}` })
    try {
      const err = await grpcFailure(t.serverStream(PATH, REQUEST, { timeoutMs: 5000 }))
      expect(err.source).toBe('transport')
      expect(err.code).toBe(GrpcCode.UNAVAILABLE)
      expect(err.rawMessage).toContain('ECONNREFUSED')
    } finally {
      await t.close()
    }
  })

  it('should refuse an authority that is not host:port at construction', () => {
    expect(() => createGrpcTransport({ authority: 'a b:1' })).toThrow(TypeError)
  })
})

/** A TCP proxy to `port` that can swallow every byte of the connections open so far. */
async function startProxy(port: number) {
  const pairs: { client: Socket; upstream: Socket; dead: boolean }[] = []
  const server: Server = createServer((client) => {
    const pair = { client, upstream: netConnect(port, '127.0.0.1'), dead: false }
    pairs.push(pair)
    client.on('data', (d) => {
      if (!pair.dead) pair.upstream.write(d)
    })
    pair.upstream.on('data', (d) => {
      if (!pair.dead) client.write(d)
    })
    for (const s of [client, pair.upstream]) {
      s.on('error', () => {})
      s.on('close', () => {
        if (!pair.dead) {
          client.destroy()
          pair.upstream.destroy()
        }
      })
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    /** The open connections go silent: nothing passes, nothing is closed (a dead peer). */
    blackhole() {
      for (const pair of pairs) pair.dead = true
    },
    async close() {
      for (const pair of pairs) {
        pair.client.destroy()
        pair.upstream.destroy()
      }
      await new Promise((resolve) => server.close(resolve))
    },
  }
}

describe('gRPC transport, idle PING check', () => {
  it('should replace an idle session whose PING goes unanswered', async () => {
    const double = await startVizierDouble(respondWithTable(table))
    const proxy = await startProxy(double.port)
    const t = createGrpcTransport({
      authority: proxy.address,
      idlePingAfterMs: 0,
      pingTimeoutMs: 200,
    })
    try {
      await collect(t.serverStream(PATH, REQUEST, { timeoutMs: 5000 }))
      const firstSession = double.requests.at(-1)!.session
      proxy.blackhole()
      const messages = await within(collect(t.serverStream(PATH, REQUEST, { timeoutMs: 5000 })))
      expect(messages).toHaveLength(3)
      expect(double.requests.at(-1)!.session).not.toBe(firstSession)
    } finally {
      await t.close()
      await proxy.close()
      await double.close()
    }
  })
})

type RawHandler = (stream: http2.ServerHttp2Stream) => void | Promise<void>

/** A bare HTTP/2 server whose every stream is answered by `handler` (after reading the request). */
async function startRaw(handler: RawHandler) {
  const server = http2.createServer()
  const sessions = new Set<http2.ServerHttp2Session>()
  server.on('session', (s) => {
    sessions.add(s)
    s.on('error', () => {})
    s.on('close', () => sessions.delete(s))
  })
  server.on('stream', (stream) => {
    stream.on('error', () => {})
    stream.resume()
    stream.once('end', () => void handler(stream))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      for (const s of sessions) s.destroy()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}

const GRPC_HEADERS = { ':status': 200, 'content-type': 'application/grpc+proto' }

function frame(message: ExecuteScriptResponse): Uint8Array {
  return encodeGrpcMessage(toBinary(ExecuteScriptResponseSchema, message))
}

function writeAndWait(stream: http2.ServerHttp2Stream, data: Uint8Array): Promise<void> {
  return new Promise((resolve) => {
    if (stream.write(data)) setImmediate(resolve)
    else stream.once('drain', resolve)
  })
}

describe('gRPC transport, answers a gRPC server would not give', () => {
  let raw: Awaited<ReturnType<typeof startRaw>> | undefined
  let t: GrpcTransport | undefined

  async function serve(handler: RawHandler, options: Partial<GrpcTransportOptions> = {}) {
    raw = await startRaw(handler)
    t = createGrpcTransport({ authority: raw.address, ...options })
    return t
  }

  afterEach(async () => {
    await t?.close()
    await raw?.close()
    t = undefined
    raw = undefined
  })

  it('should map a non-200 HTTP answer without grpc-status from its HTTP status', async () => {
    const client = await serve((stream) => {
      stream.respond({ ':status': 503, 'content-type': 'text/html' })
      stream.end('<html>upstream unavailable</html>')
    })
    const err = await grpcFailure(client.serverStream(PATH, REQUEST, { timeoutMs: 5000 }))
    expect(err.source).toBe('http')
    expect(err.httpStatus).toBe(503)
    expect(err.code).toBe(GrpcCode.UNAVAILABLE)
  })

  it('should open a new session after the peer resets a stream with ENHANCE_YOUR_CALM', async () => {
    const seen: http2.Http2Session[] = []
    const client = await serve((stream) => {
      seen.push(stream.session!)
      if (seen.length === 1) {
        stream.close(http2.constants.NGHTTP2_ENHANCE_YOUR_CALM)
        return
      }
      stream.respond({ ...GRPC_HEADERS, 'grpc-status': '0' }, { endStream: true })
    })
    const err = await grpcFailure(client.serverStream(PATH, REQUEST, { timeoutMs: 5000 }))
    expect(err.rawMessage).toContain('ENHANCE_YOUR_CALM')
    for await (const _ of client.serverStream(PATH, REQUEST, { timeoutMs: 5000 })) void _
    expect(seen).toHaveLength(2)
    expect(seen[1]).not.toBe(seen[0])
  })

  it('should keep the session after a plain CANCEL reset of one stream', async () => {
    const seen: http2.Http2Session[] = []
    const client = await serve((stream) => {
      seen.push(stream.session!)
      if (seen.length === 1) {
        stream.close(http2.constants.NGHTTP2_CANCEL)
        return
      }
      stream.respond({ ...GRPC_HEADERS, 'grpc-status': '0' }, { endStream: true })
    })
    await grpcFailure(client.serverStream(PATH, REQUEST, { timeoutMs: 5000 }))
    for await (const _ of client.serverStream(PATH, REQUEST, { timeoutMs: 5000 })) void _
    expect(seen).toHaveLength(2)
    expect(seen[1]).toBe(seen[0])
  })

  it('should prefer a grpc-status to the HTTP status when both are present', async () => {
    const client = await serve((stream) => {
      stream.respond(
        { ':status': 401, 'content-type': 'application/grpc', 'grpc-status': '16' },
        { endStream: true }
      )
    })
    const err = await grpcFailure(client.serverStream(PATH, REQUEST, { timeoutMs: 5000 }))
    expect(err.source).toBe('server')
    expect(err.code).toBe(GrpcCode.UNAUTHENTICATED)
  })

  it('should call a response that is not gRPC a protocol error', async () => {
    const client = await serve((stream) => {
      stream.respond({ ':status': 200, 'content-type': 'application/json' })
      stream.end('{}')
    })
    const err = await grpcFailure(client.serverStream(PATH, REQUEST, { timeoutMs: 5000 }))
    expect(err.source).toBe('protocol')
    expect(err.rawMessage).toContain('application/json')
  })

  it('should call a stream that ends without grpc-status a protocol error', async () => {
    const client = await serve((stream) => {
      stream.respond(GRPC_HEADERS)
      stream.end(frame(statsMessage()))
    })
    const { messages, error } = await within(
      outcome(client.serverStream(PATH, REQUEST, { timeoutMs: 5000 }))
    )
    expect(messages).toHaveLength(1)
    expect(error).toBeInstanceOf(GrpcError)
    expect((error as GrpcError).source).toBe('protocol')
    expect((error as GrpcError).rawMessage).toContain('grpc-status')
  })

  it('should call an OK stream that stops inside a message a protocol error', async () => {
    const client = await serve((stream) => {
      stream.respond(GRPC_HEADERS, { waitForTrailers: true })
      stream.once('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }))
      stream.end(frame(statsMessage()).subarray(0, 7))
    })
    const err = await grpcFailure(client.serverStream(PATH, REQUEST, { timeoutMs: 5000 }))
    expect(err.source).toBe('protocol')
    expect(err.rawMessage).toContain('middle of a message')
  })

  it.each(['deadline', 'abort', 'break'] as const)(
    'should cancel with RST_STREAM CANCEL on %s',
    async (how) => {
      let rstCode: number | undefined
      let onClosed!: () => void
      const closed = new Promise<void>((resolve) => (onClosed = resolve))
      const client = await serve((stream) => {
        stream.once('close', () => {
          rstCode = stream.rstCode
          onClosed()
        })
        stream.respond(GRPC_HEADERS)
        stream.write(frame(statsMessage())) // then nothing more: the client must give up
      })
      const controller = new AbortController()
      const iterator = client.serverStream(PATH, REQUEST, {
        timeoutMs: how === 'deadline' ? 200 : 10_000,
        signal: controller.signal,
      })
      expect((await within(iterator.next())).done).toBe(false)
      if (how === 'abort') controller.abort(new Error('stop'))
      if (how === 'break') await iterator.return?.()
      await within(outcome(iterator))
      await within(closed)
      expect(rstCode).toBe(http2.constants.NGHTTP2_CANCEL)
    }
  )

  it('should read messages split across DATA frames and several in one frame', async () => {
    const messages = [metadataMessage(table), statsMessage(), statsMessage({}, { queryId: 'z' })]
    const body = Buffer.concat(messages.map(frame))
    // Cut inside the first prefix, inside the first body, and across the second boundary.
    const cuts = [0, 3, 9, body.byteLength - 4, body.byteLength]
    const client = await serve(async (stream) => {
      stream.respond(GRPC_HEADERS, { waitForTrailers: true })
      stream.once('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }))
      for (let i = 1; i < cuts.length; i++) {
        await writeAndWait(stream, body.subarray(cuts[i - 1], cuts[i]))
      }
      stream.end()
    })
    const got = await within(collect(client.serverStream(PATH, REQUEST, { timeoutMs: 5000 })))
    expect(got.map((m) => Buffer.from(m).toString('hex'))).toEqual(
      messages.map((m) => Buffer.from(toBinary(ExecuteScriptResponseSchema, m)).toString('hex'))
    )
  })

  it('should hold the server back while the consumer is slow, and lose nothing', async () => {
    const total = 200
    const payload = 'x'.repeat(64 * 1024)
    let written = 0
    const client = await serve(async (stream) => {
      stream.respond(GRPC_HEADERS, { waitForTrailers: true })
      stream.once('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }))
      for (let i = 0; i < total && !stream.destroyed; i++) {
        await writeAndWait(stream, frame(statsMessage({}, { queryId: `${i}:${payload}` })))
        written++
      }
      stream.end()
    })
    const iterator = client.serverStream(PATH, REQUEST, { timeoutMs: 20_000 })
    const first = await within(iterator.next())
    expect(first.done).toBe(false)
    // The consumer now stalls. The server must end up blocked well short of the 12.5 MiB.
    let last = -1
    let stable = 0
    await until(
      () => {
        stable = written === last ? stable + 1 : 0
        last = written
        return stable >= 10
      },
      'the server to stop writing',
      10_000
    )
    expect(written).toBeLessThan(total / 2)

    const rest: Uint8Array[] = []
    for (;;) {
      const r = await within(iterator.next())
      if (r.done) break
      rest.push(r.value)
    }
    const ids = [first.value as Uint8Array, ...rest].map((m) =>
      Number(fromBinary(ExecuteScriptResponseSchema, m).queryId.split(':')[0])
    )
    expect(ids).toEqual(Array.from({ length: total }, (_, i) => i))
  })
})
