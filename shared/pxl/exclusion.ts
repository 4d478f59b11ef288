/**
 * Health-check path exclusion. Probe traffic can dominate a quiet canary's request count, latency
 * and throughput, so probe paths are dropped inside PxL. The list travels as one RE2 full-match
 * pattern ARGUMENT (never pasted into PxL source) for `px.regex_match(pattern, df.req_path)`.
 */

/**
 * Probe paths excluded by default. Pixie's own scripts drop only /healthz and /readyz exactly;
 * kubelet and load-balancer probes commonly use the others too.
 */
export const DEFAULT_EXCLUDED_PATHS: readonly string[] = Object.freeze([
  '/healthz',
  '/readyz',
  '/livez',
  '/health',
  '/ready',
  '/live',
  '/ping',
])

/** An RE2 pattern that matches no string at all (a class with nothing in it). */
export const MATCH_NOTHING_PATTERN = '[^\\s\\S]'

const REGEX_METACHARACTERS = /[\\^$.|?*+()[\]{}]/g

/** Escapes every RE2 (and JavaScript) regex metacharacter so the text matches only itself. */
export function escapeRegex(text: string): string {
  return text.replace(REGEX_METACHARACTERS, '\\$&')
}

/**
 * Builds the full-match pattern for a list of exact paths: each path matches itself, also followed
 * by a query string (Pixie's req_path may include one). An empty list means "exclude nothing" and
 * gives a pattern that matches no path.
 *
 * @example excludedPathsPattern(['/healthz', '/ready']) === '(?:/healthz|/ready)(?:\\?.*)?'
 */
export function excludedPathsPattern(paths: readonly string[]): string {
  if (paths.length === 0) return MATCH_NOTHING_PATTERN
  const unique = [...new Set(paths)]
  return `(?:${unique.map(escapeRegex).join('|')})(?:\\?.*)?`
}
