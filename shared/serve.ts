/**
 * The whole entry of a function: `serveMetric(definition)` parses the environment, builds the
 * Vizier client and starts its connection (without waiting), creates the app and serves it with @hono/node-server on 0.0.0.0:PORT. A bad
 * configuration logs one clear line and exits 1 before listening. On SIGTERM (Knative scaling
 * down) or SIGINT it stops accepting connections, lets in-flight requests finish within a grace
 * period, closes the client and exits 0.
 * The secrets (shared/env.ts secretValues) are redacted from every log line and error body.
 */
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import type { ServerType } from '@hono/node-server'
import { createMetricApp, DEFAULT_REQUEST_TIMEOUT_MS } from './app'
import type { MetricDefinition } from './metric'
import { ConfigError, parseEnv, secretValues } from './env'
import type { Env } from './env'
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
function closeServer(server: ServerType, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    // serve() without TLS or HTTP/2 options returns a node:http Server.
    const http = server as Server
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
  // The first answer needs the connection: its handshake overlaps listening and the first request.
  void client.warm()

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
  const server = serve(
    { fetch: app.fetch, port: config.port, hostname: '0.0.0.0' },
    (info: AddressInfo) => {
      logger.info('listening', {
        address: info.address,
        port: info.port,
        ...pixie,
        e2e_encryption: clientOptions.encryption ?? clientOptions.mode === 'cloud',
        auth: config.authToken !== undefined,
      })
    }
  )
  server.on('error', (err: Error) =>
    fail('cannot listen', { port: config.port, error: err.message })
  )

  const graceMs = options.graceMs ?? DEFAULT_REQUEST_TIMEOUT_MS + 2000
  let stopping = false
  const stop = (signal: string): void => {
    if (stopping) return
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
  process.once('SIGTERM', () => stop('SIGTERM'))
  process.once('SIGINT', () => stop('SIGINT'))
}
