/**
 * The one place where errors become HTTP responses. Every error body has the same shape,
 * `{"error": {"code", "message"}}` (plus non-secret `details` when the error carries them), so
 * Argo's measurement message and a person with curl both see what went wrong and which code to
 * look up. Anything that is not a PxCanaryError is a bug: it answers 500 with a generic message,
 * and its real message goes only to the log.
 */
import type { Context, ErrorHandler } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { PxCanaryError, statusOf } from './errors'
import type { ErrorCode } from './errors'

/** Per-request facts the error path records for the request log line. */
export interface ErrorLogVariables {
  errorCode?: string
  errorMessage?: string
  errorStack?: string
}

export type AppEnv = { Variables: ErrorLogVariables }

/** The JSON body of every error response. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: Record<string, unknown> }
}

/** HTTP status for an error code: its row in the catalogue (shared/errors.ts). */
export function statusForCode(code: ErrorCode): ContentfulStatusCode {
  return statusOf(code)
}

/** Builds an error response and records the error for the request log. */
function errorResponse(
  c: Context<AppEnv>,
  code: ErrorCode,
  message: string,
  details?: Record<string, unknown>
): Response {
  c.set('errorCode', code)
  c.set('errorMessage', message)
  const body: ErrorBody = { error: details ? { code, message, details } : { code, message } }
  return c.json(body, statusForCode(code))
}

/** app.onError handler: maps PxCanaryError codes to statuses; everything else is a 500. */
export const handleError: ErrorHandler<AppEnv> = (err, c) => {
  if (err instanceof PxCanaryError && statusForCode(err.code) !== 500) {
    return errorResponse(c, err.code, err.message, err.details)
  }
  const response = errorResponse(c, 'internal_error', 'internal error; see the function logs')
  c.set('errorMessage', err instanceof Error ? err.message : String(err))
  if (err instanceof Error && err.stack !== undefined) c.set('errorStack', err.stack)
  return response
}
