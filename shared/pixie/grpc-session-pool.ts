/**
 * The HTTP/2 sessions behind a gRPC transport: one current session, opened on demand and reused
 * by every call until it closes, receives GOAWAY, fails or sees a reset that condemns the whole
 * connection; then the next call opens a new one.
 *
 * A session idle for a while is checked with a PING before reuse, because a peer that vanished
 * without closing the connection would otherwise swallow the next call until its deadline. An
 * idle session is unref'd so that it never keeps the process alive.
 */
import { monotonicMs } from '../clock'
import { connect } from 'node:http2'
import type { ClientHttp2Session, SecureClientSessionOptions } from 'node:http2'
import { rootCertificates } from 'node:tls'
import { GrpcCode, GrpcError } from './grpc-status'

export interface SessionPoolOptions {
  /** http://host:port or https://host:port. */
  url: string
  /** Extra CA certificate (PEM) trusted besides Node's roots (TLS only). */
  ca?: string
  /** Trust `ca` alone, not Node's roots too: a cluster's private CA (TLS only). */
  caOnly?: boolean
  /** Name the server certificate must carry (SNI too), when it differs from the URL's host. */
  servername?: string
  /** False accepts any server certificate: the documented opt-out, never a default. */
  rejectUnauthorized?: boolean
  /** Quiet time after which a session is PINGed before reuse. */
  idlePingAfterMs: number
  /** How long that PING may take before the session is abandoned for a new one. */
  pingTimeoutMs: number
}

/** One HTTP/2 connection and what the pool knows about its health. */
export interface PooledSession {
  readonly session: ClientHttp2Session
  /** False once it closed, received GOAWAY or failed: new calls go to a new session. */
  usable: boolean
  /** The error that broke it, for calls that were waiting on it. */
  error: Error | undefined
  /** Open streams; the session keeps the process alive only while this is above zero. */
  streams: number
  /** When the server was last heard from on this session (shared/clock.ts monotonicMs). */
  lastHeard: number
  /** A PING in progress, shared by the calls waiting to reuse the session. */
  verifying: Promise<boolean> | undefined
  /** The last stream id the server said it processed, once it sent GOAWAY. */
  goawayLastStreamId?: number
}

export interface SessionPool {
  /**
   * The session for the next stream: the current one if still healthy, else a new one. Rejects
   * with a CANCELLED GrpcError once the pool is closed.
   */
  acquire(): Promise<PooledSession>
  /**
   * Opens the session now when there is no current one, so that its handshake overlaps whatever
   * the caller does next. The promise (which callers need not wait for) resolves once the peer's
   * SETTINGS arrived or the attempt failed; it never rejects. A failed session is dropped and the
   * next acquire() opens another. Does nothing once the pool is closed.
   */
  warm(): Promise<void>
  /** No new stream goes to this session (it may finish the streams it has). */
  drop(entry: PooledSession): void
  /** The server was heard from on this session just now. */
  heard(entry: PooledSession): void
  /** A stream opened on the session: keep the process alive while it runs. */
  streamOpened(entry: PooledSession): void
  /**
   * A stream on the session closed with this RST_STREAM code (0 or undefined: none). A reset
   * that speaks about the connection rather than the call drops the session.
   */
  streamClosed(entry: PooledSession, rstCode: number | undefined): void
  /** Refuses later acquires and closes every session, destroying those that linger. */
  close(): Promise<void>
}

/**
 * HTTP/2 error codes that, when the peer resets a stream with them, condemn the whole session:
 * PROTOCOL_ERROR (1), FLOW_CONTROL_ERROR (3) and ENHANCE_YOUR_CALM (11). A Node server, for one,
 * answers every new stream with ENHANCE_YOUR_CALM once a session has misbehaved in its eyes.
 */
const SESSION_FAULT_RST_CODES: ReadonlySet<number> = new Set([1, 3, 11])

/** How long close() waits for a graceful session shutdown before destroying it. */
const CLOSE_GRACE_MS = 1000

/** Sessions that received the peer's SETTINGS: their HTTP/2 handshake is done. */
const handshaken = new WeakSet<ClientHttp2Session>()

/** Resolves once the session has the peer's SETTINGS or has closed. */
function settledHandshake(session: ClientHttp2Session): Promise<void> {
  if (session.closed || session.destroyed || handshaken.has(session)) {
    return Promise.resolve()
  }
  return new Promise((resolve) => {
    const done = (): void => {
      session.off('remoteSettings', done)
      session.off('close', done)
      resolve()
    }
    session.once('remoteSettings', done)
    session.once('close', done)
  })
}

/** Creates a pool. No I/O happens here: warm() or the first acquire() connects. */
export function createSessionPool(options: SessionPoolOptions): SessionPool {
  const { url, idlePingAfterMs, pingTimeoutMs } = options
  const connectOptions: SecureClientSessionOptions = {
    ...(options.ca
      ? { ca: options.caOnly ? [options.ca] : [...rootCertificates, options.ca] }
      : {}),
    ...(options.servername === undefined ? {} : { servername: options.servername }),
    ...(options.rejectUnauthorized === false ? { rejectUnauthorized: false } : {}),
  }

  let current: PooledSession | undefined
  let closed = false
  /** Every session not yet closed, including dropped ones still finishing their streams. */
  const sessions = new Set<ClientHttp2Session>()

  function drop(entry: PooledSession): void {
    entry.usable = false
    if (current === entry) current = undefined
  }

  function open(): PooledSession {
    const session = connect(url, connectOptions)
    const entry: PooledSession = {
      session,
      usable: true,
      error: undefined,
      streams: 0,
      lastHeard: monotonicMs(),
      verifying: undefined,
    }
    session.on('error', (err) => {
      entry.error = err
      drop(entry)
    })
    session.once('remoteSettings', () => handshaken.add(session))
    session.on('goaway', (_code: number, lastStreamId: number) => {
      entry.goawayLastStreamId = lastStreamId
      drop(entry)
    })
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
  function verify(entry: PooledSession): Promise<boolean> {
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

  return {
    warm() {
      if (closed) return Promise.resolve()
      if (!current?.usable) {
        try {
          current = open()
        } catch {
          // connect() refused its arguments: the first acquire() meets and reports the same
          return Promise.resolve()
        }
      }
      return settledHandshake(current.session)
    },

    async acquire() {
      for (;;) {
        if (closed)
          throw new GrpcError(GrpcCode.CANCELLED, 'the gRPC transport is closed', 'cancelled')
        const entry = current
        if (!entry || !entry.usable || entry.session.closed || entry.session.destroyed) {
          if (entry) drop(entry)
          current = open()
          return current
        }
        if (monotonicMs() - entry.lastHeard < idlePingAfterMs) return entry
        if (await verify(entry)) {
          entry.lastHeard = monotonicMs()
          if (entry.usable && !entry.session.closed && !entry.session.destroyed) return entry
          continue // it closed while we waited: start over
        }
        drop(entry)
        entry.session.destroy()
      }
    },

    drop,

    heard(entry) {
      entry.lastHeard = monotonicMs()
    },

    streamOpened(entry) {
      if (entry.streams++ === 0) entry.session.ref()
    },

    streamClosed(entry, rstCode) {
      // A reset that speaks about the connection, not the call (the peer wants us to back off,
      // or saw a protocol or flow-control fault): later calls must not reuse this session.
      if (rstCode && SESSION_FAULT_RST_CODES.has(rstCode)) drop(entry)
      if (--entry.streams === 0 && !entry.session.destroyed) entry.session.unref()
    },

    async close() {
      closed = true
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
