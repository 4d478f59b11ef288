/** Go duration strings ("30s", "1m30s", "500ms", "1.5h"), as Argo parses interval and initialDelay. */

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
}

/**
 * Parses a Go `time.ParseDuration` string into milliseconds. Throws on anything Go would reject
 * (a missing unit, an unknown unit, an empty string), so a template typo surfaces as an error.
 */
export function parseGoDuration(text: string): number {
  const input = text.trim()
  if (input === '0') return 0
  const match = /^([+-]?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/.exec(input)
  if (!match) throw new Error(`time: invalid duration "${text}"`)
  const sign = match[1] === '-' ? -1 : 1
  let total = 0
  for (const part of input
    .replace(/^[+-]/, '')
    .matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) {
    const [, amount, unit] = part
    total += Number(amount) * (UNIT_MS[unit ?? ''] ?? Number.NaN)
  }
  if (!Number.isFinite(total)) throw new Error(`time: invalid duration "${text}"`)
  return sign * total
}
