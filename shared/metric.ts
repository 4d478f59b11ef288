/**
 * What a metric is: data plus two pure functions. The app (shared/app.ts) owns the whole pipeline
 * (parameters, the PxL call, running it, decoding, the answer); a metric only says what it is and
 * turns decoded figures into its own fields, so it never sees PxL calls, result tables or plans.
 */
import type { ComparedSides } from './comparison'
import type { ExtraParams, MetricQuery } from './params'
import type { HttpStats } from './pxl/result'

/** A metric's own figures: the primary `value` (null when unmeasured) plus its named fields. */
export interface MetricFigures {
  value: number | null
  [field: string]: unknown
}

/** What makes one function different from the others. */
export interface MetricDefinition<P> {
  /** As it appears in paths, responses and Pixie's query names (`px-canary/<name>`). */
  readonly name: string
  /** The metric's own query parameters (beyond namespace, selector, window, filters). */
  readonly params: ExtraParams<P>
  /** The lowest response status that counts as an error, from the metric's parameters. */
  errorMinStatus(params: P): number
  /** Whether a comparison needs each side's latency buckets (more rows from Pixie). */
  readonly latencyBuckets: boolean
  /**
   * The decoded stats to the metric's figures. `stats.requests === 0` means no traffic: the value
   * must then be null, never 0.
   */
  figures(stats: HttpStats, query: MetricQuery<P>): MetricFigures
  /**
   * Both decoded sides to the metric's `comparison` block, when the request named a baseline. A
   * metric without it refuses baseline selectors.
   */
  compare?(sides: ComparedSides, query: MetricQuery<P>): Record<string, unknown>
}
