/**
 * A small gRPC client transport on node:http2: exactly what ExecuteScript needs (unary request,
 * server-streaming response, binary protobuf) and nothing else, in place of a general RPC
 * framework whose other protocols, JSON codec and interceptors would cost every function bundle
 * ~55 KB and start-up time (see README.md, "The gRPC transport").
 *
 * One HTTP/2 session per transport, opened by the first call and reused; a session that closed,
 * received GOAWAY or failed is dropped and the next call opens a new one; a session idle for a
 * while is checked with a PING before reuse. Messages are bytes: the caller encodes and decodes.
 */
import * as http2 from 'node:http2'
import type { ClientHttp2Session, ClientHttp2Stream, IncomingHttpHeaders } from 'node:http2'
import { rootCertificates } from 'node:tls'
import {
  encodeGrpcMessage,
  GrpcMessageDecoder,
  grpcTimeoutHeader,
  readGrpcStatus,
} from './grpc-framing'
import {
  codeFromH2Error,
  codeFromHttpStatus,
  GrpcCode,
  GrpcError,
  h2ErrorName,
} from './grpc-status'

export interface GrpcTransportOptions {
  /** host:port of the server. */
  authority: string
  /**
   * Use TLS (ALPN h2), trusting Node's root certificates plus `ca` when given. Without it the
   * transport speaks plaintext HTTP/2 (h2c, prior knowledge).
   */
  tls?: { ca?: string }
  /** Largest response message accepted (default 4 MiB, gRPC's usual default). */
  maxMessageBytes?: number
  /** user-agent request header (default 'px-canary-grpc'). */
  userAgent?: string
  /**
   * A session the server has not been heard from for this long is PINGed before a new call uses
   * it (default 60 s): a peer that vanished without closing the connection is caught here.
   */
  idlePingAfterMs?: number
  /** How long that PING may take before the session is abandoned for a new one (default 5 s). */
  pingTimeoutMs?: number
  /** Buffered messages (bytes) beyond which the response stream is paused (default 1 MiB). */
  highWaterMarkBytes?: number
}

export interface GrpcCallOptions {
  /** Deadline for the whole call: sent as grpc-timeout, and the stream is cancelled when it passes. */
  timeoutMs: number
  /** Aborting cancels the stream (RST_STREAM CANCEL); the iterator rejects with signal.reason. */
  signal?: AbortSignal
  /** Extra request headers (lower-case names), e.g. credentials. */
  headers?: Record<string, string>
}

export interface GrpcTransport {
  /**
   * Starts a server-streaming call: sends `request` (an encoded message) to `path`
   * ('/package.Service/Method') and returns the response messages as an async iterator. It ends
   * when the server ends the call with status OK and throws a GrpcError otherwise (after the
   * messages received before the failure); the caller's abort rejects with signal.reason.
   * Leaving the loop early (break, throw) cancels the stream.
   */
  serverStream(
    path: string,
    request: Uint8Array,
    options: GrpcCallOptions
  ): AsyncIterableIterator<Uint8Array>
  /** Cancels calls in flight and closes the session; later calls fail. */
  close(): Promise<void>
}

const DEFAULT_MAX_MESSAGE_BYTES = 4 * 1024 * 1024
const DEFAULT_IDLE_PING_AFTER_MS = 60_000
const DEFAULT_PING_TIMEOUT_MS = 5_000
const DEFAULT_HIGH_WATER_MARK_BYTES = 1024 * 1024
/** Queued messages beyond which the stream is paused, whatever their size. */
const HIGH_WATER_MARK_MESSAGES = 256
/**
 * HTTP/2 error codes that, when the peer resets a stream with them, condemn the whole session:
 * PROTOCOL_ERROR (1), FLOW_CONTROL_ERROR (3) and ENHANCE_YOUR_CALM (11). A Node server, for one,
 * answers every new stream with ENHANCE_YOUR_CALM once a session has misbehaved in its eyes.
 */
const SESSION_FAULT_RST_CODES: ReadonlySet<number> = new Set([1, 3, 11])

/** How long close() waits for a graceful session shutdown before destroying it. */
const CLOSE_GRACE_MS = 1000

const { NGHTTP2_CANCEL } = http2.constants

/** One HTTP/2 connection and what the transport knows about its health. */
interface SessionEntry {
  session: ClientHttp2Session
  /** False once it closed, received GOAWAY or failed: new calls go to a new session. */
  usable: boolean
  /** The error that broke it, for calls that were waiting on it. */
  error: Error | undefined
  /** Open streams; the session keeps the process alive only while this is above zero. */
  streams: number
  /** When the server was last heard from on this session (performance.now()). */
  lastHeard: number
  /** A PING in progress, shared by the calls waiting to reuse the session. */
  verifying: Promise<boolean> | undefined
}

/** Turns what node:http2 raised into a GrpcError (the connection's own error when there is one). */
function transportError(error: unknown, rstCode?: number): GrpcError {
  if (error instanceof GrpcError) return error
  const err = error as (Error & { code?: string; cause?: unknown }) | undefined
  if (err?.code === 'ERR_HTTP2_STREAM_ERROR' && rstCode) {
    return new GrpcError(
      codeFromH2Error(rstCode),
      `the server reset the stream with ${h2ErrorName(rstCode)}`,
      'transport',
      { cause: error }
    )
  }
  // A stream that was waiting on a connection that failed carries the connection's error.
  const root =
    err?.code === 'ERR_HTTP2_STREAM_CANCEL' && err.cause instanceof Error ? err.cause : err
  return new GrpcError(
    GrpcCode.UNAVAILABLE,
    root instanceof Error ? root.message : String(error),
    'transport',
    { cause: root }
  )
}

function protocolError(message: string): GrpcError {
  return new GrpcError(GrpcCode.INTERNAL, message, 'protocol')
}

/** True for application/grpc and application/grpc+proto (the only encodings we speak). */
function isGrpcProto(contentType: string | undefined): boolean {
  return /^application\/grpc(\+proto)?\s*(;|$)/i.test(contentType ?? '')
}

/**
 * Creates a transport. No I/O happens here: the first call connects. Throws a TypeError for an
 * unusable authority.
 */
export function createGrpcTransport(options: GrpcTransportOptions): GrpcTransport {
  const url = `${options.tls ? 'https' : 'http'}://${options.authority}`
  try {
    new URL(url)
  } catch {
    throw new TypeError(`not a host:port: ${JSON.stringify(options.authority)}`)
  }
  const connectOptions: http2.SecureClientSessionOptions = options.tls?.ca
    ? { ca: [...rootCertificates, options.tls.ca] }
    : {}
  const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES
  const userAgent = options.userAgent ?? 'px-canary-grpc'
  const idlePingAfterMs = options.idlePingAfterMs ?? DEFAULT_IDLE_PING_AFTER_MS
  const pingTimeoutMs = options.pingTimeoutMs ?? DEFAULT_PING_TIMEOUT_MS
  const highWaterMarkBytes = options.highWaterMarkBytes ?? DEFAULT_HIGH_WATER_MARK_BYTES

  let current: SessionEntry | undefined
  let closed = false
  const calls = new Set<ServerStreamCall>()
  /** Every session not yet closed, including dropped ones still finishing their streams. */
  const sessions = new Set<ClientHttp2Session>()

  function drop(entry: SessionEntry): void {
    entry.usable = false
    if (current === entry) current = undefined
  }

  function open(): SessionEntry {
    const session = http2.connect(url, connectOptions)
    const entry: SessionEntry = {
      session,
      usable: true,
      error: undefined,
      streams: 0,
      lastHeard: performance.now(),
      verifying: undefined,
    }
    session.on('error', (err) => {
      entry.error = err
      drop(entry)
    })
    session.on('goaway', () => drop(entry))
    session.on('close', () => {
      drop(entry)
      sessions.delete(session)
    })
    sessions.add(session)
    // An idle session must not keep the process alive; streamOpened() refs it while in use.
    session.unref()
    return entry
  }

  /** Sends a PING; resolves false when it fails or takes longer than pingTimeoutMs. */
  function verify(entry: SessionEntry): Promise<boolean> {
    entry.verifying ??= new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), pingTimeoutMs)
      let sent = false
      try {
        sent = entry.session.ping((err) => {
          clearTimeout(timer)
          resolve(!err)
        })
      } catch {
        // the session went away under us: same as no answer
      }
      if (!sent) {
        clearTimeout(timer)
        resolve(false)
      }
    }).finally(() => {
      entry.verifying = undefined
    })
    return entry.verifying
  }

  /** The session for the next stream: the current one if still healthy, else a new one. */
  async function acquire(): Promise<SessionEntry> {
    for (;;) {
      if (closed)
        throw new GrpcError(GrpcCode.CANCELLED, 'the gRPC transport is closed', 'cancelled')
      const entry = current
      if (!entry || !entry.usable || entry.session.closed || entry.session.destroyed) {
        if (entry) drop(entry)
        current = open()
        return current
      }
      if (performance.now() - entry.lastHeard < idlePingAfterMs) return entry
      if (await verify(entry)) {
        entry.lastHeard = performance.now()
        if (entry.usable && !entry.session.closed && !entry.session.destroyed) return entry
        continue // it closed while we waited: start over
      }
      drop(entry)
      entry.session.destroy()
    }
  }

  function streamOpened(entry: SessionEntry): void {
    if (entry.streams++ === 0) entry.session.ref()
  }

  function streamClosed(entry: SessionEntry): void {
    if (--entry.streams === 0 && !entry.session.destroyed) entry.session.unref()
  }

  /** One server-streaming call: its stream, its queue of decoded messages, its outcome. */
  class ServerStreamCall implements AsyncIterableIterator<Uint8Array> {
    private readonly queue: Uint8Array[] = []
    private queuedBytes = 0
    /** Set once the outcome is known; later stream events are ignored. */
    private settled = false
    private failure: { error: unknown } | undefined
    private failureDelivered = false
    /** Pending next() calls, oldest first. */
    private readonly waiters: {
      resolve: (r: IteratorResult<Uint8Array>) => void
      reject: (e: unknown) => void
    }[] = []
    private stream: ClientHttp2Stream | undefined
    private paused = false
    /** The server ended the stream: nothing left to cancel. */
    private ended = false
    private response: IncomingHttpHeaders | undefined
    private trailers: IncomingHttpHeaders | undefined
    private readonly decoder = new GrpcMessageDecoder(maxMessageBytes)
    private readonly timer: NodeJS.Timeout | undefined
    private readonly onAbort = () => this.settle(this.signal?.reason, true)

    constructor(
      private readonly path: string,
      private readonly request: Uint8Array,
      private readonly timeoutMs: number,
      private readonly signal: AbortSignal | undefined,
      private readonly headers: Record<string, string>
    ) {
      if (signal?.aborted) {
        this.settle(signal.reason, true)
        return
      }
      calls.add(this)
      signal?.addEventListener('abort', this.onAbort, { once: true })
      this.timer = setTimeout(() => {
        this.settle(
          new GrpcError(
            GrpcCode.DEADLINE_EXCEEDED,
            `the call exceeded its ${this.timeoutMs} ms deadline`,
            'deadline'
          ),
          true
        )
      }, timeoutMs)
      void this.start()
    }

    [Symbol.asyncIterator](): AsyncIterableIterator<Uint8Array> {
      return this
    }

    next(): Promise<IteratorResult<Uint8Array>> {
      const queued = this.queue.shift()
      if (queued) {
        this.queuedBytes -= queued.byteLength
        if (
          this.paused &&
          this.queuedBytes < highWaterMarkBytes / 2 &&
          this.queue.length < HIGH_WATER_MARK_MESSAGES / 2
        ) {
          this.paused = false
          this.stream?.resume()
        }
        return Promise.resolve({ value: queued, done: false })
      }
      if (this.settled) {
        if (this.failure && !this.failureDelivered) {
          this.failureDelivered = true
          return Promise.reject(this.failure.error)
        }
        return Promise.resolve({ value: undefined, done: true })
      }
      return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }))
    }

    /** The consumer stopped early: cancel the stream. */
    return(): Promise<IteratorResult<Uint8Array>> {
      this.settle(undefined, true)
      return Promise.resolve({ value: undefined, done: true })
    }

    throw(error?: unknown): Promise<IteratorResult<Uint8Array>> {
      this.settle(undefined, true)
      return Promise.reject(error)
    }

    /**
     * Records the outcome once (error undefined: success, or the consumer leaving). `now`: drop
     * queued messages and cancel the stream (deadline, abort, close, consumer gone) rather than
     * deliver what arrived before the failure.
     */
    settle(error: unknown, now: boolean): void {
      if (this.settled) return
      this.settled = true
      if (error !== undefined) this.failure = { error }
      clearTimeout(this.timer)
      this.signal?.removeEventListener('abort', this.onAbort)
      calls.delete(this)
      if (now) {
        this.queue.length = 0
        this.queuedBytes = 0
      }
      const stream = this.stream
      if (stream && !this.ended && !stream.closed && !stream.destroyed) stream.close(NGHTTP2_CANCEL)
      this.wake()
    }

    private wake(): void {
      while (this.waiters.length > 0 && (this.queue.length > 0 || this.settled)) {
        const waiter = this.waiters.shift()!
        this.next().then(waiter.resolve, waiter.reject)
      }
    }

    private async start(): Promise<void> {
      let entry: SessionEntry
      try {
        entry = await acquire()
      } catch (err) {
        this.settle(transportError(err), false)
        return
      }
      if (this.settled) return
      let stream: ClientHttp2Stream
      try {
        stream = entry.session.request({
          ...this.headers,
          ':method': 'POST',
          ':path': this.path,
          'content-type': 'application/grpc+proto',
          te: 'trailers',
          'grpc-timeout': grpcTimeoutHeader(this.timeoutMs),
          'user-agent': userAgent,
        })
      } catch (err) {
        // ERR_HTTP2_GOAWAY_SESSION / ERR_HTTP2_INVALID_SESSION: the session went away just now.
        if (entry.session.closed || entry.session.destroyed) drop(entry)
        this.settle(transportError(entry.error ?? err), false)
        return
      }
      this.stream = stream
      streamOpened(entry)
      const heard = () => (entry.lastHeard = performance.now())
      stream.on('response', (headers) => {
        heard()
        this.onResponse(headers)
      })
      stream.on('data', (chunk: Buffer) => {
        heard()
        this.onData(chunk)
      })
      stream.on('trailers', (trailers) => {
        heard()
        this.trailers = trailers
      })
      stream.on('end', () => this.onEnd())
      stream.on('error', (err) => this.settle(transportError(err, stream.rstCode), false))
      stream.on('close', () => {
        // A reset that speaks about the connection, not the call (the peer wants us to back off,
        // or saw a protocol or flow-control fault): later calls must not reuse this session.
        if (stream.rstCode && SESSION_FAULT_RST_CODES.has(stream.rstCode)) drop(entry)
        streamClosed(entry)
        this.onClose(stream, entry)
      })
      stream.end(encodeGrpcMessage(this.request))
    }

    private onResponse(headers: IncomingHttpHeaders): void {
      if (this.settled) return
      this.response = headers
      if (headers['grpc-status'] !== undefined) return // trailers-only: read when the stream ends
      const status = Number(headers[':status'])
      if (status !== 200) {
        this.settle(
          new GrpcError(
            codeFromHttpStatus(status),
            `the server answered HTTP ${status} without a gRPC status`,
            'http',
            { httpStatus: status }
          ),
          false
        )
      } else if (!isGrpcProto(headers['content-type'])) {
        this.settle(
          protocolError(
            `unsupported content type ${JSON.stringify(headers['content-type'] ?? '')}`
          ),
          false
        )
      }
    }

    private onData(chunk: Buffer): void {
      if (this.settled) return
      let messages: Uint8Array[]
      try {
        messages = this.decoder.push(chunk)
      } catch (err) {
        this.settle(err, false)
        return
      }
      for (const message of messages) {
        this.queue.push(message)
        this.queuedBytes += message.byteLength
      }
      if (
        !this.paused &&
        (this.queuedBytes >= highWaterMarkBytes || this.queue.length >= HIGH_WATER_MARK_MESSAGES)
      ) {
        // The consumer is behind: stop reading, so HTTP/2 flow control holds the server back.
        this.paused = true
        this.stream?.pause()
      }
      this.wake()
    }

    /** The stream closed before a status settled the call: say why. */
    private onClose(stream: ClientHttp2Stream, entry: SessionEntry): void {
      if (this.settled) return
      const rst = stream.rstCode
      if (rst) {
        this.settle(
          new GrpcError(
            codeFromH2Error(rst),
            `the server reset the stream with ${h2ErrorName(rst)}`,
            'transport'
          ),
          false
        )
      } else if (entry.error) {
        this.settle(transportError(entry.error), false)
      } else if (this.ended && this.response && !entry.session.destroyed && !entry.session.closed) {
        // A clean END_STREAM on a healthy connection, but no grpc-status: not a gRPC answer.
        this.settle(protocolError('the server ended the stream without a grpc-status'), false)
      } else {
        this.settle(
          new GrpcError(
            GrpcCode.UNAVAILABLE,
            this.response
              ? 'the connection closed before the call ended'
              : 'the connection closed before the server answered',
            'transport'
          ),
          false
        )
      }
    }

    private onEnd(): void {
      this.ended = true
      if (this.settled) return
      const headers = this.trailers ?? this.response
      // Node also ends the stream when the connection drops: without a status, 'close' decides.
      if (!headers) return
      let status
      try {
        status = readGrpcStatus(headers)
      } catch (err) {
        this.settle(err, false)
        return
      }
      if (!status) return
      const httpStatus = Number(this.response?.[':status'])
      if (status.code !== GrpcCode.OK) {
        this.settle(new GrpcError(status.code, status.message, 'server', { httpStatus }), false)
      } else if (this.decoder.partial) {
        this.settle(protocolError('the stream ended in the middle of a message'), false)
      } else {
        this.settle(undefined, false)
      }
    }
  }

  return {
    serverStream(path, request, callOptions) {
      return new ServerStreamCall(
        path,
        request,
        callOptions.timeoutMs,
        callOptions.signal,
        callOptions.headers ?? {}
      )
    },

    async close() {
      closed = true
      const reason = new GrpcError(GrpcCode.CANCELLED, 'the gRPC transport was closed', 'cancelled')
      for (const call of [...calls]) call.settle(reason, true)
      current = undefined
      await Promise.all(
        [...sessions].map(
          (session) =>
            new Promise<void>((resolve) => {
              if (session.destroyed) return resolve()
              const timer = setTimeout(() => {
                session.destroy()
                resolve()
              }, CLOSE_GRACE_MS)
              session.close(() => {
                clearTimeout(timer)
                resolve()
              })
            })
        )
      )
    },
  }
}
