/**
 * A real HTTP/2 gRPC server implementing px.api.vizierpb.VizierService/ExecuteScript, for tests.
 * It frames gRPC by hand on node:http2 (rather than through Connect's router) so it can also
 * misbehave on purpose: hang, reset a stream mid-way, answer trailers-only.
 */
import * as http2 from 'node:http2'
import type { AddressInfo } from 'node:net'
import { fromBinary, isMessage, toBinary } from '@bufbuild/protobuf'
import { Code, ConnectError } from '@connectrpc/connect'
import {
  ExecuteScriptRequestSchema,
  ExecuteScriptResponseSchema,
} from '../../shared/pixie/gen/vizierapi_pb'
import type {
  ExecuteScriptRequest,
  ExecuteScriptResponse,
} from '../../shared/pixie/gen/vizierapi_pb'

const EXECUTE_SCRIPT_PATH = '/px.api.vizierpb.VizierService/ExecuteScript'

/** What a behaviour sees of one ExecuteScript call. */
export interface VizierCall {
  request: ExecuteScriptRequest
  /** Request headers, names lower-case (e.g. 'pixie-api-key', 'grpc-timeout'). */
  headers: Record<string, string>
  /** Aborts when the client cancels the stream (or resets it), or the double closes. */
  signal: AbortSignal
}

/** A deliberate misbehaviour, yielded by a behaviour among its messages. */
export class DoubleFault {
  constructor(
    /**
     * 'refuse': GOAWAY naming an earlier stream as the last one processed, then RST_STREAM
     * REFUSED_STREAM on this one, as a server shutting down gracefully refuses streams it never
     * processed (RFC 9113 sections 6.8 and 8.7; grpc-go's GracefulStop does so).
     */
    readonly kind: 'reset' | 'hang' | 'refuse',
    /** HTTP/2 error code for 'reset' (default INTERNAL_ERROR). */
    readonly rstCode: number = http2.constants.NGHTTP2_INTERNAL_ERROR
  ) {}
}

export type DoubleAction = ExecuteScriptResponse | DoubleFault

/**
 * How the double answers a call: yield response messages (and faults), or throw a ConnectError to
 * end the call with that gRPC status (trailers-only when nothing was sent yet). Returning ends the
 * call with status OK.
 */
export type VizierBehaviour = (
  call: VizierCall
) => AsyncIterable<DoubleAction> | Iterable<DoubleAction>

/**
 * How a call ended, seen from the server: 'ok' (status 0 sent), 'error' (an error status sent),
 * 'reset' (the double reset the stream), 'cancelled' (the client went away first).
 */
export type CallOutcome = 'ok' | 'error' | 'reset' | 'cancelled'

export interface RecordedCall {
  request: ExecuteScriptRequest
  headers: Record<string, string>
  /** Which HTTP/2 connection carried the call: 1 for the first the double accepted, 2... */
  session: number
  /** Settles when the call is over. */
  outcome: Promise<CallOutcome>
}

export interface VizierDouble {
  /** '127.0.0.1:<port>': pass as a direct address (PX_DIRECT_ADDR) or cloudAddr (TLS). */
  address: string
  port: number
  /** Every ExecuteScript call received, in order. */
  requests: RecordedCall[]
  /** Replaces the behaviour for calls that arrive from now on. */
  setBehaviour(behaviour: VizierBehaviour): void
  /** HTTP/2 connections accepted so far (a client that reuses its session opens one). */
  readonly sessionCount: number
  /**
   * Fault: sends GOAWAY (NO_ERROR) on every open connection, as a server going away does; calls
   * in flight finish, new ones must come on a new connection.
   */
  goaway(): void
  /** Fault: destroys every open connection at once (no GOAWAY), as a crash or a cut link does. */
  dropConnections(): void
  /** Cancels running calls, drops connections, stops listening. */
  close(): Promise<void>
}

export interface VizierDoubleOptions {
  /** Serve TLS (HTTP/2 over TLS, ALPN h2) with this PEM key and certificate, as Pixie Cloud does. */
  tls?: { key: string; cert: string }
}

function envelope(message: ExecuteScriptResponse): Buffer {
  const body = toBinary(ExecuteScriptResponseSchema, message)
  const frame = Buffer.alloc(5 + body.byteLength)
  frame.writeUInt32BE(body.byteLength, 1)
  frame.set(body, 5)
  return frame
}

function flatHeaders(headers: http2.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value
  }
  return out
}

function statusHeaders(code: number, message: string): http2.OutgoingHttpHeaders {
  return {
    'grpc-status': String(code),
    ...(message ? { 'grpc-message': encodeURIComponent(message) } : {}),
  }
}

function readBody(stream: http2.ServerHttp2Stream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    stream.on('data', (chunk: Buffer) => chunks.push(chunk))
    stream.once('end', () => resolve(Buffer.concat(chunks)))
    stream.once('error', reject)
  })
}

function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve()
  return new Promise((done) => signal.addEventListener('abort', () => done(), { once: true }))
}

/** One call: read the request, run the behaviour, frame its output. */
async function serveCall(
  stream: http2.ServerHttp2Stream,
  headers: http2.IncomingHttpHeaders,
  behaviour: VizierBehaviour,
  requests: RecordedCall[],
  calls: Set<AbortController>,
  session: number
): Promise<void> {
  const controller = new AbortController()
  calls.add(controller)
  let settle!: (outcome: CallOutcome) => void
  const outcome = new Promise<CallOutcome>((resolve) => (settle = resolve))
  let finished = false
  const finish = (o: CallOutcome) => {
    if (!finished) {
      finished = true
      settle(o)
    }
  }
  stream.on('error', () => {}) // writes after a client reset fail; the 'close' handler records it
  stream.once('close', () => {
    finish('cancelled')
    controller.abort(new Error('stream closed'))
    calls.delete(controller)
  })

  let headersSent = false
  let trailers: http2.OutgoingHttpHeaders = statusHeaders(0, '')
  const sendHeaders = () => {
    if (headersSent) return
    headersSent = true
    stream.respond(
      { ':status': 200, 'content-type': 'application/grpc+proto' },
      { waitForTrailers: true }
    )
    stream.once('wantTrailers', () => stream.sendTrailers(trailers))
  }
  const endWith = (code: number, message: string) => {
    if (stream.closed || stream.destroyed) return
    if (!headersSent) {
      headersSent = true
      stream.respond(
        {
          ':status': 200,
          'content-type': 'application/grpc+proto',
          ...statusHeaders(code, message),
        },
        { endStream: true }
      )
    } else {
      trailers = statusHeaders(code, message)
      stream.end()
    }
    finish(code === 0 ? 'ok' : 'error')
  }

  if (headers[':path'] !== EXECUTE_SCRIPT_PATH) {
    stream.resume()
    endWith(Code.Unimplemented, `the Vizier double does not implement ${headers[':path']}`)
    return
  }
  const body = await readBody(stream)
  const flags = body[0]
  const length = body.length >= 5 ? body.readUInt32BE(1) : -1
  if (flags !== 0 || length !== body.length - 5) {
    endWith(Code.Internal, 'the Vizier double expects one uncompressed request message')
    return
  }
  const request = fromBinary(ExecuteScriptRequestSchema, body.subarray(5))
  const call: VizierCall = { request, headers: flatHeaders(headers), signal: controller.signal }
  requests.push({ request, headers: call.headers, session, outcome })

  try {
    for await (const action of behaviour(call)) {
      if (controller.signal.aborted || stream.closed) return
      if (action instanceof DoubleFault) {
        if (action.kind === 'hang') {
          await untilAborted(controller.signal)
          return
        }
        finish('reset')
        if (action.kind === 'refuse') {
          stream.session?.goaway(
            http2.constants.NGHTTP2_NO_ERROR,
            Math.max(0, (stream.id ?? 1) - 2)
          )
          stream.close(http2.constants.NGHTTP2_REFUSED_STREAM)
          return
        }
        stream.close(action.rstCode)
        return
      }
      if (!isMessage(action, ExecuteScriptResponseSchema)) {
        throw new TypeError(
          'a Vizier behaviour yielded something that is not an ExecuteScriptResponse'
        )
      }
      sendHeaders()
      if (!stream.write(envelope(action))) {
        await Promise.race([
          new Promise((done) => stream.once('drain', done)),
          untilAborted(controller.signal),
        ])
      }
    }
    endWith(0, '')
  } catch (err) {
    if (controller.signal.aborted) return
    const ce = ConnectError.from(err)
    endWith(ce.code, ce.rawMessage)
  }
}

/**
 * Starts the double on 127.0.0.1 with an ephemeral port. Each ExecuteScript call is recorded in
 * `requests` and answered by `behaviour` (see respondWithTable and the fault helpers).
 */
export async function startVizierDouble(
  behaviour: VizierBehaviour,
  options: VizierDoubleOptions = {}
): Promise<VizierDouble> {
  let current = behaviour
  const requests: RecordedCall[] = []
  const calls = new Set<AbortController>()
  const sessions = new Set<http2.ServerHttp2Session>()
  const ordinals = new WeakMap<http2.ServerHttp2Session, number>()
  let sessionCount = 0
  const server = options.tls
    ? http2.createSecureServer({ key: options.tls.key, cert: options.tls.cert })
    : http2.createServer()
  server.on('session', (session) => {
    sessions.add(session)
    ordinals.set(session, ++sessionCount)
    session.on('error', () => {})
    session.once('close', () => sessions.delete(session))
  })
  server.on('stream', (stream, headers) => {
    const session = ordinals.get(stream.session as http2.ServerHttp2Session) ?? 0
    void serveCall(stream, headers, current, requests, calls, session).catch(() => {
      if (!stream.destroyed) stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR)
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const { port } = server.address() as AddressInfo
  return {
    address: `127.0.0.1:${port}`,
    port,
    requests,
    setBehaviour(next) {
      current = next
    },
    get sessionCount() {
      return sessionCount
    },
    goaway() {
      // close(): GOAWAY naming the last stream processed, then end once open streams finish.
      for (const session of sessions) if (!session.closed) session.close()
    },
    dropConnections() {
      for (const session of sessions) session.destroy()
    },
    async close() {
      for (const call of calls) call.abort(new Error('Vizier double closed'))
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      for (const session of sessions) session.destroy()
      await closed
    },
  }
}
