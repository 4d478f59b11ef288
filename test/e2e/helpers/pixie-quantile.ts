/**
 * Pixie's px.quantiles value for one group, restated for the ground truth without the simulator's
 * code: the merging t-digest with compression 1000 of pixie-io/tdigest tdigest.h, as used by
 * pixie-io/pixie src/carnot/funcs/builtins/math_sketches.h.
 *
 * Up to 8,001 values the digest compresses once, over all values sorted, so one pass over the
 * sorted values gives Pixie's centroids; larger groups depend on arrival order and are refused.
 * Centroid means are kept as sums here (the C++ updates a running mean), so results agree to a
 * few ulps rather than bit for bit, far below the functions' microsecond rounding.
 */
const COMPRESSION = 1000
export const MAX_EXACT = 8001
/** The digest's starting max, std::numeric_limits<double>::min(). */
const START_MAX = 2.2250738585072014e-308

interface Centroid {
  sum: number
  count: number
}

/** The scale function's weight bound at centroid index k, as a fraction of the total. */
function boundAt(k: number): number {
  return (Math.sin((Math.min(k, COMPRESSION) * Math.PI) / COMPRESSION - Math.PI / 2) + 1) / 2
}

/** The centroid index of a cumulative fraction q. */
function indexOf(q: number): number {
  return (COMPRESSION * (Math.asin(2.0 * q - 1.0) + Math.PI / 2)) / Math.PI
}

function clampedMix(a: number, wa: number, b: number, wb: number): number {
  const [lo, wlo, hi, whi] = a <= b ? [a, wa, b, wb] : [b, wb, a, wa]
  const x = (lo * wlo + hi * whi) / (wlo + whi)
  return Math.max(lo, Math.min(x, hi))
}

/** The q-quantile px.quantiles reports for these values (any order), NaN for none. */
export function pixieQuantile(values: readonly number[], q: number): number {
  if (values.length > MAX_EXACT) {
    throw new Error(`${values.length} values: Pixie's result depends on arrival order above 8001`)
  }
  const sorted = [...values].sort((a, b) => a - b)
  const total = sorted.length
  if (total === 0) return NaN
  const centroids: Centroid[] = [{ sum: sorted[0] as number, count: 1 }]
  let seen = 1
  let limit = total * boundAt(1)
  for (const x of sorted.slice(1)) {
    const last = centroids[centroids.length - 1] as Centroid
    if (seen + 1 <= limit) {
      last.sum += x
      last.count += 1
    } else {
      limit = total * boundAt(indexOf(seen / total) + 1)
      centroids.push({ sum: x, count: 1 })
    }
    seen += 1
  }
  const means = centroids.map((c) => c.sum / c.count)
  const lowest = means[0] as number
  const highest = Math.max(START_MAX, means[means.length - 1] as number)
  if (centroids.length === 1) return lowest
  const rank = q * total
  // Midpoint ranks of the centroids.
  const mids: number[] = []
  let before = 0
  for (const c of centroids) {
    mids.push(before + c.count / 2)
    before += c.count
  }
  if (rank <= (mids[0] as number)) return lowest
  const j = mids.findIndex((m) => m >= rank)
  if (j === -1) return highest
  return clampedMix(
    means[j - 1] as number,
    (mids[j] as number) - rank,
    means[j] as number,
    rank - (mids[j - 1] as number)
  )
}
