/**
 * One measurement of Argo's `web` metric provider (argoproj/argo-rollouts
 * metricproviders/webmetric/webmetric.go): a fresh HTTP request, status and transport checks, JSON
 * parsing, JSONPath, conditions.
 */
import http from 'node:http'
import https from 'node:https'
import { evaluateResult } from './evaluate'
import { firstJsonPathValue, parseJsonPath } from './jsonpath'
import type { JsonPathTemplate } from './jsonpath'
import type { AnalysisPhase, Metric, WebMetric } from './types'

/** How the emulated controller reaches URLs and which Argo behaviour it reproduces. */
export interface WebProviderOptions {
  /**
   * Connect somewhere else than the URL's host, e.g. the cluster-local
   * 'px-error-rate.px-canary.svc.cluster.local' -> '127.0.0.1:40123'. Keys are a host or
   * host:port; the Host header keeps the original host, as the cluster ingress would see it.
   */
  hostRewrite?: Readonly<Record<string, string>>
  /** Real seconds per timeoutSeconds second (default 1: timeouts are real). */
  timeoutScale?: number
  /**
   * A 2xx body that is not JSON: 'evaluate' (Argo v1.10 and master: the raw body is the result
   * and the conditions run on it) or 'succeed' (v1.9.1 and earlier: Successful without
   * evaluating any condition, issue argoproj/argo-rollouts#4535).
   */
  nonJsonBody?: 'evaluate' | 'succeed'
}

/** The outcome of one web measurement. */
export interface WebMeasurementOutcome {
  phase: Exclude<AnalysisPhase, 'Pending' | 'Running'>
  value?: string
  message?: string
}

/** Argo's default web timeout when timeoutSeconds is unset or <= 0. */
export const DEFAULT_WEB_TIMEOUT_SECONDS = 10
const MAX_REDIRECTS = 10

/** encoding/json Marshal: compact, map keys sorted, <, > and & escaped. */
export function goJsonMarshal(value: unknown): string {
  const sorted = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sorted)
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {}
      for (const key of Object.keys(v).sort())
        out[key] = sorted((v as Record<string, unknown>)[key])
      return out
    }
    return v
  }
  return JSON.stringify(sorted(value))
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
}

interface RawResponse {
  status: number
  location: string | undefined
  body: string
}

function send(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: string | undefined,
  options: WebProviderOptions,
  insecure: boolean,
  signal: AbortSignal
): Promise<RawResponse> {
  const rewrite = options.hostRewrite?.[url.host] ?? options.hostRewrite?.[url.hostname]
  const target = rewrite === undefined ? undefined : new URL(`${url.protocol}//${rewrite}`)
  const client = url.protocol === 'https:' ? https : http
  return new Promise<RawResponse>((resolve, reject) => {
    const request = client.request(
      {
        protocol: url.protocol,
        hostname: (target ?? url).hostname.replace(/^\[|\]$/g, ''),
        port: (target ?? url).port || undefined,
        path: `${url.pathname}${url.search}`,
        method,
        headers: { ...headers, host: url.host },
        // A new connection per measurement, like the new http.Client Argo builds each time.
        agent: false,
        servername: url.hostname,
        rejectUnauthorized: !insecure,
        signal,
      },
      (response) => {
        const chunks: Buffer[] = []
        let ended = false
        response.on('data', (chunk: Buffer) => chunks.push(chunk))
        response.on('error', reject)
        response.on('end', () => {
          ended = true
          resolve({
            status: response.statusCode ?? 0,
            location: response.headers.location,
            body: Buffer.concat(chunks).toString('utf8'),
          })
        })
        // A body cut short (timeout while reading it, connection reset) never emits 'end'.
        response.on('close', () => {
          if (!ended) reject(new Error('unexpected EOF reading the response body'))
        })
      }
    )
    request.on('error', reject)
    request.end(body)
  })
}

/**
 * Takes one measurement of `metric` (already templated). Never throws: every failure is an Error
 * outcome with a message, as Argo's MarkMeasurementError records it.
 */
export async function measureWeb(
  metric: Metric,
  options: WebProviderOptions = {}
): Promise<WebMeasurementOutcome> {
  const web: WebMetric | undefined = metric.provider.web
  if (web === undefined) return { phase: 'Error', message: 'metric has no web provider' }
  // Argo builds the JSONPath parser with the provider, before any request
  // (metricproviders/metricproviders.go): a syntax error is the measurement's Error message.
  let jsonPath: JsonPathTemplate
  try {
    jsonPath = parseJsonPath(web.jsonPath ?? '')
  } catch (err) {
    return { phase: 'Error', message: (err as Error).message }
  }
  const method = web.method === undefined || web.method === '' ? 'GET' : web.method
  if (!['GET', 'POST', 'PUT'].includes(method)) {
    return { phase: 'Error', message: `unsupported web metric method ${JSON.stringify(method)}` }
  }
  const hasBody = web.body !== undefined && web.body !== ''
  const hasJsonBody = web.jsonBody !== undefined && web.jsonBody !== null
  if (hasBody && hasJsonBody) {
    return {
      phase: 'Error',
      message: 'use either Body or JSONBody; both cannot exists for WebMetric payload',
    }
  }
  if ((hasBody || hasJsonBody) && method === 'GET') {
    return {
      phase: 'Error',
      message: 'Body/JSONBody can only be used with POST or PUT WebMetric Method types',
    }
  }
  let url: URL
  try {
    url = new URL(web.url)
  } catch {
    return { phase: 'Error', message: `parse ${JSON.stringify(web.url)}: invalid URL` }
  }
  const verb = method[0] + method.slice(1).toLowerCase()
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return {
      phase: 'Error',
      message: `${verb} ${JSON.stringify(web.url)}: unsupported protocol scheme ${JSON.stringify(url.protocol.slice(0, -1))}`,
    }
  }

  // Header.Set semantics: case-insensitive, the last value wins; jsonBody forces the content type.
  const headers: Record<string, string> = { 'user-agent': 'Go-http-client/1.1' }
  for (const header of web.headers ?? []) headers[header.key.toLowerCase()] = header.value
  let body: string | undefined
  if (hasBody) body = web.body
  if (hasJsonBody) {
    body = JSON.stringify(web.jsonBody)
    headers['content-type'] = 'application/json'
  }

  const timeoutSeconds =
    web.timeoutSeconds !== undefined && web.timeoutSeconds > 0
      ? web.timeoutSeconds
      : DEFAULT_WEB_TIMEOUT_SECONDS
  const timeoutMs = timeoutSeconds * 1000 * (options.timeoutScale ?? 1)
  const signal = AbortSignal.timeout(Math.max(1, Math.round(timeoutMs)))

  let response: RawResponse
  try {
    let currentUrl = url
    let currentMethod = method
    let currentBody = body
    for (let redirects = 0; ; redirects++) {
      response = await send(
        currentUrl,
        currentMethod,
        headers,
        currentBody,
        options,
        web.insecure === true,
        signal
      )
      const redirect = [301, 302, 303, 307, 308].includes(response.status) && response.location
      if (!redirect) break
      if (redirects + 1 >= MAX_REDIRECTS) throw new Error('stopped after 10 redirects')
      currentUrl = new URL(response.location ?? '', currentUrl)
      if (
        response.status === 303 ||
        ((response.status === 301 || response.status === 302) && currentMethod !== 'GET')
      ) {
        currentMethod = 'GET'
        currentBody = undefined
      }
    }
  } catch (err) {
    const reason = signal.aborted
      ? 'context deadline exceeded (Client.Timeout exceeded while awaiting headers)'
      : (err as Error).message
    return { phase: 'Error', message: `${verb} ${JSON.stringify(web.url)}: ${reason}` }
  }

  if (response.status < 200 || response.status >= 300) {
    return { phase: 'Error', message: `received non 2xx response code: ${response.status}` }
  }

  let data: unknown
  try {
    data = JSON.parse(response.body)
  } catch {
    // Not JSON (an empty body included): the raw body is the value.
    if (options.nonJsonBody === 'succeed') return { phase: 'Successful', value: response.body }
    try {
      return { phase: evaluateResult(response.body, metric), value: response.body }
    } catch (err) {
      return { phase: 'Error', message: (err as Error).message }
    }
  }

  let result: unknown
  try {
    result = firstJsonPathValue(jsonPath, data)
  } catch (err) {
    return { phase: 'Error', message: (err as Error).message }
  }
  const value = goJsonMarshal(result)
  try {
    return { phase: evaluateResult(result, metric), value }
  } catch (err) {
    return { phase: 'Error', message: (err as Error).message }
  }
}
