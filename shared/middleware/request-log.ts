/**
 * One log line per request, written after the response is known: method, path (truncated),
 * status, duration, and for an error its code and scrubbed message (the stack only for a 500).
 * No headers are logged, so a caller's token never reaches the log.
 */
import type { MiddlewareHandler } from 'hono'
import type { AppEnv } from '../http-errors'
import type { LogFields, Logger } from '../logger'

const MAX_LOGGED_PATH = 256

export interface RequestLogOptions {
  logger: Logger
  /** Monotonic clock in ms. */
  now: () => number
  /** The metric, on every line. */
  metric: string
  /** Removes configured secrets from text that may echo upstream messages. */
  scrub: (text: string) => string
}

export function requestLog(options: RequestLogOptions): MiddlewareHandler<AppEnv> {
  const { logger, now, metric, scrub } = options
  return async function requestLog(c, next) {
    const started = now()
    await next()
    const status = c.res.status
    const fields: LogFields = {
      method: c.req.method,
      // Scrubbed before it is cut, so no head of a secret is left at the cut.
      path: scrub(c.req.path).slice(0, MAX_LOGGED_PATH),
      status,
      duration_ms: Math.round((now() - started) * 100) / 100,
      metric,
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
  }
}
