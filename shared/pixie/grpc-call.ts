/**
 * One server-streaming gRPC call as a state machine: it sends the request on a stream of a pooled
 * session, reads response headers, length-prefixed messages and trailers, and settles exactly
 * once on the status, the deadline, the caller's abort, the consumer leaving or a broken stream.
 *
 * It is its own async iterator rather than an async generator so that messages arriving while
 * the consumer is busy are queued (pausing the stream past a high-water mark, which lets HTTP/2
 * flow control hold the server back) and so that a cancel reaches the stream at once, not at the
 * consumer's next read.
 *
 * A stream the server never processed (RST_STREAM REFUSED_STREAM, or above the last stream id of
 * a GOAWAY, or refused because the session was already going away) is retried once on a fresh
 * session within the same deadline, as gRPC clients retry such streams transparently: nothing
 * reached the server's handler, so nothing can run twice.
 */
import { constants as http2Constants } from 'node:http2'
import type { ClientHttp2Stream, IncomingHttpHeaders } from 'node:http2'
import {
  encodeGrpcMessage,
  GrpcMessageDecoder,
  grpcTimeoutHeader,
  readGrpcStatus,
} from './grpc-framing'
import type { PooledSession, SessionPool } from './grpc-session-pool'
import {
  codeFromH2Error,
  codeFromHttpStatus,
  GrpcCode,
  GrpcError,
  h2ErrorName,
} from './grpc-status'

/** What a call needs from the transport that starts it. */
export interface GrpcCallContext {
  pool: SessionPool
  /** Calls in flight; a call is in it from its start until it settles. */
  calls: Set<ServerStreamCall>
  /** Largest response message accepted. */
  maxMessageBytes: number
  userAgent: string
  /** Buffered messages (bytes) beyond which the response stream is paused. */
  highWaterMarkBytes: number
}

export interface ServerStreamRequest {
  /** '/package.Service/Method'. */
  path: string
  /** The encoded request message. */
  request: Uint8Array
  timeoutMs: number
  signal: AbortSignal | undefined
  /** Extra request headers (lower-case names). */
  headers: Record<string, string>
}

/** Queued messages beyond which the stream is paused, whatever their size. */
const HIGH_WATER_MARK_MESSAGES = 256

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

/** One server-streaming call: its stream, its queue of decoded messages, its outcome. */
export class ServerStreamCall implements AsyncIterableIterator<Uint8Array> {
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
  private decoder: GrpcMessageDecoder
  private readonly timer: NodeJS.Timeout | undefined
  private readonly signal: AbortSignal | undefined
  private readonly onAbort = () => this.settle(this.signal?.reason, true)
  /** The one transparent retry of a stream the server never processed has been used. */
  private retried = false

  /** Starts the call at once (unless the signal is already aborted). */
  constructor(
    private readonly context: GrpcCallContext,
    private readonly call: ServerStreamRequest
  ) {
    this.decoder = new GrpcMessageDecoder(context.maxMessageBytes)
    const signal = (this.signal = call.signal)
    if (signal?.aborted) {
      this.settle(signal.reason, true)
      return
    }
    context.calls.add(this)
    signal?.addEventListener('abort', this.onAbort, { once: true })
    this.timer = setTimeout(() => {
      this.settle(
        new GrpcError(
          GrpcCode.DEADLINE_EXCEEDED,
          `the call exceeded its ${call.timeoutMs} ms deadline`,
          'deadline'
        ),
        true
      )
    }, call.timeoutMs)
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
        this.queuedBytes < this.context.highWaterMarkBytes / 2 &&
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
    this.context.calls.delete(this)
    if (now) {
      this.queue.length = 0
      this.queuedBytes = 0
    }
    const stream = this.stream
    if (stream && !this.ended && !stream.closed && !stream.destroyed) {
      stream.close(http2Constants.NGHTTP2_CANCEL)
    }
    this.wake()
  }

  private wake(): void {
    while (this.waiters.length > 0 && (this.queue.length > 0 || this.settled)) {
      const waiter = this.waiters.shift()!
      this.next().then(waiter.resolve, waiter.reject)
    }
  }

  private async start(): Promise<void> {
    const { pool } = this.context
    let entry: PooledSession
    try {
      entry = await pool.acquire()
    } catch (err) {
      this.settle(transportError(err), false)
      return
    }
    if (this.settled) return
    let stream: ClientHttp2Stream
    try {
      stream = entry.session.request({
        ...this.call.headers,
        ':method': 'POST',
        ':path': this.call.path,
        'content-type': 'application/grpc+proto',
        te: 'trailers',
        'grpc-timeout': grpcTimeoutHeader(this.call.timeoutMs),
        'user-agent': this.context.userAgent,
      })
    } catch (err) {
      // ERR_HTTP2_GOAWAY_SESSION / ERR_HTTP2_INVALID_SESSION: the session went away just now.
      if (entry.session.closed || entry.session.destroyed) pool.drop(entry)
      const code = (err as { code?: string } | undefined)?.code
      if (code === 'ERR_HTTP2_GOAWAY_SESSION' && this.retry(entry)) return
      this.settle(transportError(entry.error ?? err), false)
      return
    }
    this.stream = stream
    pool.streamOpened(entry)
    // Events of a stream given up for a retry are ignored (its close still reaches the pool).
    const live = (): boolean => this.stream === stream
    stream.on('response', (headers) => {
      pool.heard(entry)
      if (live()) this.onResponse(headers)
    })
    stream.on('data', (chunk: Buffer) => {
      pool.heard(entry)
      if (live()) this.onData(chunk)
    })
    stream.on('trailers', (trailers) => {
      pool.heard(entry)
      if (live()) this.trailers = trailers
    })
    stream.on('end', () => {
      if (live()) this.onEnd()
    })
    stream.on('error', (err) => {
      if (!live() || (this.unprocessed(stream, entry) && this.retry(entry))) return
      this.settle(transportError(err, stream.rstCode), false)
    })
    stream.on('close', () => {
      pool.streamClosed(entry, stream.rstCode)
      if (!live() || (this.unprocessed(stream, entry) && this.retry(entry))) return
      this.onClose(stream, entry)
    })
    stream.end(encodeGrpcMessage(this.call.request))
  }

  /**
   * True when the server cannot have processed the stream: it answered nothing, and refused it
   * (REFUSED_STREAM) or announced in a GOAWAY a last processed stream below it.
   */
  private unprocessed(stream: ClientHttp2Stream, entry: PooledSession): boolean {
    if (this.response !== undefined) return false
    if (stream.rstCode === http2Constants.NGHTTP2_REFUSED_STREAM) return true
    const last = entry.goawayLastStreamId
    return last !== undefined && stream.id !== undefined && stream.id > last
  }

  /** Starts the one retry on a fresh session; false when it was used or the call is over. */
  private retry(entry: PooledSession): boolean {
    if (this.retried || this.settled) return false
    this.retried = true
    this.context.pool.drop(entry)
    this.stream = undefined
    this.decoder = new GrpcMessageDecoder(this.context.maxMessageBytes)
    void this.start()
    return true
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
        protocolError(`unsupported content type ${JSON.stringify(headers['content-type'] ?? '')}`),
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
      (this.queuedBytes >= this.context.highWaterMarkBytes ||
        this.queue.length >= HIGH_WATER_MARK_MESSAGES)
    ) {
      // The consumer is behind: stop reading, so HTTP/2 flow control holds the server back.
      this.paused = true
      this.stream?.pause()
    }
    this.wake()
  }

  /** The stream closed before a status settled the call: say why. */
  private onClose(stream: ClientHttp2Stream, entry: PooledSession): void {
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
