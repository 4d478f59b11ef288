/**
 * The whole entry of a function: `serveMetric(definition)` parses the environment, builds the
 * Vizier client, creates the app and serves it with node:http and Hono's request listener on
 * HOST:PORT, then starts the client's connection (without waiting). A bad configuration logs one
 * clear line and exits 1 before listening. On SIGTERM (Knative scaling
 * down) or SIGINT it stops accepting connections, lets in-flight requests finish within a grace
 * period, closes the client and exits 0; a repeated signal during that drain is ignored (Knative
 * sends SIGKILL after its own grace period, which still ends the process).
 * What Node's HTTP server refuses before the app runs (parse errors, slow or idle clients past the
 * headers timeout, CONNECT) is answered with the same JSON error body and `Connection: close`.
 * The secrets (shared/env.ts secretValues) are redacted from every log line and error body.
 */
import type { Server } from 'node:http'
import type { IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import { createServer } from 'node:http'
import { getRequestListener } from '@hono/node-server'
import { createMetricApp, DEFAULT_REQUEST_TIMEOUT_MS } from './app'
import type { MetricDefinition } from './metric'
import { ConfigError, parseEnv, secretValues } from './env'
import type { Env } from './env'
import { codeOfClientError, rawErrorResponse, statusForCode } from './http-errors'
import type { ErrorBody } from './http-errors'
import { createLogger } from './logger'
import type { Logger } from './logger'
import { createVizierClient } from './pixie/client'

export interface ServeOptions {
  /** Environment to read; default process.env (entries are the only readers of it). */
  env?: Env
  logger?: Logger
  /**
   * How long in-flight requests may take after SIGTERM before connections are cut; default the
   * request deadline plus 2 s, so every accepted request gets its answer.
   */
  graceMs?: number
}

/** How long closing the Pixie client may take at shutdown before the process exits anyway. */
const CLIENT_CLOSE_MS = 2000

/** Resolves after ms, or when the promise settles, whichever is first; never rejects. */
function bounded(promise: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms)
    timer.unref()
    promise
      .then(
        () => resolve(),
        () => resolve()
      )
      .finally(() => clearTimeout(timer))
  })
}

/**
 * Closes a node server: stop accepting, drop keep-alive sockets as soon as they fall idle (an
 * in-flight request's socket becomes idle once answered), cut whatever is left after graceMs.
 */
function closeServer(http: Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const sweep = setInterval(() => http.closeIdleConnections(), 50)
    const cut = setTimeout(() => http.closeAllConnections(), graceMs)
    http.close(() => {
      clearInterval(sweep)
      clearTimeout(cut)
      resolve()
    })
    http.closeIdleConnections()
  })
}

/** Writes a JSON error on a raw socket and closes it; a socket already answering is destroyed. */
function refuse(socket: Duplex, code: Parameters<typeof rawErrorResponse>[0], message: string) {
  const answering = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage
  if (!socket.writable || answering?.headersSent === true) {
    socket.destroy()
    return
  }
  socket.end(rawErrorResponse(code, message))
}

/**
 * Runs a metric function until SIGTERM/SIGINT. Call it once from the function's index.ts.
 */
export function serveMetric<P>(definition: MetricDefinition<P>, options: ServeOptions = {}): void {
  const env = options.env ?? process.env
  const secrets = secretValues(env)
  const logger =
    options.logger ?? createLogger({ base: { metric: definition.name }, redact: secrets })
  const fail = (msg: string, fields: Record<string, unknown>): never => {
    logger.error(msg, fields)
    process.exit(1)
  }

  let config: ReturnType<typeof parseEnv>
  try {
    config = parseEnv(env)
  } catch (err) {
    if (err instanceof ConfigError) fail('invalid configuration', { problems: err.problems })
    throw err
  }
  const clientOptions = config.client
  let client: ReturnType<typeof createVizierClient>
  try {
    client = createVizierClient(clientOptions)
  } catch (err) {
    return fail('invalid Pixie client configuration', {
      error: err instanceof Error ? err.message : String(err),
    })
  }
  const app = createMetricApp(definition, {
    client,
    logger,
    secrets,
    ...(config.authToken === undefined ? {} : { authToken: config.authToken }),
  })
  const pixie =
    config.client.mode === 'cloud'
      ? { pixie_mode: 'cloud', pixie_address: config.client.cloudAddr ?? 'default' }
      : { pixie_mode: config.client.mode, pixie_address: config.client.address }
  // Node's server with Hono's request listener (what @hono/node-server's serve() builds), so the
  // timeouts and the listener's own refusals (a bad Host header) are ours to set and to answer.
  const listener = getRequestListener(app.fetch, {
    errorHandler: (err: unknown) => {
      const message = `malformed HTTP request (${err instanceof Error ? err.message.slice(0, 60) : 'unreadable'})`
      logger.info('request', { status: 400, error_code: 'bad_request', metric: definition.name })
      return Response.json({ error: { code: 'bad_request', message } } satisfies ErrorBody, {
        status: statusForCode('bad_request'),
        headers: { connection: 'close' },
      })
    },
  })
  const server = createServer(
    {
      // A request (headers and any body) must arrive whole within the timeout; answering it
      // is bounded by the app's own deadline, which these timeouts never touch.
      headersTimeout: config.headersTimeoutMs,
      requestTimeout: config.headersTimeoutMs,
      connectionsCheckingInterval: Math.min(1000, Math.ceil(config.headersTimeoutMs / 4)),
      // Node answers a missing Host with an empty 400; Hono's listener refuses it as JSON.
      requireHostHeader: false,
    },
    listener
  )
  server.listen(config.port, config.host, () => {
    const info = server.address() as AddressInfo
    logger.info('listening', {
      address: info.address,
      port: info.port,
      ...pixie,
      e2e_encryption: clientOptions.encryption ?? clientOptions.mode === 'cloud',
      auth: config.authToken !== undefined,
    })
  })
  // The first answer needs the connection to Pixie. Started after listen(), so the port is bound
  // first (node:net binds in a later tick, behind whatever is queued before it) and the connection
  // is set up while the first request is on its way; its handshake overlaps that request too.
  void client.warm()
  server.on('error', (err: Error) =>
    fail('cannot listen', { port: config.port, error: err.message })
  )
  server.on(
    'clientError',
    (err: NodeJS.ErrnoException & { rawPacket?: unknown }, socket: Duplex) => {
      if (err.code === 'ECONNRESET' || err.code === 'EPIPE') {
        socket.destroy()
        return
      }
      const { code, message } = codeOfClientError(err)
      logger.info('request', {
        status: statusForCode(code),
        error_code: code,
        metric: definition.name,
      })
      refuse(socket, code, message)
    }
  )
  // Node destroys a CONNECT socket without an answer when nothing listens for it.
  server.on('connect', (_req: IncomingMessage, socket: Duplex) => {
    logger.info('request', {
      method: 'CONNECT',
      status: 405,
      error_code: 'method_not_allowed',
      metric: definition.name,
    })
    refuse(socket, 'method_not_allowed', 'CONNECT is not allowed here; use GET')
  })

  const graceMs = options.graceMs ?? DEFAULT_REQUEST_TIMEOUT_MS + 2000
  let stopping = false
  const stop = (signal: string): void => {
    if (stopping) {
      logger.info('signal ignored: already stopping', { signal })
      return
    }
    stopping = true
    logger.info('stopping', { signal, grace_ms: graceMs })
    void closeServer(server, graceMs)
      .then(() => bounded(client.close(), CLIENT_CLOSE_MS))
      .then(
        () => {
          logger.info('stopped')
          process.exit(0)
        },
        (err: unknown) => fail('error while stopping', { error: String(err) })
      )
  }
  // `on`, not `once`: with no listener left, a second SIGTERM would kill the process mid-drain.
  process.on('SIGTERM', () => stop('SIGTERM'))
  process.on('SIGINT', () => stop('SIGINT'))
}
