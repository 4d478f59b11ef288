/**
 * Duration and time literals as PxL accepts them: relative windows like '-60s', '-5m', '-1h',
 * '-500ms' (px.DataFrame start_time/end_time, px.parse_duration) and absolute timestamps like
 * '2020-07-13 18:02:05.00 +0000' (Pixie's PxL reference, docs.px.dev, px.DataFrame start_time). All results are int64 nanoseconds (bigint).
 */

const UNIT_NS: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
  d: 86_400_000_000_000n,
}

const DURATION_RE = /^([+-]?)((?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h|d))+)$/
const PART_RE = /(\d+)(?:\.(\d+))?(ns|us|µs|ms|s|m|h|d)/g

/**
 * Parses a duration such as '-5m', '1h30m', '-1.5s' or '-500ms' into nanoseconds; returns undefined
 * when the text is not a duration. Fractions are exact down to the nanosecond (truncated below).
 */
export function parseDuration(text: string): bigint | undefined {
  const m = DURATION_RE.exec(text.trim())
  if (m === null) return undefined
  let total = 0n
  for (const part of (m[2] as string).matchAll(PART_RE)) {
    const unit = UNIT_NS[part[3] as string] as bigint
    total += BigInt(part[1] as string) * unit
    const frac = part[2]
    if (frac !== undefined) total += (BigInt(frac) * unit) / 10n ** BigInt(frac.length)
  }
  return m[1] === '-' ? -total : total
}

const ABSOLUTE_RE =
  /^(\d{4})-(\d{1,2})-(\d{1,2})[ T](\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,9}))?\s*(Z|[+-]\d{2}:?\d{2})?$/

/**
 * Parses an absolute timestamp 'YYYY-MM-DD HH:MM:SS[.fraction] [+ZZZZ]' (UTC when the zone is
 * omitted) into nanoseconds since the Unix epoch; undefined when the text does not match.
 */
export function parseAbsoluteTime(text: string): bigint | undefined {
  const m = ABSOLUTE_RE.exec(text.trim())
  if (m === null) return undefined
  const [, y, mo, d, h, mi, s, frac, zone] = m
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s))
  if (Number.isNaN(ms)) return undefined
  let ns = BigInt(ms) * 1_000_000n
  if (frac !== undefined) ns += BigInt(frac.padEnd(9, '0'))
  if (zone !== undefined && zone !== 'Z') {
    const z = zone.replace(':', '')
    const minutes = Number(z.slice(1, 3)) * 60 + Number(z.slice(3, 5))
    const offset = BigInt(minutes) * 60_000_000_000n
    ns = z.startsWith('+') ? ns - offset : ns + offset
  }
  return ns
}
