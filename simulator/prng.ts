/**
 * Seeded randomness for the synthetic traffic. Everything the simulator generates derives from
 * the scenario seed through these helpers, never from Math.random, so a scenario plus a time
 * range always yields the same rows.
 */

/** A source of uniform numbers in [0, 1). */
export type Rng = () => number

/**
 * mulberry32: a tiny, fast 32-bit PRNG. Good enough for synthetic traffic (not for crypto), and
 * cheap to create, which matters because the generator makes one per pod, stream and second.
 */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * Hashes any list of strings and numbers to a 32-bit seed (murmur3-style mixing over the UTF-16
 * code units). Used to derive independent, reproducible streams such as (seed, pod, 'main', second).
 */
export function hashSeed(...parts: Array<string | number>): number {
  let h = 0x811c9dc5
  const text = parts.join('\u0000')
  for (let i = 0; i < text.length; i++) {
    h = Math.imul(h ^ text.charCodeAt(i), 0x5bd1e995)
    h ^= h >>> 13
  }
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b)
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35)
  return (h ^ (h >>> 16)) >>> 0
}

/** An Rng for a derived stream: shorthand for mulberry32(hashSeed(...parts)). */
export function rngFor(...parts: Array<string | number>): Rng {
  return mulberry32(hashSeed(...parts))
}

/** A standard normal deviate (Box-Muller), from two uniforms of `rng`. */
export function normal(rng: Rng): number {
  let u = rng()
  while (u <= Number.EPSILON) u = rng()
  const v = rng()
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
}

/**
 * Picks one key from cumulative weights. `cumulative` holds increasing running totals ending at
 * the total weight; returns the index of the first entry above u * total.
 */
export function pickIndex(cumulative: readonly number[], rng: Rng): number {
  const total = cumulative[cumulative.length - 1] ?? 0
  const x = rng() * total
  for (let i = 0; i < cumulative.length; i++) {
    if (x < (cumulative[i] ?? 0)) return i
  }
  return cumulative.length - 1
}

/** n characters from `alphabet`, e.g. a Kubernetes generateName suffix. */
export function randomString(rng: Rng, alphabet: string, n: number): string {
  let out = ''
  for (let i = 0; i < n; i++) out += alphabet[Math.floor(rng() * alphabet.length)] ?? ''
  return out
}

/** A random (version 4 shaped) UUID string drawn from `rng`. */
export function randomUuid(rng: Rng): string {
  const hex: string[] = []
  for (let i = 0; i < 32; i++) hex.push(Math.floor(rng() * 16).toString(16))
  hex[12] = '4'
  hex[16] = ((parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16)
  const s = hex.join('')
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`
}
