/**
 * The error-rate function's own parameters: `errors` (which statuses count as errors) and the
 * comparison parameters with the error-rate margin.
 */
import { withComparisonParams } from '../../shared/comparison-params'
import type { ComparisonSettings, MarginSpec } from '../../shared/comparison-params'
import * as z from 'zod/mini'
import { ownParameter } from '../../shared/params'
import type { ExtraParams } from '../../shared/params'
import { DEFAULT_ERROR_RATE_MARGIN } from '../../shared/stats'

/** Which statuses count as errors: '4xx5xx' (>= 400, Pixie's definition) or '5xx' (>= 500). */
export type ErrorStatuses = '4xx5xx' | '5xx'

/** The lowest status that counts as an error, per `errors` value. */
export const ERROR_MIN_STATUS: Readonly<Record<ErrorStatuses, number>> = {
  '4xx5xx': 400,
  '5xx': 500,
}

const ERRORS_ALLOWED =
  "4xx5xx (responses with status >= 400 are errors, as in Pixie's own scripts; the default) or 5xx (status >= 500)"

/** Error rate: canary rate minus baseline rate, a fraction (0.01 = one percentage point). */
export const ERROR_RATE_MARGIN: MarginSpec = {
  default: DEFAULT_ERROR_RATE_MARGIN,
  min: 0,
  max: 0.5,
  meaning: `the absolute error-rate difference (a fraction) the canary must exceed to be worse, from 0 to 0.5; default ${DEFAULT_ERROR_RATE_MARGIN}`,
}

/** The `errors` parameter alone. */
export const errorStatusParams: ExtraParams<{ errorStatuses: ErrorStatuses }> = ownParameter(
  'errors',
  'errorStatuses',
  { schema: z.enum(['4xx5xx', '5xx']), allowed: ERRORS_ALLOWED, fallback: '4xx5xx' }
)

export interface ErrorRateParams {
  errorStatuses: ErrorStatuses
  /** How to judge against a baseline; null without one. */
  comparison: ComparisonSettings | null
}

/** Every parameter the error-rate function has beyond the shared ones. */
export const errorRateParams: ExtraParams<ErrorRateParams> = withComparisonParams(
  errorStatusParams,
  ERROR_RATE_MARGIN
)
