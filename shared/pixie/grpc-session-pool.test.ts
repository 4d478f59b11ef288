/**
 * The session pool over real HTTP/2, driven through the transport: session reuse and concurrency,
 * GOAWAY, dropped and refused connections, the idle PING (through a TCP proxy that goes silent)
 * and resets that condemn a session (from a raw node:http2 server).
 */
import { describe, expect, it } from 'vitest'
import * as http2 from 'node:http2'
import { connect as netConnect, createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { GrpcCode } from './grpc-status'
import { createGrpcTransport } from './grpc-transport'
import { respondWithTable, startVizierDouble } from '../../test/vizier-double'
import {
  collect,
  gated,
  GRPC_HEADERS,
  grpcFailure,
  PATH,
  REQUEST,
  startProxy,
  table,
  useRawServer,
  useVizierDouble,
  within,
} from '../../test/helpers/grpc-harness'
import { freePort, spawnTracked, waitForExit } from '../../test/helpers/spawn'

const TRANSPORT_MODULE = fileURLToPath(new URL('./grpc-transport.ts', import.meta.url))

describe('gRPC session pool, against the Vizier double', () => {
  const vizier = useVizierDouble()
  const transport = vizier.transport

  it('should reuse one session for a second call', async () => {
    vizier.double.setBehaviour(respondWithTable(table))
    const t = transport()
    const before = vizier.double.sessionCount
    await collect(t.serverStream(PATH, REQUEST, { timeoutMs: 5000 }))
    await collect(t.serverStream(PATH, REQUEST, { timeoutMs: 5000 }))
    expect(vizier.double.sessionCount - before).toBe(1)
    const [first, second] = vizier.double.requests.slice(-2)
    expect(second?.session).toBe(first?.session)
  })

  it('should run concurrent calls on the one session', async () => {
    vizier.double.setBehaviour(respondWithTable(table))
    const t = transport()
    const before = vizier.double.sessionCount
    const results = await Promise.all(
      [1, 2, 3].map(() => collect(t.serverStream(PATH, REQUEST, { timeoutMs: 5000 })))
    )
    expect(results.map((r) => r.length)).toEqual([3, 3, 3])
    expect(vizier.double.sessionCount - before).toBe(1)
  })

  it('should let a call finish across a GOAWAY, then open a new session for the next', async () => {
    const gate = gated()
    vizier.double.setBehaviour(gate.behaviour)
    const t = transport()
    const pending = collect(t.serverStream(PATH, REQUEST, { timeoutMs: 5000 }))
    await within(gate.arrived)
    const firstSession = vizier.double.requests.at(-1)!.session
    vizier.double.goaway()
    gate.release()
    expect(await within(pending)).toHaveLength(4)

    vizier.double.setBehaviour(respondWithTable(table))
    await collect(t.serverStream(PATH, REQUEST, { timeoutMs: 5000 }))
    expect(vizier.double.requests.at(-1)!.session).not.toBe(firstSession)
  })

  it('should fail a call cut by a dropped connection, and reconnect for the next', async () => {
    const gate = gated()
    vizier.double.setBehaviour(gate.behaviour)
    const t = transport()
    const pending = grpcFailure(t.serverStream(PATH, REQUEST, { timeoutMs: 5000 }))
    await within(gate.arrived)
    const firstSession = vizier.double.requests.at(-1)!.session
    vizier.double.dropConnections()
    const err = await pending
    expect(err.source).toBe('transport')
    gate.release()

    vizier.double.setBehaviour(respondWithTable(table))
    const messages = await collect(t.serverStream(PATH, REQUEST, { timeoutMs: 5000 }))
    expect(messages).toHaveLength(3)
    expect(vizier.double.requests.at(-1)!.session).not.toBe(firstSession)
  })

  it('should open the session on warm(), before any call, and give it to the first call', async () => {
    vizier.double.setBehaviour(respondWithTable(table))
    const t = transport()
    const before = vizier.double.sessionCount
    const callsBefore = vizier.double.requests.length
    await within(t.warm())
    await within(t.warm()) // the session is healthy: a second warm() opens nothing more
    expect(vizier.double.sessionCount - before).toBe(1)
    expect(vizier.double.requests.length).toBe(callsBefore) // warming sends no call
    expect(await collect(t.serverStream(PATH, REQUEST, { timeoutMs: 5000 }))).toHaveLength(3)
    expect(vizier.double.sessionCount - before).toBe(1)
  })

  it('should reuse an idle session that answers its PING', async () => {
    vizier.double.setBehaviour(respondWithTable(table))
    const t = transport({ idlePingAfterMs: 0 })
    const before = vizier.double.sessionCount
    await collect(t.serverStream(PATH, REQUEST, { timeoutMs: 5000 }))
    await collect(t.serverStream(PATH, REQUEST, { timeoutMs: 5000 }))
    expect(vizier.double.sessionCount - before).toBe(1)
  })
})

describe('gRPC session pool, connection failures', () => {
  it('should report a refused connection as a transport error', async () => {
    // A port nothing listens on: connecting is refused.
    const port = await freePort()
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
})

describe('gRPC session pool, warm() that fails or idles', () => {
  it('should not report a refused warm(): the first call connects again and says what failed', async () => {
    // A port nothing listens on: connecting is refused.
    const port = await freePort()
    const t = createGrpcTransport({ authority: `127.0.0.1:${port}` })
    try {
      await within(t.warm()) // resolves, does not reject
      const err = await grpcFailure(t.serverStream(PATH, REQUEST, { timeoutMs: 5000 }))
      expect(err.code).toBe(GrpcCode.UNAVAILABLE)
      expect(err.rawMessage).toContain('ECONNREFUSED')
    } finally {
      await t.close()
    }
  })

  it('should answer the first call on a new session when the warmed one was cut', async () => {
    const double = await startVizierDouble(respondWithTable(table))
    // The first connection is cut at once (a peer restarting); later ones reach the double.
    let connections = 0
    const front = createServer((socket) => {
      if (++connections === 1) return void socket.destroy()
      const upstream = netConnect(Number(double.address.split(':')[1]), '127.0.0.1')
      socket.pipe(upstream).pipe(socket)
      for (const s of [socket, upstream]) s.on('error', () => s.destroy())
      socket.on('close', () => upstream.destroy())
      upstream.on('close', () => socket.destroy())
    })
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve))
    const t = createGrpcTransport({
      authority: `127.0.0.1:${(front.address() as AddressInfo).port}`,
    })
    try {
      await within(t.warm())
      expect(connections).toBe(1)
      expect(await collect(t.serverStream(PATH, REQUEST, { timeoutMs: 5000 }))).toHaveLength(3)
      expect(connections).toBe(2)
    } finally {
      await t.close()
      await new Promise((resolve) => front.close(resolve))
      await double.close()
    }
  })

  it('should let a process whose only handle is a warmed, idle session exit', async () => {
    const double = await startVizierDouble(respondWithTable(table))
    try {
      const before = double.sessionCount
      const script = `import { createGrpcTransport } from ${JSON.stringify(TRANSPORT_MODULE)}
createGrpcTransport({ authority: ${JSON.stringify(double.address)} }).warm()`
      const child = spawnTracked(process.execPath, ['--import', 'tsx', '--input-type=module'], {
        stdio: ['pipe', 'ignore', 'inherit'],
      })
      child.stdin!.end(script)
      expect(await waitForExit(child, 10_000)).toBe(true)
      expect(child.exitCode).toBe(0)
      expect(double.sessionCount - before).toBe(1)
    } finally {
      await double.close()
    }
  })
})

describe('gRPC session pool, idle PING check', () => {
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

describe('gRPC session pool, resets that condemn a session', () => {
  const { serve } = useRawServer()

  /** A server that resets the first stream with `code` and answers OK after; `seen` holds each
   * stream's session. */
  async function resetFirstStream(code: number) {
    const seen: http2.Http2Session[] = []
    const client = await serve((stream) => {
      seen.push(stream.session!)
      if (seen.length === 1) {
        stream.close(code)
        return
      }
      stream.respond({ ...GRPC_HEADERS, 'grpc-status': '0' }, { endStream: true })
    })
    return { client, seen }
  }

  it('should open a new session after the peer resets a stream with ENHANCE_YOUR_CALM', async () => {
    const { client, seen } = await resetFirstStream(http2.constants.NGHTTP2_ENHANCE_YOUR_CALM)
    const err = await grpcFailure(client.serverStream(PATH, REQUEST, { timeoutMs: 5000 }))
    expect(err.rawMessage).toContain('ENHANCE_YOUR_CALM')
    for await (const _ of client.serverStream(PATH, REQUEST, { timeoutMs: 5000 })) void _
    expect(seen).toHaveLength(2)
    expect(seen[1]).not.toBe(seen[0])
  })

  it('should keep the session after a plain CANCEL reset of one stream', async () => {
    const { client, seen } = await resetFirstStream(http2.constants.NGHTTP2_CANCEL)
    await grpcFailure(client.serverStream(PATH, REQUEST, { timeoutMs: 5000 }))
    for await (const _ of client.serverStream(PATH, REQUEST, { timeoutMs: 5000 })) void _
    expect(seen).toHaveLength(2)
    expect(seen[1]).toBe(seen[0])
  })
})
