/**
 * The app builder: every function is `createMetricApp(definition, deps)` with its own definition,
 * so all three answer the same routes, parameters, errors and logs. The app never reads the
 * environment; the entry (shared/serve.ts) does.
 *
 * Routes:
 * - `GET /?namespace=...&<selector>=...`: the query form;
 * - `GET /<metric>/<namespace>/<pod-prefix>`: the path form of Pixie's original demo server
 *   (its AnalysisTemplate works by changing only the host), same JSON as the query form;
 * - `GET /health/liveness`, `GET /health/readiness`: 200 without touching Pixie;
 * - anything else 404, other methods on these routes 405, always JSON.
 *
 * Middleware, outermost first: request log, secret scrubbing, caller auth (metric routes only).
 * Every handler throws PxCanaryError; the one onError (shared/http-errors.ts) answers.
 */
import { monotonicMs } from './clock'
import { Hono } from 'hono/tiny'
import type { Context } from 'hono'
import { PxCanaryError } from './errors'
import { handleError, jsonAnswer } from './http-errors'
import type { AppEnv } from './http-errors'
import { redactSecrets, silentLogger } from './logger'
import type { Logger } from './logger'
import type { MetricDefinition } from './metric'
import { measure } from './metric-handler'
import { callerAuth } from './middleware/caller-auth'
import { requestLog } from './middleware/request-log'
import { scrubSecrets } from './middleware/scrub-secrets'
import type { RawParams } from './params'
import type { VizierClient } from './pixie/types'
import { createQueryRunner } from './query-runner'

export interface MetricAppDeps {
  client: VizierClient
  /** Request log and errors; default: no logging. */
  logger?: Logger
  /** Deadline for each metric request, Pixie call included; default 8000 ms, below Argo's 10 s. */
  requestTimeoutMs?: number
  /**
   * Distinct Pixie queries running at once; default 32. More wait for a slot (within the request
   * deadline) and answer 503 overloaded only if none frees up in time.
   */
  maxConcurrentQueries?: number
  /** Distinct queries allowed to wait for a slot before answering 503 at once; default 256. */
  maxQueuedQueries?: number
  /** When set, metric routes require `Authorization: Bearer <authToken>` (else 401). */
  authToken?: string
  /**
   * Values that must never leave the process (the Pixie API key; the caller token is added
   * automatically): every body (200s included) and the request log are scrubbed of them, in case
   * an upstream message or a caller's parameter ever echoes one.
   */
  secrets?: readonly string[]
  /** Monotonic clock in ms for durations; default shared/clock.ts. */
  now?: () => number
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 8000
const DEFAULT_MAX_CONCURRENT_QUERIES = 32

/**
 * Builds the Hono app of one metric function.
 *
 * @example
 * const app = createMetricApp(errorRate, { client: createVizierClient(options), logger })
 * serve({ fetch: app.fetch, port: 8080 })
 */
export function createMetricApp<P>(
  definition: MetricDefinition<P>,
  deps: MetricAppDeps
): Hono<AppEnv> {
  const runner = createQueryRunner({
    client: deps.client,
    timeoutMs: deps.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    maxConcurrent: deps.maxConcurrentQueries ?? DEFAULT_MAX_CONCURRENT_QUERIES,
    ...(deps.maxQueuedQueries === undefined ? {} : { maxQueued: deps.maxQueuedQueries }),
  })
  const secrets = [
    ...(deps.secrets ?? []),
    ...(deps.authToken === undefined ? [] : [deps.authToken]),
  ]
  const scrub = (text: string): string => redactSecrets(text, secrets)
  const app = new Hono<AppEnv>()

  app.use(
    requestLog({
      logger: deps.logger ?? silentLogger,
      now: deps.now ?? monotonicMs,
      metric: definition.name,
      scrub,
    })
  )
  if (secrets.length > 0) app.use(scrubSecrets(scrub))
  const auth = callerAuth(deps.authToken)

  const answer = async (c: Context<AppEnv>, raw: RawParams): Promise<Response> => {
    // Hono drops a parameter without a name (`&=1`); it is refused like any unknown one.
    const query = c.req.url.indexOf('?')
    if (query !== -1 && new URLSearchParams(c.req.url.slice(query)).has('')) {
      throw new PxCanaryError('unknown_parameter', 'a parameter has an empty name', {
        details: { parameter: '' },
      })
    }
    return jsonAnswer(c, await measure(definition, runner, raw))
  }
  const methodNotAllowed = (c: Context<AppEnv>): never => {
    c.header('Allow', 'GET, HEAD')
    throw new PxCanaryError('method_not_allowed', `${c.req.method} is not allowed here; use GET`)
  }
  const healthy = (c: Context<AppEnv>): Response => jsonAnswer(c, { status: 'ok' })

  app.get('/', auth, (c) => answer(c, c.req.queries()))
  app.all('/', methodNotAllowed)

  const pathForm = `/${definition.name}/:namespace/:pod`
  app.get(pathForm, auth, (c) => {
    const raw: RawParams = { ...c.req.queries() }
    // Path segments join any query values, so a repeat or a second selector is refused as usual.
    raw.namespace = [c.req.param('namespace') ?? '', ...(raw.namespace ?? [])]
    raw.pod = [c.req.param('pod') ?? '', ...(raw.pod ?? [])]
    return answer(c, raw)
  })
  app.all(pathForm, methodNotAllowed)

  for (const path of ['/health/liveness', '/health/readiness']) {
    app.get(path, healthy)
    app.all(path, methodNotAllowed)
  }

  app.notFound((c) => {
    throw new PxCanaryError(
      'not_found',
      `no route ${c.req.method} ${c.req.path.slice(0, 128)}; use GET /?namespace=...&replicaset=... or GET /${definition.name}/<namespace>/<pod-prefix>`
    )
  })
  app.onError(handleError)
  return app
}
