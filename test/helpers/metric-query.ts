/**
 * A metric's parameters parsed from a query string, as the app hands them to parseMetricQuery
 * (each name once), for the per-metric parameter tests; the selector is always namespace=a&pod=b.
 */
import { parseMetricQuery } from '../../shared/params'
import type { ExtraParams, MetricQuery } from '../../shared/params'

/** A parser of `&name=value...` (appended to namespace=a&pod=b) against this metric's params. */
export function queryParser<P>(extra: ExtraParams<P>): (s: string) => MetricQuery<P> {
  return (s) =>
    parseMetricQuery(
      Object.fromEntries(
        [...new URLSearchParams(`namespace=a&pod=b${s}`)].map(([k, v]) => [k, [v]])
      ),
      extra
    )
}
