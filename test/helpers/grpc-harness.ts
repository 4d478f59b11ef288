/**
 * Shared pieces of the gRPC transport tests (shared/pixie/grpc-*.test.ts): the call they make,
 * helpers that run a call to its end with a bound, a TCP proxy that can swallow a connection, a
 * bare node:http2 server for answers no gRPC server gives, and the per-block set-up of the double
 * and of raw servers with the transports to them. Servers listen on 127.0.0.1 only.
 */
import { afterAll, afterEach, beforeAll, expect } from 'vitest'
import * as http2 from 'node:http2'
import { createServer, connect as netConnect } from 'node:net'
import type { AddressInfo, Server, Socket } from 'node:net'
import { create, fromBinary, toBinary } from '@bufbuild/protobuf'
import {
  ExecuteScriptRequestSchema,
  ExecuteScriptResponseSchema,
} from '../../shared/pixie/gen/vizierapi_pb'
import type { ExecuteScriptResponse } from '../../shared/pixie/gen/vizierapi_pb'
import { encodeGrpcMessage } from '../../shared/pixie/grpc-framing'
import { GrpcError } from '../../shared/pixie/grpc-status'
import { createGrpcTransport } from '../../shared/pixie/grpc-transport'
import type { GrpcTransport, GrpcTransportOptions } from '../../shared/pixie/grpc-transport'
import { metadataMessage, respondWithTable, startVizierDouble } from '../vizier-double'
import type { CallOutcome, TableSpec, VizierBehaviour, VizierDouble } from '../vizier-double'

export const PATH = '/px.api.vizierpb.VizierService/ExecuteScript'
export const REQUEST = toBinary(
  ExecuteScriptRequestSchema,
  create(ExecuteScriptRequestSchema, { queryStr: 'import px' })
)

export const table: TableSpec = {
  name: 'http_stats',
  columns: [
    { name: 'pod', type: 'STRING' },
    { name: 'requests', type: 'INT64' },
  ],
  rows: Array.from({ length: 12 }, (_, i) => ({ pod: `ns/web-${i}`, requests: i })),
}

/** Resolves with the promise's value, or rejects when it takes longer than ms. */
export function within<T>(promise: Promise<T>, ms = 5000): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not settled within ${ms} ms`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

/** Polls until check() is true, at most `ms`; fails the test otherwise. */
export async function until(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

export async function collect(iterator: AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = []
  for await (const message of iterator) out.push(message)
  return out
}

export function decode(messages: Uint8Array[]): ExecuteScriptResponse[] {
  return messages.map((m) => fromBinary(ExecuteScriptResponseSchema, m))
}

/** Runs the call to its end; returns what arrived and how it failed (undefined: status OK). */
export async function outcome(
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

export async function grpcFailure(iterator: AsyncIterable<Uint8Array>): Promise<GrpcError> {
  const { error } = await within(outcome(iterator))
  expect(error).toBeInstanceOf(GrpcError)
  return error as GrpcError
}

export function lastOutcome(double: VizierDouble): Promise<CallOutcome> {
  const call = double.requests.at(-1)
  if (!call) throw new Error('the double received no call')
  return within(call.outcome)
}

/** A behaviour that sends metadata, then waits for release() before finishing the table. */
export function gated(): {
  behaviour: VizierBehaviour
  arrived: Promise<void>
  release: () => void
} {
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

/** A TCP proxy to `port` that can swallow every byte of the connections open so far. */
export async function startProxy(port: number) {
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

export type RawHandler = (stream: http2.ServerHttp2Stream) => void | Promise<void>

/** A bare HTTP/2 server whose every stream is answered by `handler` (after reading the request). */
export async function startRaw(handler: RawHandler) {
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

export const GRPC_HEADERS = { ':status': 200, 'content-type': 'application/grpc+proto' }

export function frame(message: ExecuteScriptResponse): Uint8Array {
  return encodeGrpcMessage(toBinary(ExecuteScriptResponseSchema, message))
}

export function writeAndWait(stream: http2.ServerHttp2Stream, data: Uint8Array): Promise<void> {
  return new Promise((resolve) => {
    if (stream.write(data)) setImmediate(resolve)
    else stream.once('drain', resolve)
  })
}

/**
 * One Vizier double for the enclosing describe block (answering `table` until a test sets another
 * behaviour), and transports to it that are closed after each test.
 */
export function useVizierDouble(): {
  readonly double: VizierDouble
  transport(options?: Partial<GrpcTransportOptions>): GrpcTransport
} {
  let double: VizierDouble | undefined
  const transports: GrpcTransport[] = []
  beforeAll(async () => {
    double = await startVizierDouble(respondWithTable(table))
  })
  afterEach(async () => {
    await Promise.all(transports.splice(0).map((t) => t.close()))
  })
  afterAll(async () => {
    await double?.close()
  })
  const started = (): VizierDouble => {
    if (!double) throw new Error('the Vizier double is not running')
    return double
  }
  return {
    get double() {
      return started()
    },
    transport(options = {}) {
      const t = createGrpcTransport({ authority: started().address, ...options })
      transports.push(t)
      return t
    },
  }
}

/**
 * A raw node:http2 server per test (see startRaw) and one transport to it; both are closed after
 * each test.
 */
export function useRawServer(): {
  serve(handler: RawHandler, options?: Partial<GrpcTransportOptions>): Promise<GrpcTransport>
} {
  let raw: Awaited<ReturnType<typeof startRaw>> | undefined
  let t: GrpcTransport | undefined
  afterEach(async () => {
    await t?.close()
    await raw?.close()
    t = undefined
    raw = undefined
  })
  return {
    async serve(handler, options = {}) {
      raw = await startRaw(handler)
      t = createGrpcTransport({ authority: raw.address, ...options })
      return t
    },
  }
}
