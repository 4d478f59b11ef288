/**
 * A small gRPC client transport on node:http2: exactly what ExecuteScript needs (unary request,
 * server-streaming response, binary protobuf) and nothing else, in place of a general RPC
 * framework whose other protocols, JSON codec and interceptors would cost every function bundle
 * ~55 KB and start-up time (see README.md, "The gRPC transport").
 *
 * This is the facade: the HTTP/2 sessions live in grpc-session-pool.ts and each call's state
 * machine in grpc-call.ts. Messages are bytes: the caller encodes and decodes.
 */
import { ServerStreamCall } from './grpc-call'
import { createSessionPool } from './grpc-session-pool'
import { GrpcCode, GrpcError } from './grpc-status'

export interface GrpcTransportOptions {
  /** host:port of the server. */
  authority: string
  /**
   * Use TLS (ALPN h2), trusting Node's root certificates plus `ca` when given. Without it the
   * transport speaks plaintext HTTP/2 (h2c, prior knowledge).
   */
  tls?: TlsOptions
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

export interface TlsOptions {
  /** Extra CA certificate (PEM). */
  ca?: string
  /** Trust `ca` alone instead of Node's roots plus `ca` (a cluster's private CA). */
  caOnly?: boolean
  /** Name to verify the certificate against (and send as SNI) instead of the authority's host. */
  servername?: string
  /** False skips certificate verification (an explicit, documented opt-out only). */
  rejectUnauthorized?: boolean
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
  /**
   * Starts connecting now (see SessionPool.warm). The promise, which a caller need not wait for,
   * resolves once the handshake is done or failed and never rejects; a failed attempt is retried
   * by the first call.
   */
  warm(): Promise<void>
  /** Cancels calls in flight and closes the session; later calls fail. */
  close(): Promise<void>
}

const DEFAULT_MAX_MESSAGE_BYTES = 4 * 1024 * 1024
const DEFAULT_IDLE_PING_AFTER_MS = 60_000
const DEFAULT_PING_TIMEOUT_MS = 5_000
const DEFAULT_HIGH_WATER_MARK_BYTES = 1024 * 1024

/**
 * Creates a transport. No I/O happens here: warm() or the first call connects. Throws a TypeError for an
 * unusable authority.
 */
export function createGrpcTransport(options: GrpcTransportOptions): GrpcTransport {
  const url = `${options.tls ? 'https' : 'http'}://${options.authority}`
  try {
    new URL(url)
  } catch {
    throw new TypeError(`not a host:port: ${JSON.stringify(options.authority)}`)
  }
  const pool = createSessionPool({
    url,
    ...(options.tls?.ca ? { ca: options.tls.ca } : {}),
    ...(options.tls?.caOnly ? { caOnly: true } : {}),
    ...(options.tls?.servername === undefined ? {} : { servername: options.tls.servername }),
    ...(options.tls?.rejectUnauthorized === false ? { rejectUnauthorized: false } : {}),
    idlePingAfterMs: options.idlePingAfterMs ?? DEFAULT_IDLE_PING_AFTER_MS,
    pingTimeoutMs: options.pingTimeoutMs ?? DEFAULT_PING_TIMEOUT_MS,
  })
  const calls = new Set<ServerStreamCall>()
  const context = {
    pool,
    calls,
    maxMessageBytes: options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
    userAgent: options.userAgent ?? 'px-canary-grpc',
    highWaterMarkBytes: options.highWaterMarkBytes ?? DEFAULT_HIGH_WATER_MARK_BYTES,
  }

  return {
    serverStream(path, request, callOptions) {
      return new ServerStreamCall(context, {
        path,
        request,
        timeoutMs: callOptions.timeoutMs,
        signal: callOptions.signal,
        headers: callOptions.headers ?? {},
      })
    },

    warm() {
      return pool.warm()
    },

    async close() {
      const reason = new GrpcError(GrpcCode.CANCELLED, 'the gRPC transport was closed', 'cancelled')
      for (const call of [...calls]) call.settle(reason, true)
      await pool.close()
    },
  }
}
