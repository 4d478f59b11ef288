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

/** What the secret scrubbing (middleware/scrub-secrets.ts) shares with the JSON answers. */
export interface ScrubVariables {
  /** Removes the configured secrets from a body's text; unset when none are configured. */
  scrubBody?: (text: string) => string
  /** The last response jsonAnswer built with scrubBody: its body needs no second reading. */
  scrubbedResponse?: Response
}

export type AppEnv = { Variables: ErrorLogVariables & ScrubVariables }

/** The JSON body of every error response. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: Record<string, unknown> }
}

/** HTTP status for an error code: its row in the catalogue (shared/errors.ts). */
export function statusForCode(code: ErrorCode): ContentfulStatusCode {
  return statusOf(code)
}

/**
 * Every JSON answer of the app, errors and metric answers alike: serialised once, with the
 * configured secrets removed from the text as it is made, so the scrubbing middleware need not
 * read the body back.
 */
export function jsonAnswer(
  c: Context<AppEnv>,
  body: unknown,
  status: ContentfulStatusCode = 200
): Response {
  const scrub = c.get('scrubBody')
  if (scrub === undefined) return c.json(body, status)
  const response = c.body(scrub(JSON.stringify(body)), status, {
    'Content-Type': 'application/json',
  })
  c.set('scrubbedResponse', response)
  return response
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
  return jsonAnswer(c, body, statusForCode(code))
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

/**
 * A whole HTTP/1.1 error answer as raw bytes, for the requests Node refuses before the app sees
 * them (parser errors, header timeouts, CONNECT): the same JSON body, and `Connection: close`
 * because the connection's state is unknown after a parse error.
 */
export function rawErrorResponse(code: ErrorCode, message: string): string {
  const status = statusForCode(code)
  const body = JSON.stringify({ error: { code, message } } satisfies ErrorBody)
  return [
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}`,
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    '',
    body,
  ].join('\r\n')
}

/** A request line this long is what overflowed Node's 16 KiB header limit. */
const LONG_TARGET = 8192

const STATUS_TEXT: Partial<Record<number, string>> = {
  400: 'Bad Request',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  414: 'URI Too Long',
  431: 'Request Header Fields Too Large',
}

/**
 * Which code a refusal by Node's HTTP server gets: a header overflow whose packet opens with an
 * over-long request line is an over-long target (414), after it too many or too large headers (431); a timeout
 * while the request arrives is 408; any other parse error (bad method, bad Host, raw bytes in the
 * target) is 400.
 */
export function codeOfClientError(err: { code?: string; rawPacket?: unknown }): {
  code: ErrorCode
  message: string
} {
  if (err.code === 'HPE_HEADER_OVERFLOW') {
    const raw = Buffer.isBuffer(err.rawPacket) ? err.rawPacket : undefined
    const end = raw === undefined ? -1 : raw.indexOf('\n')
    const firstLine = raw?.subarray(0, end === -1 ? raw.length : end).toString('latin1') ?? ''
    if (firstLine.length > LONG_TARGET && /^[A-Za-z]+ \S/.test(firstLine)) {
      return { code: 'uri_too_long', message: 'the request target is too long' }
    }
    return { code: 'headers_too_large', message: 'the request headers are too large' }
  }
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return { code: 'request_timeout', message: 'the request did not arrive in time' }
  }
  return {
    code: 'bad_request',
    message: `malformed HTTP request (${(err.code ?? 'parse error').slice(0, 40)})`,
  }
}
