/**
 * Request filters: which of the selected pods' requests a metric counts, by request path and HTTP
 * method. A canary often changes one endpoint; judging only that endpoint keeps its signal from
 * being diluted by the rest of the traffic.
 *
 * The filters are applied inside PxL (`px.regex_match(pattern, df.req_path)`), so rows fetched
 * from Pixie stay bounded. Each filter travels as one RE2 full-match pattern ARGUMENT of the PxL
 * function, never as source text: the path pattern is compiled here with every regex
 * metacharacter escaped, and a disabled filter is a pattern that matches everything.
 */
import * as z from 'zod/mini'
import { converting, parseParameter, requestPathProblem, shown } from './parameter'
import { escapeRegex } from './pxl/exclusion'

/** The methods a `method` filter accepts (RFC 9110 methods a canary serves). */
export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const

export type HttpMethod = (typeof HTTP_METHODS)[number]

/** Validated request filters; null means "no filter". */
export interface RequestFilters {
  /** An absolute path, possibly with `*` segments, e.g. '/orders/*\/items'. */
  readonly path: string | null
  readonly method: HttpMethod | null
}

/** No filter at all: every request of the selected pods counts. */
export const NO_FILTERS: RequestFilters = Object.freeze({ path: null, method: null })

/** The filter parameters' names, as they appear in the query string. */
export const FILTER_PARAMS = ['path', 'method'] as const

/** Longest path filter accepted (a request path beyond it is unusual; a pattern is shorter). */
const MAX_PATH_FILTER_LENGTH = 256

/**
 * An RE2 pattern that matches every string, newlines included: the argument of a disabled filter
 * (PxL has no `if`, so the filter is always applied and a disabled one lets everything through).
 */
export const MATCH_EVERYTHING_PATTERN = '(?s).*'

/** What a `*` segment matches: one non-empty segment, without `/` and before any query string. */
const SEGMENT_PATTERN = '[^/?]+'

/** A query string after the path, which Pixie's req_path may carry. */
const OPTIONAL_QUERY = '(?:\\?.*)?'

const ALLOWED = {
  path: `an absolute request path of at most ${MAX_PATH_FILTER_LENGTH} characters (letters, digits and -._~!$&'()+,;=:@%/), where a segment that is exactly * matches any one non-empty segment, e.g. /orders/*/items`,
  method: `one of ${HTTP_METHODS.join(', ')}`,
} as const

/** A path filter: the request-path grammar, and `*` only as a whole segment. */
const pathSchema = converting(z.string(), (value, refuse) => {
  const problem = requestPathProblem(value, MAX_PATH_FILTER_LENGTH)
  if (problem !== undefined) return refuse(problem)
  for (const segment of value.split('/')) {
    if (segment.includes('*') && segment !== '*') {
      return refuse(` (* must be a whole segment, not part of ${shown(segment)})`)
    }
  }
  return value
})

const methodSchema = z.enum(HTTP_METHODS)

/**
 * Validates a `path` filter value (undefined: no filter).
 *
 * @throws PxCanaryError invalid_path (400)
 */
export function parsePathFilter(value: string | undefined): string | null {
  return value === undefined ? null : parseParameter('path', value, pathSchema, ALLOWED.path)
}

/**
 * Validates a `method` filter value (undefined: no filter). Methods are case-sensitive, as in
 * HTTP itself: `get` is refused rather than guessed.
 *
 * @throws PxCanaryError invalid_method (400)
 */
export function parseMethodFilter(value: string | undefined): HttpMethod | null {
  return value === undefined ? null : parseParameter('method', value, methodSchema, ALLOWED.method)
}

/** Validates both filters from their raw values. */
export function parseRequestFilters(values: {
  path?: string | undefined
  method?: string | undefined
}): RequestFilters {
  return { path: parsePathFilter(values.path), method: parseMethodFilter(values.method) }
}

/**
 * The RE2 full-match pattern for a validated path filter: literal text escaped, each `*` segment
 * one non-empty segment, and an optional query string after the path (Pixie's req_path may
 * include one). null gives the match-everything pattern.
 *
 * @example pathFilterPattern('/orders/*\/item') === '/orders/[^/?]+/item(?:\\?.*)?'
 */
export function pathFilterPattern(path: string | null): string {
  if (path === null) return MATCH_EVERYTHING_PATTERN
  const body = path
    .split('/')
    .map((segment) => (segment === '*' ? SEGMENT_PATTERN : escapeRegex(segment)))
    .join('/')
  return `${body}${OPTIONAL_QUERY}`
}

/** The RE2 full-match pattern for a method filter; null gives the match-everything pattern. */
export function methodFilterPattern(method: HttpMethod | null): string {
  // Methods are plain capital letters: nothing to escape, but escape anyway for uniformity.
  return method === null ? MATCH_EVERYTHING_PATTERN : escapeRegex(method)
}

/** The filters as present in a response: only the ones that are set (none: undefined). */
export function describeFilters(
  filters: RequestFilters
): { path?: string; method?: HttpMethod } | undefined {
  if (filters.path === null && filters.method === null) return undefined
  return {
    ...(filters.path === null ? {} : { path: filters.path }),
    ...(filters.method === null ? {} : { method: filters.method }),
  }
}
