/**
 * px.quantiles as Pixie computes it: the merging t-digest of Carnot's QuantilesUDA (compression
 * 1000, one `add` per raw row on Kelvin), and Finalize's rapidjson output.
 *
 * Written from the algorithm's description (Dunning's merging digest with the arcsine scale
 * function, as in pixie-io/tdigest tdigest.h, pinned by pixie-io/pixie
 * bazel/repository_locations.bzl; used by pixie-io/pixie src/carnot/funcs/builtins/
 * math_sketches.h). Non-obvious choices, each one the C++'s:
 * - Values are buffered and compressed once more than 8,000 are waiting and once before reading,
 *   so up to 8,001 values the result does not depend on arrival order and equals the C++ bit for
 *   bit; above that, chunks are compressed in arrival order (row order here).
 * - Interpolation uses the weighted form `(a*w2 + b*w1)/(w1 + w2)` clamped to [a, b], which is
 *   what makes the last bit agree; `a + f*(b - a)` does not always.
 * - `max` starts at the smallest positive double (numeric_limits<double>::min()), so when every
 *   value is <= 0 the right tail reports 2.2250738585072014e-308.
 * - The left-tail boundary case (rank exactly half the first weight) reads out of bounds in the
 *   C++; the value it returns there is the first mean, which is what this returns.
 * - A quantile that is NaN (no values) or infinite stops rapidjson's Writer after the key, so the
 *   JSON is cut off: no values give `{"p01":`.
 */

/** std::numeric_limits<double>::max(), the digest's starting min. */
const DBL_MAX = Number.MAX_VALUE
/** std::numeric_limits<double>::min(), the digest's starting max. */
export const DBL_MIN_POSITIVE = 2.2250738585072014e-308

/** The compression Pixie's QuantilesUDA constructs its digest with. */
export const PIXIE_COMPRESSION = 1000

/** std::min / std::max, whose handling of ties and -0 differs from Math.min / Math.max. */
const stdMin = (a: number, b: number) => (b < a ? b : a)
const stdMax = (a: number, b: number) => (a < b ? b : a)

function weightedAverageSorted(x1: number, w1: number, x2: number, w2: number): number {
  const x = (x1 * w1 + x2 * w2) / (w1 + w2)
  return stdMax(x1, stdMin(x, x2))
}

function weightedAverage(x1: number, w1: number, x2: number, w2: number): number {
  return x1 <= x2 ? weightedAverageSorted(x1, w1, x2, w2) : weightedAverageSorted(x2, w2, x1, w1)
}

export class TDigest {
  private readonly compression: number
  private readonly maxProcessed: number
  private readonly maxUnprocessed: number
  private means: number[] = []
  private weights: number[] = []
  private cumulative: number[] = []
  private unprocessed: number[] = []
  private processedWeight = 0
  private unprocessedWeight = 0
  private min = DBL_MAX
  private max = DBL_MIN_POSITIVE

  constructor(compression = PIXIE_COMPRESSION) {
    this.compression = compression
    this.maxProcessed = 2 * Math.ceil(compression)
    this.maxUnprocessed = 8 * Math.ceil(compression)
  }

  /** Adds one value of weight 1; NaN is dropped. */
  add(x: number): void {
    if (Number.isNaN(x)) return
    this.unprocessed.push(x)
    this.unprocessedWeight += 1
    if (this.isDirty()) this.process()
  }

  /** The q-quantile (q in [0, 1]); NaN without values. */
  quantile(q: number): number {
    if (this.unprocessed.length > 0 || this.isDirty()) this.process()
    return this.quantileProcessed(q)
  }

  /** How many centroids the digest holds once compressed (values until the first merge). */
  centroidCount(): number {
    if (this.unprocessed.length > 0 || this.isDirty()) this.process()
    return this.means.length
  }

  private isDirty(): boolean {
    return this.means.length > this.maxProcessed || this.unprocessed.length > this.maxUnprocessed
  }

  private integratedLocation(q: number): number {
    return (this.compression * (Math.asin(2.0 * q - 1.0) + Math.PI / 2)) / Math.PI
  }

  private integratedQ(k: number): number {
    return (
      (Math.sin((Math.min(k, this.compression) * Math.PI) / this.compression - Math.PI / 2) + 1) / 2
    )
  }

  private process(): void {
    const fresh = Float64Array.from(this.unprocessed).sort()
    const oldMeans = this.means
    const oldWeights = this.weights
    // Stable merge of the sorted buffer (first) with the processed centroids (second).
    const total = fresh.length + oldMeans.length
    const mergedMeans = new Float64Array(total)
    const mergedWeights = new Float64Array(total)
    let a = 0
    let b = 0
    for (let k = 0; k < total; k++) {
      if (
        b < oldMeans.length &&
        (a >= fresh.length || (oldMeans[b] as number) < (fresh[a] as number))
      ) {
        mergedMeans[k] = oldMeans[b] as number
        mergedWeights[k] = oldWeights[b] as number
        b++
      } else {
        mergedMeans[k] = fresh[a] as number
        mergedWeights[k] = 1
        a++
      }
    }
    this.processedWeight += this.unprocessedWeight
    this.unprocessedWeight = 0
    this.unprocessed = []
    const W = this.processedWeight
    const means: number[] = [mergedMeans[0] as number]
    const weights: number[] = [mergedWeights[0] as number]
    let wSoFar = mergedWeights[0] as number
    let wLimit = W * this.integratedQ(1.0)
    for (let k = 1; k < total; k++) {
      const m = mergedMeans[k] as number
      const w = mergedWeights[k] as number
      const projected = wSoFar + w
      if (projected <= wLimit) {
        wSoFar = projected
        const last = weights.length - 1
        const lw = weights[last] as number
        if (lw !== 0) {
          const nw = lw + w
          weights[last] = nw
          means[last] = (means[last] as number) + (w * (m - (means[last] as number))) / nw
        } else {
          weights[last] = w
          means[last] = m
        }
      } else {
        const k1 = this.integratedLocation(wSoFar / W)
        wLimit = W * this.integratedQ(k1 + 1.0)
        wSoFar += w
        means.push(m)
        weights.push(w)
      }
    }
    this.means = means
    this.weights = weights
    this.min = stdMin(this.min, means[0] as number)
    this.max = stdMax(this.max, means[means.length - 1] as number)
    const cumulative: number[] = []
    let previous = 0
    for (const w of weights) {
      cumulative.push(previous + w / 2.0)
      previous = previous + w
    }
    cumulative.push(previous)
    this.cumulative = cumulative
  }

  private quantileProcessed(q: number): number {
    if (q < 0 || q > 1) return NaN
    const n = this.means.length
    if (n === 0) return NaN
    const means = this.means
    const weights = this.weights
    if (n === 1) return means[0] as number
    const W = this.processedWeight
    const index = q * W
    const w0 = weights[0] as number
    if (index < w0 / 2.0) {
      return this.min + ((2.0 * index) / w0) * ((means[0] as number) - this.min)
    }
    const c = this.cumulative
    let lo = 0
    let hi = c.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if ((c[mid] as number) < index) lo = mid + 1
      else hi = mid
    }
    const i = lo
    if (i + 1 !== c.length) {
      // i === 0 only when index is exactly w0/2: the C++ reads before its arrays, and the
      // weighted average it computes there (weight 0 on the out-of-bounds mean) is means[0].
      if (i === 0) return means[0] as number
      const z1 = index - (c[i - 1] as number)
      const z2 = (c[i] as number) - index
      return weightedAverage(means[i - 1] as number, z2, means[i] as number, z1)
    }
    const wLast = weights[n - 1] as number
    const z1 = index - W - wLast / 2.0
    const z2 = wLast / 2 - z1
    return weightedAverage(means[n - 1] as number, z1, this.max, z2)
  }
}

/** The quantiles QuantilesUDA::Finalize writes, in its key order. */
export const QUANTILES: readonly [string, number][] = [
  ['p01', 0.01],
  ['p10', 0.1],
  ['p25', 0.25],
  ['p50', 0.5],
  ['p75', 0.75],
  ['p90', 0.9],
  ['p99', 0.99],
]

/**
 * A finite double as rapidjson's Writer prints it: whole numbers below 1e21 end in `.0`, plain
 * decimals from 1e-6 to 1e21, otherwise an exponent without `+` (`1e21`, `5.5e-7`), `-0.0` for
 * negative zero. Digits are the shortest round-trip ones; rapidjson's Grisu2 sometimes prints a
 * longer string for the same double (`0.27499999999999999`), which parses to the same value.
 */
export function formatJsonDouble(v: number): string {
  if (v === 0) return Object.is(v, -0) ? '-0.0' : '0.0'
  const s = String(v)
  if (s.includes('e')) return s.replace('e+', 'e')
  return Number.isInteger(v) ? `${s}.0` : s
}

/** px.quantiles' output for a finished digest, cut off where rapidjson refuses a non-finite value. */
export function quantilesJsonOf(digest: TDigest): string {
  let out = '{'
  for (let k = 0; k < QUANTILES.length; k++) {
    const [key, q] = QUANTILES[k] as [string, number]
    out += `${k === 0 ? '' : ','}"${key}":`
    const v = digest.quantile(q)
    if (!Number.isFinite(v)) return out
    out += formatJsonDouble(v)
  }
  return `${out}}`
}

/** px.quantiles' output for values in arrival order. */
export function quantilesJson(values: ArrayLike<number>): string {
  const digest = new TDigest()
  for (let i = 0; i < values.length; i++) digest.add(values[i] as number)
  return quantilesJsonOf(digest)
}
