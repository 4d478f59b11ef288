/**
 * One call's state machine over real HTTP/2: against the Vizier double (headers, messages,
 * statuses, resets, limits, deadline, abort, early exit) and against raw node:http2 servers for
 * answers no gRPC server gives (non-gRPC HTTP, missing status, odd DATA framing, a flood for
 * backpressure).
 */
import { describe, expect, it } from 'vitest'
import * as http2 from 'node:http2'
import { fromBinary, toBinary } from '@bufbuild/protobuf'
import { ExecuteScriptResponseSchema } from './gen/vizierapi_pb'
import { GrpcCode, GrpcError } from './grpc-status'
import {
  Code,
  failWith,
  hang,
  metadataMessage,
  neverAnswer,
  resetAfter,
  respondWith,
  respondWithTable,
  statsMessage,
  thenFail,
} from '../../test/vizier-double'
import {
  collect,
  decode,
  frame,
  gated,
  GRPC_HEADERS,
  grpcFailure,
  lastOutcome,
  outcome,
  PATH,
  REQUEST,
  table,
  until,
  useRawServer,
  useVizierDouble,
  within,
  writeAndWait,
} from '../../test/helpers/grpc-harness'

describe('gRPC call, against the Vizier double', () => {
  const vizier = useVizierDouble()
  const transport = vizier.transport

  it('should send a gRPC POST with the protocol headers, the deadline and extra headers', async () => {
    vizier.double.setBehaviour(respondWithTable(table))
    await collect(
      transport({ userAgent: 'px-canary-test' }).serverStream(PATH, REQUEST, {
        timeoutMs: 5000,
        headers: { 'pixie-api-key': 'k' },
      })
    )
    const { headers, request } = vizier.double.requests.at(-1)!
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
    vizier.double.setBehaviour(respondWithTable(table, { batchSize: 5, queryId: 'q1' }))
    const messages = decode(
      await collect(transport().serverStream(PATH, REQUEST, { timeoutMs: 5000 }))
    )
    expect(messages.map((m) => m.result.case)).toEqual(['metaData', 'data', 'data', 'data', 'data'])
    expect(messages.every((m) => m.queryId === 'q1')).toBe(true)
    expect(await lastOutcome(vizier.double)).toBe('ok')
  })

  it('should report a trailers-only status with its percent-decoded message', async () => {
    const message = 'cluster is not in a healthy state: 100% ✓'
    vizier.double.setBehaviour(failWith(Code.Unavailable, message))
    const err = await grpcFailure(transport().serverStream(PATH, REQUEST, { timeoutMs: 5000 }))
    expect(err.source).toBe('server')
    expect(err.code).toBe(GrpcCode.UNAVAILABLE)
    expect(err.rawMessage).toBe(message)
  })

  it('should deliver the messages sent before an error status, then the status', async () => {
    vizier.double.setBehaviour(
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
    vizier.double.setBehaviour(resetAfter(2, respondWithTable(table, { batchSize: 2 })))
    const err = await grpcFailure(transport().serverStream(PATH, REQUEST, { timeoutMs: 5000 }))
    expect(err.source).toBe('transport')
    expect(err.code).toBe(GrpcCode.INTERNAL)
    expect(err.rawMessage).toContain('INTERNAL_ERROR')
    expect(await lastOutcome(vizier.double)).toBe('reset')
  })

  it('should refuse a message over the size limit and cancel the stream', async () => {
    vizier.double.setBehaviour(respondWith(metadataMessage(table), hang()))
    const err = await grpcFailure(
      transport({ maxMessageBytes: 16 }).serverStream(PATH, REQUEST, { timeoutMs: 5000 })
    )
    expect(err.source).toBe('limit')
    expect(err.code).toBe(GrpcCode.RESOURCE_EXHAUSTED)
    expect(await lastOutcome(vizier.double)).toBe('cancelled')
  })

  it('should cancel the stream at the deadline with a deadline error', async () => {
    vizier.double.setBehaviour(neverAnswer())
    const err = await grpcFailure(transport().serverStream(PATH, REQUEST, { timeoutMs: 200 }))
    expect(err.source).toBe('deadline')
    expect(err.code).toBe(GrpcCode.DEADLINE_EXCEEDED)
    expect(await lastOutcome(vizier.double)).toBe('cancelled')
  })

  it("should cancel the stream when the caller aborts, rejecting with the signal's reason", async () => {
    const gate = gated()
    vizier.double.setBehaviour(gate.behaviour)
    const controller = new AbortController()
    const pending = outcome(
      transport().serverStream(PATH, REQUEST, { timeoutMs: 5000, signal: controller.signal })
    )
    await within(gate.arrived)
    const reason = new Error('caller gave up')
    controller.abort(reason)
    expect((await within(pending)).error).toBe(reason)
    expect(await lastOutcome(vizier.double)).toBe('cancelled')
    gate.release()
  })

  it('should not call the server when the signal is already aborted', async () => {
    const before = vizier.double.requests.length
    const reason = new Error('too late')
    const { error } = await outcome(
      transport().serverStream(PATH, REQUEST, {
        timeoutMs: 5000,
        signal: AbortSignal.abort(reason),
      })
    )
    expect(error).toBe(reason)
    expect(vizier.double.requests.length).toBe(before)
  })

  it('should cancel the stream when the consumer stops reading early', async () => {
    const gate = gated()
    vizier.double.setBehaviour(gate.behaviour)
    for await (const message of transport().serverStream(PATH, REQUEST, { timeoutMs: 5000 })) {
      expect(message.byteLength).toBeGreaterThan(0)
      break
    }
    expect(await lastOutcome(vizier.double)).toBe('cancelled')
    gate.release()
  })
})

describe('gRPC call, answers a gRPC server would not give', () => {
  const { serve } = useRawServer()

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
