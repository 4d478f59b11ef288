/**
 * The app builder: every function is `createMetricApp(definition, deps)` with its own definition,
 * so all three answer the same routes, parameters, errors and logs (ARCHITECTURE.md, HTTP
 * contract). The app never reads the environment; the entry (shared/serve.ts) does.
 *
 * Routes:
 * - `GET /?namespace=...&<selector>=...`: the query form;
 * - `GET /<metric>/<namespace>/<pod-prefix>`: the path form of Pixie's original demo server
 *   (its AnalysisTemplate works by changing only the host), same JSON as the query form;
 * - `GET /health/liveness`, `GET /health/readiness`: 200 without touching Pixie;
 * - anything else 404, other methods on these routes 405, always JSON.
 *
 * With a baseline selector (baseline_hash, baseline_replicaset, baseline_pod, baseline_service)
 * one Pixie query measures canary and baseline; the answer keeps the canary's figures where they
 * always are and adds `baseline` (the same figures for the baseline) and `comparison` (the
 * metric's statistics and verdict). Without one, the answer is exactly the plain one.
 */
import { Hono } from 'hono/tiny'
import type { Context, MiddlewareHandler } from 'hono'
import { bearerChecker } from './auth'
import { PxCanaryError } from './errors'
import { describeFilters } from './filters'
import type { HttpMethod } from './filters'
import { errorResponse, handleError } from './http-errors'
import type { AppEnv } from './http-errors'
import { redactSecrets, silentLogger } from './logger'
import type { Logger, LogFields } from './logger'
import { buildMetricCall, decodeComparison } from './comparison'
import type { MetricDefinition, MetricFigures } from './metric'
import { parseMetricQuery } from './params'
import type { MetricQuery, RawParams } from './params'
import type { VizierClient } from './pixie/types'
import { decodeHttpStats, expectedSelectorEcho } from './pxl/result'
import type { HttpStats } from './pxl/result'
import { createQueryRunner } from './query-runner'
import type { Selector } from './selector'

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
   * automatically): error bodies and the request log are scrubbed of them, in case an upstream
   * message ever echoes one.
   */
  secrets?: readonly string[]
  /** Monotonic clock in ms for durations; default performance.now. */
  now?: () => number
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 8000
export const DEFAULT_MAX_CONCURRENT_QUERIES = 32

type SelectorBody = { namespace: string; kind: Selector['kind']; [field: string]: string }

/** The baseline's figures in a comparison answer: the same fields as the canary's. */
export interface BaselineBody extends MetricFigures {
  requests: number
  selector: SelectorBody
}

/** The 200 body every metric shares; the metric's figures sit between `value` and `requests`. */
export interface MetricBody extends MetricFigures {
  metric: string
  requests: number
  window_seconds: number
  selector: SelectorBody
  /** Only when a path or method filter was given. */
  filters?: { path?: string; method?: HttpMethod }
  /** Only with a baseline selector. */
  baseline?: BaselineBody
  /** Only with a baseline selector: the metric's comparison block. */
  comparison?: Record<string, unknown>
  excluded_paths: readonly string[]
  script: { name: string; sha256: string; function: string; baseline_function?: string }
}

function describeSelector(selector: Selector): SelectorBody {
  const { namespace, kind, ...rest } = selector
  const fields: Record<string, string> = {}
  for (const [name, value] of Object.entries(rest)) if (value !== undefined) fields[name] = value
  return { namespace, kind, ...fields }
}

const MAX_LOGGED_PATH = 256

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
  const logger = deps.logger ?? silentLogger
  const now = deps.now ?? (() => performance.now())
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

  // One log line per request, written after the response is known.
  app.use(async function requestLog(c, next) {
    const started = now()
    await next()
    const status = c.res.status
    const fields: LogFields = {
      method: c.req.method,
      path: c.req.path.slice(0, MAX_LOGGED_PATH),
      status,
      duration_ms: Math.round((now() - started) * 100) / 100,
      metric: definition.name,
    }
    const code = c.get('errorCode')
    if (code !== undefined) {
      fields.error_code = code
      fields.error_message = scrub(c.get('errorMessage') ?? '')
      const stack = c.get('errorStack')
      if (stack !== undefined) fields.error_stack = scrub(stack)
    }
    if (status >= 500) logger.error('request', fields)
    else logger.info('request', fields)
  })

  // Error bodies can carry upstream text (Pixie's messages): scrub configured secrets from them.
  if (secrets.length > 0) {
    app.use(async function scrubErrors(c, next) {
      await next()
      if (c.res.status < 400) return
      const text = await c.res.clone().text()
      const clean = scrub(text)
      if (clean === text) return
      const headers = new Headers(c.res.headers)
      headers.delete('content-length')
      c.res = new Response(clean, { status: c.res.status, headers })
    })
  }

  /** The metric's figures for one side; no requests must mean no value. */
  function figuresOf(stats: HttpStats, query: MetricQuery<P>): MetricFigures {
    const figures = definition.figures(stats, query)
    if (stats.requests === 0 && figures.value !== null) {
      throw new PxCanaryError(
        'internal_error',
        `${definition.name} reported a value without requests`
      )
    }
    return figures
  }

  async function answer(c: Context<AppEnv>, raw: RawParams): Promise<Response> {
    const query = parseMetricQuery(raw, definition.params)
    if (query.baseline !== null && definition.compare === undefined) {
      throw new PxCanaryError(
        'unknown_parameter',
        `${definition.name} does not compare with a baseline; remove the baseline_* parameter`,
        { details: { parameter: 'baseline' } }
      )
    }
    const { call, plan } = buildMetricCall(
      { ...query, errorMinStatus: definition.errorMinStatus(query.params) },
      `px-canary/${definition.name}`,
      { latencyBuckets: definition.latencyBuckets }
    )
    const result = await runner.run(call)
    let canary: HttpStats
    let compared: Pick<MetricBody, 'baseline' | 'comparison'> = {}
    if (plan === null || query.baseline === null) {
      canary = decodeHttpStats(result, call.outputTable, expectedSelectorEcho(call))
    } else {
      const sides = decodeComparison(result, plan)
      canary = sides.canary.stats
      const baseline = sides.baseline.stats
      compared = {
        baseline: {
          ...figuresOf(baseline, query),
          requests: baseline.requests,
          selector: describeSelector(query.baseline),
        },
        comparison: definition.compare?.(sides, query) ?? {},
      }
    }
    const { value, ...named } = figuresOf(canary, query)
    const filters = describeFilters(query.filters)
    const body: MetricBody = {
      metric: definition.name,
      value,
      ...named,
      requests: canary.requests,
      window_seconds: query.windowSeconds,
      selector: describeSelector(query.selector),
      ...(filters === undefined ? {} : { filters }),
      ...compared,
      excluded_paths: query.excludedPaths,
      script: {
        name: call.script.name,
        sha256: call.script.sha256,
        function: call.funcName,
        ...(plan === null ? {} : { baseline_function: plan.baseline.funcName }),
      },
    }
    return c.json(body)
  }

  const authorized = deps.authToken === undefined ? undefined : bearerChecker(deps.authToken)
  const requireToken: MiddlewareHandler<AppEnv> = async (c, next) => {
    if (authorized === undefined) return next()
    if (!authorized(c.req.header('authorization'))) {
      c.header('WWW-Authenticate', 'Bearer realm="px-canary"')
      return errorResponse(
        c,
        'unauthorized',
        'this function requires Authorization: Bearer <token>'
      )
    }
    return next()
  }

  const methodNotAllowed = (c: Context<AppEnv>): Response => {
    c.header('Allow', 'GET, HEAD')
    return errorResponse(c, 'method_not_allowed', `${c.req.method} is not allowed here; use GET`)
  }
  const healthy = (c: Context<AppEnv>): Response => c.json({ status: 'ok' })

  app.get('/', requireToken, (c) => answer(c, c.req.queries()))
  app.all('/', methodNotAllowed)

  const pathForm = `/${definition.name}/:namespace/:pod`
  app.get(pathForm, requireToken, (c) => {
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

  app.notFound((c) =>
    errorResponse(
      c,
      'not_found',
      `no route ${c.req.method} ${c.req.path.slice(0, 128)}; use GET /?namespace=...&replicaset=... or GET /${definition.name}/<namespace>/<pod-prefix>`
    )
  )
  app.onError(handleError)
  return app
}
