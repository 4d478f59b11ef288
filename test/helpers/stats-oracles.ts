/**
 * Helpers for the statistics tests only (never imported by library code): a binomial sampler, and
 * slow but exact oracles (BigInt rational arithmetic, brute-force pair counting) that the fast
 * implementations are checked against. Seeded draws come from simulator/prng.ts.
 * @module
 */

/** Number of successes in n Bernoulli(p) trials. */
export function binomial(random: () => number, n: number, p: number): number {
  let k = 0
  for (let i = 0; i < n; i++) if (random() < p) k++
  return k
}

function choose(n: number, k: number): bigint {
  if (k < 0 || k > n) return 0n
  let r = 1n
  for (let i = 1; i <= Math.min(k, n - k); i++) r = (r * BigInt(n - i + 1)) / BigInt(i)
  return r
}

/** num / den as a double, for big rationals, keeping about 64 significant bits at any scale. */
function ratio(num: bigint, den: bigint): number {
  if (num === 0n) return 0
  const shift = Math.max(0, den.toString(2).length - num.toString(2).length + 64)
  let result = Number((num << BigInt(shift)) / den)
  for (let left = shift; left > 0; left -= Math.min(left, 1000)) result /= 2 ** Math.min(left, 1000)
  return result
}

/**
 * Fisher's exact test in exact rational arithmetic: every table probability is
 * C(K, x) C(N - K, n1 - x) / C(N, n1) as a BigInt numerator over a common denominator, and the
 * two-sided sum takes tables whose numerator is <= the observed one (exact comparison).
 */
export function exactFisherOracle(
  a: number,
  n1: number,
  c: number,
  n2: number
): { pTwoSided: number; pGreater: number; pLess: number } {
  const k = a + c
  const n = n1 + n2
  const den = choose(n, n1)
  const lo = Math.max(0, k - n2)
  const hi = Math.min(k, n1)
  const num = (x: number) => choose(k, x) * choose(n - k, n1 - x)
  const observed = num(a)
  let two = 0n
  let greater = 0n
  let less = 0n
  for (let x = lo; x <= hi; x++) {
    const v = num(x)
    if (v <= observed) two += v
    if (x >= a) greater += v
    if (x <= a) less += v
  }
  return { pTwoSided: ratio(two, den), pGreater: ratio(greater, den), pLess: ratio(less, den) }
}

/**
 * The exact null distribution of U for sample sizes m and n without ties, by the recurrence of
 * Mann & Whitney (1947): count(m, n, u) = count(m - 1, n, u - n) + count(m, n - 1, u). Returns
 * P(U <= u) for u = 0 .. m n.
 */
export function exactMannWhitneyCdf(m: number, n: number): number[] {
  // counts[i][j] is the distribution for sizes (i, j), built row by row.
  let prev: number[][] = []
  for (let i = 0; i <= m; i++) {
    const row: number[][] = []
    for (let j = 0; j <= n; j++) {
      const dist = new Array<number>(i * j + 1).fill(0)
      if (i === 0 || j === 0) dist[0] = 1
      else {
        const left = prev[j] as number[] // (i - 1, j)
        const down = row[j - 1] as number[] // (i, j - 1)
        for (let u = 0; u < left.length; u++)
          dist[u + j] = (dist[u + j] as number) + (left[u] as number)
        for (let u = 0; u < down.length; u++) dist[u] = (dist[u] as number) + (down[u] as number)
      }
      row.push(dist)
    }
    prev = row
  }
  const dist = prev[n] as number[]
  const total = dist.reduce((s, v) => s + v, 0)
  let cumulative = 0
  return dist.map((v) => (cumulative += v) / total)
}

/**
 * Mann-Whitney figures from raw values by brute force: U counts pairs (x > y) plus half the ties,
 * and the tie term sums t^3 - t over groups of equal values. Independent of the bucket code.
 */
export function bruteForceMannWhitney(
  x: readonly number[],
  y: readonly number[]
): { u: number; tieTerm: number } {
  let u = 0
  for (const a of x) for (const b of y) u += a > b ? 1 : a === b ? 0.5 : 0
  const groups = new Map<number, number>()
  for (const v of [...x, ...y]) groups.set(v, (groups.get(v) ?? 0) + 1)
  let tieTerm = 0
  for (const t of groups.values()) tieTerm += t ** 3 - t
  return { u, tieTerm }
}

/** Counts per sorted distinct value of x and y: raw samples as ordered buckets, without loss. */
export function asOrderedBuckets(
  x: readonly number[],
  y: readonly number[]
): { canary: number[]; baseline: number[] } {
  const values = [...new Set([...x, ...y])].sort((p, q) => p - q)
  const index = new Map(values.map((v, i) => [v, i]))
  const canary = new Array<number>(values.length).fill(0)
  const baseline = new Array<number>(values.length).fill(0)
  for (const v of x) canary[index.get(v) as number]! += 1
  for (const v of y) baseline[index.get(v) as number]! += 1
  return { canary, baseline }
}
