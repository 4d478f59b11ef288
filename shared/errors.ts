/**
 * Typed errors. Every failure that can reach a caller is a PxCanaryError with a stable code;
 * shared/http-errors.ts is the one place that maps codes to HTTP statuses and JSON bodies.
 */

/** Stable error codes, grouped by where they arise. */
export type ErrorCode =
  // Bad request parameters (400). The code names the parameter, e.g. invalid_namespace.
  | `invalid_${string}`
  | `missing_${string}`
  | 'conflicting_selectors'
  | 'unknown_parameter'
  // Caller authentication (401).
  | 'unauthorized'
  // Routing (404), or a method other than GET/HEAD on a known route (405).
  | 'not_found'
  | 'method_not_allowed'
  // Pixie refused, failed or returned a script error (502).
  | 'pixie_unauthenticated'
  | 'pixie_permission_denied'
  | 'pixie_unavailable'
  | 'pixie_script_error'
  | 'pixie_transport_error'
  | 'pixie_protocol_error'
  | 'pixie_decryption_failed'
  | 'pixie_result_too_large'
  // Pixie did not answer within the deadline (504).
  | 'pixie_deadline_exceeded'
  // Pixie answered, but the result cannot be trusted as a measurement (502).
  | `result_${string}`
  // This instance is saturated (503).
  | 'overloaded'
  // A bug (500).
  | 'internal_error'

export interface ErrorOptions {
  cause?: unknown
  /** Extra, non-secret facts for the JSON body (e.g. the parameter, a compiler error's line). */
  details?: Record<string, unknown>
}

export class PxCanaryError extends Error {
  override readonly name: string = 'PxCanaryError'
  readonly code: ErrorCode
  readonly details: Record<string, unknown> | undefined

  constructor(code: ErrorCode, message: string, options: ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.details = options.details
  }
}
