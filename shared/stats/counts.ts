/**
 * Input checks shared by the statistics. Counts come from a Pixie result, so a count that is not a
 * non-negative safe integer (or more errors than requests) means the result cannot be trusted:
 * it is reported as a PxCanaryError with a stable `result_*` code instead of a wrong p-value.
 * @module
 */
import { PxCanaryError } from '../errors'

/** Error and request counts of one side (canary or baseline) over the query window. */
export interface ErrorCounts {
  /** Requests that counted as errors. */
  readonly errors: number
  /** All requests, errors included. */
  readonly requests: number
}

/** Throws result_invalid_count unless `value` is a non-negative safe integer. */
export function assertCount(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new PxCanaryError(
      'result_invalid_count',
      `${what} must be a non-negative integer, got ${String(value)}`,
      { details: { [what]: Number.isFinite(value) ? value : String(value) } }
    )
  }
}

/** Checks one side's error counts: both counts valid and errors <= requests. */
export function assertErrorCounts(side: ErrorCounts, label: string): void {
  assertCount(side.errors, `${label}.errors`)
  assertCount(side.requests, `${label}.requests`)
  if (side.errors > side.requests) {
    throw new PxCanaryError(
      'result_invalid_count',
      `${label}.errors (${side.errors}) exceeds ${label}.requests (${side.requests})`,
      { details: { errors: side.errors, requests: side.requests } }
    )
  }
}

/** Throws a RangeError (a caller bug, not bad data) unless 0 < value < 1. */
export function assertOpenUnit(value: number, what: string): void {
  if (!(value > 0 && value < 1)) {
    throw new RangeError(`${what} must be strictly between 0 and 1, got ${String(value)}`)
  }
}
