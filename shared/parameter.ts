/**
 * The one validation hook for query parameters: a parameter's zod schema validates (and may
 * transform) its single raw value, and any failure becomes `invalid_<parameter>` (400) whose
 * message says what the parameter allows. A schema can add why a value failed by raising a
 * custom issue with `params.why` (see `converting`); zod's own messages never reach the caller, so
 * the answer stays the same whatever zod's wording.
 */
import * as z from 'zod/mini'
import { PxCanaryError } from './errors'

/** Echoes a bad value safely: truncated, JSON-quoted (so control characters stay visible). */
export function shown(value: string): string {
  return JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}...` : value)
}

/** The 400 answer for a bad value of `name`. */
export function invalidParameter(
  name: string,
  allowed: string,
  value: string,
  why = ''
): PxCanaryError {
  return new PxCanaryError(
    `invalid_${name}`,
    `${name} must be ${allowed}${why}; got ${shown(value)}`,
    {
      details: { parameter: name },
    }
  )
}

/** Called by a conversion on a value it cannot take, optionally saying why; returns undefined. */
export type Refuse = (why?: string) => undefined

/**
 * A schema that checks `base`, then converts the value once with `convert`, which calls `refuse`
 * on a value it cannot take. (A custom check replacing the payload's value: what zod's overwrite
 * does, without the pipe and transform classes a function bundle would otherwise carry.)
 */
export function converting<T>(
  base: z.ZodMiniString<string>,
  convert: (value: string, refuse: Refuse) => T | undefined
): z.ZodMiniType<T, string> {
  const check = z.check<string>((payload) => {
    if (payload.issues.length > 0) return
    const value = payload.value
    const out = convert(value, (why = '') => {
      payload.issues.push({ code: 'custom', input: value, params: { why } })
      return undefined
    })
    if (payload.issues.length === 0) (payload as { value: unknown }).value = out
  })
  return base.check(check) as unknown as z.ZodMiniType<T, string>
}

/**
 * Validates one present value of a parameter against its schema.
 *
 * @throws PxCanaryError invalid_<name>, stating `allowed`
 */
export function parseParameter<T>(
  name: string,
  value: string,
  schema: z.ZodMiniType<T, string>,
  allowed: string
): T {
  const parsed = schema.safeParse(value)
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]
  const why = issue?.code === 'custom' ? String(issue.params?.why ?? '') : ''
  throw invalidParameter(name, allowed, value, why)
}

/** A string of bounded length (checked first, so long input never reaches the regex) matching re. */
export function boundedString(maxLength: number, re: RegExp) {
  return z
    .string()
    .check(z.minLength(1, { abort: true }), z.maxLength(maxLength, { abort: true }), z.regex(re))
}

/**
 * The one request-path grammar (path filters and excluded paths): RFC 3986 pchar plus `/`
 * (unreserved, sub-delims, `:`, `@`, percent escapes) and `*`; `?` and `#` are refused, a path is
 * not a query. Checked after the length, so long input never reaches the regex.
 */
const REQUEST_PATH_CHARS = /^\/[A-Za-z0-9._~!$&'()+,;=:@%/*-]*$/
const PERCENT_ESCAPE = /%(?![0-9A-Fa-f]{2})/

/** Undefined when the path fits the grammar within maxLength, else why not ('' says nothing more). */
export function requestPathProblem(path: string, maxLength: number): string | undefined {
  if (path.length === 0 || path.length > maxLength || !REQUEST_PATH_CHARS.test(path)) return ''
  if (PERCENT_ESCAPE.test(path)) return ' (% must start an escape of two hex digits, like %2F)'
  return undefined
}
