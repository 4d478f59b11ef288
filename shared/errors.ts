/**
 * The closed error catalogue: every code a caller can see, with its HTTP status, in one table.
 * Parameter errors are the one family: `invalid_<parameter>` and `missing_<parameter>` name the
 * parameter at fault, so their set is the parameter list (shared/params.ts); every other code is
 * a key of ERROR_STATUS. shared/http-errors.ts turns a PxCanaryError into its JSON answer.
 */

/** Every code that is not a parameter's own, with its HTTP status. */
export const ERROR_STATUS = {
  // Bad request parameters beyond one parameter's own code.
  missing_selector: 400,
  missing_baseline: 400,
  conflicting_selectors: 400,
  unknown_parameter: 400,
  // Caller authentication.
  unauthorized: 401,
  // Routing, or a method other than GET/HEAD on a known route.
  not_found: 404,
  method_not_allowed: 405,
  // Pixie refused, failed or returned a script error.
  pixie_unauthenticated: 502,
  pixie_permission_denied: 502,
  pixie_unavailable: 502,
  pixie_script_error: 502,
  pixie_standalone_pem: 502,
  pixie_transport_error: 502,
  pixie_protocol_error: 502,
  pixie_decryption_failed: 502,
  pixie_result_too_large: 502,
  // Pixie answered, but the result cannot be trusted as a measurement.
  result_missing_table: 502,
  result_missing_column: 502,
  result_bad_type: 502,
  result_invalid_value: 502,
  result_invalid_count: 502,
  result_invalid_bucket: 502,
  result_inconsistent_counts: 502,
  result_unexpected_rows: 502,
  result_selector_mismatch: 502,
  result_redacted: 502,
  // This instance is saturated.
  overloaded: 503,
  // Pixie did not answer within the deadline.
  pixie_deadline_exceeded: 504,
  // A bug.
  internal_error: 500,
} as const

/** Status of every parameter's own code. */
export const PARAMETER_ERROR_STATUS = 400

/** A code of the catalogue's fixed part. */
export type FixedErrorCode = keyof typeof ERROR_STATUS

/** A parameter's own code: the parameter was malformed, repeated or missing. */
export type ParameterErrorCode = `invalid_${string}` | `missing_${string}`

/** Stable error codes. */
export type ErrorCode = FixedErrorCode | ParameterErrorCode

export type ErrorStatus = (typeof ERROR_STATUS)[FixedErrorCode] | typeof PARAMETER_ERROR_STATUS

/** The HTTP status of a code: its row in ERROR_STATUS, or 400 for a parameter's own code. */
export function statusOf(code: ErrorCode): ErrorStatus {
  return Object.hasOwn(ERROR_STATUS, code)
    ? ERROR_STATUS[code as FixedErrorCode]
    : PARAMETER_ERROR_STATUS
}

export interface ErrorOptions {
  cause?: unknown
  /**
   * Extra, non-secret facts for the JSON body (e.g. the parameter, a compiler error's line).
   * Keys are snake_case: they are part of the JSON contract.
   */
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
