/**
 * The Vizier gRPC client: runs a PxL script through ExecuteScript (server streaming) over HTTP/2,
 * via Pixie Cloud (TLS, API key, cluster id), in-cluster at Vizier's query broker (TLS with the
 * cluster's CA, a service JWT per call), or plaintext at the simulator's development front door,
 * and assembles the streamed tables.
 *
 * The token module is imported on first use, so cloud and development modes never evaluate it.
 */
import { monotonicMs } from '../clock'
import { PxCanaryError } from '../errors'
import { decodeExecuteScriptResponse, encodeExecuteScriptRequest } from './vizierapi'
import type { ExecuteScriptResponse } from './vizierapi'
import { createGrpcTransport } from './grpc-transport'
import { GrpcCode, GrpcError } from './grpc-status'
import type { TlsOptions } from './grpc-transport'
import type { ExecuteScriptOptions, ScriptResult, VizierClient } from './types'
import { ResultAssembler } from './stream-assembly'
import type { AssemblyLimits } from './stream-assembly'
import {
  deadlineError,
  decryptionError,
  errorFromTransport,
  protocolError,
  withInClusterAdvice,
} from './error-mapping'
import type { ServiceTokenSource } from './service-token'
import {
  decryptRowBatch,
  E2E_COMPRESSION_ALG,
  E2E_CONTENT_ALG,
  E2E_KEY_ALG,
  lazyE2eKeyPair,
} from './encryption'
import type { E2eKeyPair } from './encryption'

/** The Go client's default Pixie Cloud address. */
export const DEFAULT_CLOUD_ADDR = 'work.withpixie.ai:443'
/** Deadline for a call when neither the call nor the client sets one. */
export const DEFAULT_TIMEOUT_MS = 8000
/** Largest single gRPC message accepted (the query broker's own receive limit). */
const READ_MAX_BYTES = 8 * 1024 * 1024
/** The one RPC this client makes (server streaming). */
const EXECUTE_SCRIPT_PATH = '/px.api.vizierpb.VizierService/ExecuteScript'

interface CommonOptions extends AssemblyLimits {
  /** Deadline for calls that do not set timeoutMs (default 8000 ms). */
  defaultTimeoutMs?: number
}

/** Via Pixie Cloud: TLS, `pixie-api-key` header, the cluster id in every request. */
export interface CloudVizierClientOptions extends CommonOptions {
  mode: 'cloud'
  apiKey: string
  /** Cluster UUID (with dashes). */
  clusterId: string
  /** host:port of Pixie Cloud (default work.withpixie.ai:443; port 443 when omitted). */
  cloudAddr?: string
  /** End-to-end encryption of row batches (default true, as Pixie's clients do via cloud). */
  encryption?: boolean
  /** Extra CA certificate (PEM) trusted besides the system roots: self-hosted clouds, tests. */
  tls?: { ca?: string }
}

/**
 * Plaintext HTTP/2 without credentials: the simulator's development mode. No real Pixie serves
 * this (Vizier's query broker needs TLS and a service JWT; a standalone PEM ignores exec_funcs).
 */
export interface DirectVizierClientOptions extends CommonOptions {
  mode: 'direct'
  /** host:port, e.g. 127.0.0.1:12345. */
  address: string
  /** End-to-end encryption of row batches (default false). */
  encryption?: boolean
}

/**
 * In-cluster: Vizier's query broker (Service vizier-query-broker-svc, port 50300) over TLS,
 * trusting the cluster's CA, with `authorization: bearer <service JWT>` on every call.
 */
export interface InClusterVizierClientOptions extends CommonOptions {
  mode: 'in-cluster'
  /** host:port of the query broker, e.g. vizier-query-broker-svc.pl.svc:50300. */
  address: string
  /** The Secret's `jwt-signing-key` value exactly as stored. */
  jwtSigningKey: string
  /** ca.crt of Secret service-tls-certs (PEM), trusted alone; required unless insecureSkipVerify. */
  ca?: string
  /** Name to verify the certificate against when the address's host is not one it carries. */
  serverName?: string
  /** Accept any certificate: the documented opt-out for clusters whose CA cannot be mounted. */
  insecureSkipVerify?: boolean
  /** End-to-end encryption of row batches (default false: TLS protects the hop already). */
  encryption?: boolean
  /** Clock for token expiry in ms since the epoch (default Date.now); tests emulate it. */
  now?: () => number
}

export type VizierClientOptions =
  CloudVizierClientOptions | DirectVizierClientOptions | InClusterVizierClientOptions

/** Vizier's auth interceptor prefixes every token refusal with this (grpc_server.go). */
const INVALID_TOKEN_PREFIX = 'invalid auth token:'

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** Parses host[:port] (an optional scheme is tolerated) into an authority with a port. */
function authorityOf(value: string, defaultPort: number | undefined, what: string): string {
  const bare = value.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')
  let url: URL
  try {
    url = new URL(`http://${bare}`)
  } catch {
    throw new TypeError(`${what} must be host:port, got ${JSON.stringify(value)}`)
  }
  if (url.pathname !== '/' || url.search || url.username || !url.hostname) {
    throw new TypeError(`${what} must be host:port, got ${JSON.stringify(value)}`)
  }
  // URL drops the port when it is the scheme default (80), so read it from the text as well.
  const port = url.port || (/:(\d+)$/.exec(bare)?.[1] ?? '')
  if (!port && defaultPort === undefined) {
    throw new TypeError(`${what} must include a port, got ${JSON.stringify(value)}`)
  }
  return `${url.hostname}:${port || String(defaultPort)}`
}

function positive(value: number | undefined, what: string): void {
  if (value !== undefined && !(Number.isFinite(value) && value > 0)) {
    throw new TypeError(`${what} must be a positive number, got ${value}`)
  }
}

interface Resolved {
  target: string
  /** TLS settings; undefined for plaintext h2c (development mode). */
  tls: TlsOptions | undefined
  headers: Record<string, string>
  clusterId: string
  encryption: boolean
}

function resolve(options: VizierClientOptions): Resolved {
  positive(options.defaultTimeoutMs, 'defaultTimeoutMs')
  positive(options.maxRowsPerTable, 'maxRowsPerTable')
  positive(options.maxResultBytes, 'maxResultBytes')
  if (options.mode === 'cloud') {
    if (!options.apiKey) throw new TypeError('cloud mode needs an apiKey')
    if (!UUID_PATTERN.test(options.clusterId ?? '')) {
      throw new TypeError(
        `cloud mode needs clusterId as a UUID, got ${JSON.stringify(options.clusterId)}`
      )
    }
    const target = authorityOf(options.cloudAddr ?? DEFAULT_CLOUD_ADDR, 443, 'cloudAddr')
    return {
      target,
      tls: options.tls?.ca ? { ca: options.tls.ca } : {},
      headers: { 'pixie-api-key': options.apiKey },
      clusterId: options.clusterId,
      encryption: options.encryption ?? true,
    }
  }
  if (options.mode === 'direct') {
    const target = authorityOf(options.address ?? '', undefined, 'address')
    return {
      target,
      tls: undefined,
      headers: {},
      clusterId: '',
      encryption: options.encryption ?? false,
    }
  }
  if (options.mode === 'in-cluster') {
    const target = authorityOf(options.address ?? '', undefined, 'address')
    if (!options.jwtSigningKey) throw new TypeError('in-cluster mode needs the JWT signing key')
    if (!options.ca && !options.insecureSkipVerify) {
      throw new TypeError('in-cluster mode needs the cluster CA (ca) or insecureSkipVerify')
    }
    return {
      target,
      tls: options.insecureSkipVerify
        ? { rejectUnauthorized: false }
        : {
            ca: options.ca!,
            caOnly: true,
            ...(options.serverName ? { servername: options.serverName } : {}),
          },
      headers: {},
      clusterId: '',
      encryption: options.encryption ?? false,
    }
  }
  throw new TypeError(
    `unknown Vizier client mode ${JSON.stringify((options as { mode?: unknown }).mode)}`
  )
}

/** What every call of a closed client fails with, in flight or new. */
function closedError(): PxCanaryError {
  return new PxCanaryError('pixie_transport_error', 'the Vizier client is closed')
}

/** The client as created here: a VizierClient that can also start connecting ahead of its first call. */
export interface PixieVizierClient extends VizierClient {
  /**
   * Starts the HTTP/2 connection now without waiting, so that its handshake overlaps whatever
   * the process does before the first call (a function calls it at start-up). The promise
   * resolves once the handshake and, with encryption, the key pair (started at construction) are
   * done or failed; it never rejects: a failed attempt is not an error, the first call tries
   * again. An idle connection does not keep the process alive.
   */
  warm(): Promise<void>
}

/**
 * Creates a client. Construction validates the options and, with encryption, starts generating
 * the RSA key pair off the main thread; the HTTP/2 connection is opened by warm() or the first
 * executeScript. Throws a TypeError for unusable options.
 */
export function createVizierClient(options: VizierClientOptions): PixieVizierClient {
  const config = resolve(options)
  const defaultTimeoutMs = options.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS
  const limits: AssemblyLimits = {
    ...(options.maxRowsPerTable === undefined ? {} : { maxRowsPerTable: options.maxRowsPerTable }),
    ...(options.maxResultBytes === undefined ? {} : { maxResultBytes: options.maxResultBytes }),
  }
  const keyPair = config.encryption ? lazyE2eKeyPair() : undefined
  // Start the RSA key generation now (off the main thread), so the first request does not pay
  // for it inside its deadline; a failure here is retried by the first call that needs the key.
  keyPair?.().catch(() => undefined)
  const inCluster = options.mode === 'in-cluster' ? options : undefined
  let tokens: Promise<ServiceTokenSource> | undefined
  const tokenSource = (): Promise<ServiceTokenSource> =>
    (tokens ??= import('./service-token').then((m) =>
      m.createServiceTokenSource({
        signingKey: inCluster!.jwtSigningKey,
        ...(inCluster!.now ? { now: inCluster!.now } : {}),
      })
    ))
  let closed = false
  /** Aborted by close(): ends waits before a call (the key pair, say) at once. */
  const closing = new AbortController()

  /**
   * Waits for `pending` within the call's deadline, the caller's abort and close(): what a call
   * may wait for before its stream exists (the key pair while it is still being generated).
   * A deadline here rejects like the transport's own (isLocalDeadline).
   */
  function beforeCall<T>(
    pending: Promise<T>,
    signal: AbortSignal | undefined,
    deadlineAt: number
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const cleanup = (): void => {
        clearTimeout(timer)
        signal?.removeEventListener('abort', onAbort)
        closing.signal.removeEventListener('abort', onAbort)
      }
      const onAbort = (): void => {
        cleanup()
        reject(signal?.aborted ? signal.reason : closedError())
      }
      const timer = setTimeout(
        () => {
          cleanup()
          reject(
            new GrpcError(
              GrpcCode.DEADLINE_EXCEEDED,
              'the deadline passed before the call',
              'deadline'
            )
          )
        },
        Math.max(0, deadlineAt - monotonicMs())
      )
      signal?.addEventListener('abort', onAbort, { once: true })
      closing.signal.addEventListener('abort', onAbort, { once: true })
      pending.then(
        (value) => {
          cleanup()
          resolve(value)
        },
        (err: unknown) => {
          cleanup()
          reject(err)
        }
      )
    })
  }

  // No I/O here: the transport connects on warm() or the first call, then reuses the session (a
  // session idle for a minute is verified with a PING before reuse).
  const transport = createGrpcTransport({
    authority: config.target,
    ...(config.tls ? { tls: config.tls } : {}),
    maxMessageBytes: READ_MAX_BYTES,
    userAgent: 'px-canary',
    idlePingAfterMs: 60_000,
    pingTimeoutMs: 5_000,
  })

  /** The key pair once generated: later calls use it without waiting on a promise. */
  let readyKey: E2eKeyPair | undefined

  async function run(
    call: ExecuteScriptOptions,
    signal: AbortSignal | undefined,
    deadlineAt: number
  ): Promise<ScriptResult> {
    let key: E2eKeyPair | undefined
    if (keyPair) {
      key = readyKey ??= await beforeCall(keyPair(), signal, deadlineAt)
    }
    const request = encodeExecuteScriptRequest({
      queryStr: call.script,
      clusterId: config.clusterId,
      execFuncs: (call.execFuncs ?? []).map((f) => ({
        funcName: f.funcName,
        argValues: Object.entries(f.args).map(([name, value]) => ({ name, value })),
        outputTablePrefix: f.outputTablePrefix,
      })),
      queryName: call.queryName ?? '',
      ...(key
        ? {
            encryptionOptions: {
              jwkKey: key.publicJwk,
              keyAlg: E2E_KEY_ALG,
              contentAlg: E2E_CONTENT_ALG,
              compressionAlg: E2E_COMPRESSION_ALG,
            },
          }
        : {}),
    })
    const body = request
    if (!inCluster) return attempt(body, config.headers, signal, deadlineAt, key)
    const source = await tokenSource()
    const authorized = async () => ({ authorization: `bearer ${await source.token()}` })
    try {
      return await attempt(body, await authorized(), signal, deadlineAt, key)
    } catch (err) {
      // A refused token (expired, say, after the process slept) is re-minted once and the call
      // retried once, within the same deadline. Refusals happen before any result is sent.
      if (!isTokenRefusal(err)) throw err
      source.invalidate()
      signal?.throwIfAborted()
      return await attempt(body, await authorized(), signal, deadlineAt, key)
    }
  }

  async function attempt(
    body: Uint8Array,
    headers: Record<string, string>,
    signal: AbortSignal | undefined,
    deadlineAt: number,
    key: E2eKeyPair | undefined
  ): Promise<ScriptResult> {
    const remaining = Math.max(1, Math.ceil(deadlineAt - monotonicMs()))
    const assembler = new ResultAssembler(limits)
    const stream = transport.serverStream(EXECUTE_SCRIPT_PATH, body, {
      ...(signal ? { signal } : {}),
      timeoutMs: remaining,
      headers,
    })
    for await (const bytes of stream) {
      const message = decodeResponse(bytes)
      if (key) await decryptInPlace(message, key)
      assembler.push(message)
    }
    return assembler.finish()
  }

  return {
    warm() {
      if (closed) return Promise.resolve()
      // The key pair is memoised: this waits for the generation started at construction.
      const key = keyPair?.().then(
        () => undefined,
        () => undefined
      )
      return Promise.all([transport.warm(), key]).then(() => undefined)
    },

    async executeScript(call: ExecuteScriptOptions): Promise<ScriptResult> {
      const callerSignal = call.signal
      callerSignal?.throwIfAborted()
      if (closed) throw closedError()
      const timeoutMs = call.timeoutMs ?? defaultTimeoutMs
      positive(timeoutMs, 'timeoutMs')
      const deadlineAt = monotonicMs() + timeoutMs
      // No controller or timer of its own per call: the transport's call enforces the deadline
      // (its timer, sent as grpc-timeout too), takes the caller's signal as it is, is cancelled
      // by close() through the transport, and cancels its stream when a local failure (caps,
      // protocol, decryption) ends the read loop. Waits before the call starts are bounded by
      // `beforeCall`.
      try {
        return await run(call, callerSignal, deadlineAt)
      } catch (err) {
        let error: unknown
        if (callerSignal?.aborted) error = callerSignal.reason
        else if (closed) error = closedError()
        else if (isLocalDeadline(err)) error = deadlineError(timeoutMs)
        else if (err instanceof PxCanaryError) error = err
        else error = errorFromTransport(err, config.target)
        if (inCluster && error instanceof PxCanaryError) error = withInClusterAdvice(error)
        throw error
      }
    },

    async close(): Promise<void> {
      closed = true
      closing.abort()
      await transport.close()
    },
  }
}

/** Vizier refused the service JWT itself (not a missing header, which a retry cannot fix). */
function isTokenRefusal(err: unknown): boolean {
  return (
    err instanceof GrpcError &&
    err.source === 'server' &&
    err.code === GrpcCode.UNAUTHENTICATED &&
    err.rawMessage.startsWith(INVALID_TOKEN_PREFIX)
  )
}

/** The transport's own deadline timer fired, as opposed to a server-sent DEADLINE_EXCEEDED. */
function isLocalDeadline(err: unknown): boolean {
  return err instanceof GrpcError && err.source === 'deadline'
}

function decodeResponse(bytes: Uint8Array): ExecuteScriptResponse {
  try {
    return decodeExecuteScriptResponse(bytes)
  } catch (err) {
    throw protocolError(
      `undecodable ExecuteScriptResponse: ${err instanceof Error ? err.message : String(err)}`
    )
  }
}

/**
 * Replaces a data message's encrypted_batch by its decrypted RowBatchData. With a key sent, a
 * batch in the clear is refused: accepting it would let a downgrade pass unnoticed.
 */
async function decryptInPlace(message: ExecuteScriptResponse, key: E2eKeyPair): Promise<void> {
  if (message.result.case !== 'data') return
  const data = message.result.value
  if (data.encryptedBatch.length === 0) {
    if (data.batch) throw decryptionError('a batch arrived in the clear though a key was sent')
    return
  }
  if (data.batch) throw protocolError('a data message carries both a batch and an encrypted batch')
  data.batch = await decryptRowBatch(data.encryptedBatch, key.privateKey)
  data.encryptedBatch = new Uint8Array(0)
}
