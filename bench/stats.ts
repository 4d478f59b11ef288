/**
 * Small, dependency-free statistics for benchmark samples. Percentiles use linear interpolation
 * between closest ranks (the same definition as numpy's default), so p50 of an even-sized sample is
 * the mean of the two middle values and every figure is reproducible from the raw samples.
 */

/** A distribution summary; all values share the unit of the samples they came from. */
export interface Summary {
  n: number
  min: number
  p25: number
  p50: number
  p75: number
  p90: number
  p99: number
  max: number
  mean: number
}

/**
 * The q-quantile (0 <= q <= 1) of `samples`. Throws on an empty sample: a percentile of nothing
 * must never read as 0.
 */
export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) throw new RangeError('quantile of an empty sample')
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile must be within [0, 1], got ${q}`)
  const sorted = [...samples].sort((a, b) => a - b)
  const pos = (sorted.length - 1) * q
  const lo = Math.floor(pos)
  const hi = Math.ceil(pos)
  const a = sorted[lo] as number
  const b = sorted[hi] as number
  return a + (b - a) * (pos - lo)
}

/** The median (0.5 quantile). */
export function median(samples: readonly number[]): number {
  return quantile(samples, 0.5)
}

/** Summarizes a non-empty sample. */
export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) throw new RangeError('summary of an empty sample')
  let sum = 0
  for (const s of samples) sum += s
  return {
    n: samples.length,
    min: Math.min(...samples),
    p25: quantile(samples, 0.25),
    p50: quantile(samples, 0.5),
    p75: quantile(samples, 0.75),
    p90: quantile(samples, 0.9),
    p99: quantile(samples, 0.99),
    max: Math.max(...samples),
    mean: sum / samples.length,
  }
}

/** A shuffled copy of `items` (Fisher-Yates) using `random`. */
export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    const tmp = out[i] as T
    out[i] = out[j] as T
    out[j] = tmp
  }
  return out
}
