/**
 * The latency function's own parameters: `quantile` (which one is `value`) and the comparison
 * parameters with the median ratio margin and the tail margin.
 */
import { withComparisonParams } from '../../shared/comparison-params'
import type { ComparisonSettings, ExtraMargin, MarginSpec } from '../../shared/comparison-params'
import * as z from 'zod/mini'
import { ownParameter } from '../../shared/params'
import type { ExtraParams } from '../../shared/params'
import { DEFAULT_LATENCY_RATIO_MARGIN, DEFAULT_TAIL_MARGIN } from '../../shared/stats'

/** Which latency quantile is a latency response's `value`. */
export type Quantile = 'p50' | 'p90' | 'p99'

/** Latency: canary median over baseline median. */
export const LATENCY_MARGIN: MarginSpec = {
  default: DEFAULT_LATENCY_RATIO_MARGIN,
  min: 1,
  max: 10,
  meaning: `the ratio of canary to baseline median latency the canary must exceed to be worse at the median, from 1 to 10; default ${DEFAULT_LATENCY_RATIO_MARGIN}`,
}

/** Latency tail: the canary's share of requests in the tail over the baseline's. */
export const TAIL_MARGIN: ExtraMargin = {
  name: 'tail_margin',
  spec: {
    default: DEFAULT_TAIL_MARGIN,
    min: 1,
    max: 100,
    meaning: `the ratio of the canary's to the baseline's share of requests beyond the pooled quantile the canary must exceed to be worse in the tail, from 1 to 100; default ${DEFAULT_TAIL_MARGIN}`,
  },
}

/** The `quantile` parameter alone. */
export const quantileParams: ExtraParams<{ quantile: Quantile }> = ownParameter(
  'quantile',
  'quantile',
  {
    schema: z.enum(['p50', 'p90', 'p99']),
    allowed: 'p50, p90 or p99 (the default)',
    fallback: 'p99',
  }
)

export interface LatencyParams {
  quantile: Quantile
  /** How to judge against a baseline; null without one. */
  comparison: ComparisonSettings | null
}

/** Every parameter the latency function has beyond the shared ones. */
export const latencyParams: ExtraParams<LatencyParams> = withComparisonParams(
  quantileParams,
  LATENCY_MARGIN,
  TAIL_MARGIN
)
