/**
 * fast-check generators of hostile request input, and the oracle of what may reach Pixie.
 *
 * A "hostile" value is built to be invalid for its parameter by construction (it carries a
 * character the parameter's grammar never allows, or it is too long, or it is a number the window
 * refuses), so every one must be answered 400 with the code naming that parameter. The fragments
 * are the classic ones: PxL/Python injection, quotes, newlines, control characters, unicode
 * look-alikes and direction overrides, path traversal and percent-encoding tricks.
 */
import fc from 'fast-check'

/** Query parameters of the HTTP contract, with the metrics that accept them. */
export const PARAMETERS = [
  'namespace',
  'replicaset',
  'rollout',
  'hash',
  'pod',
  'service',
  'window',
  'exclude_paths',
  'errors',
  'quantile',
] as const
export type Parameter = (typeof PARAMETERS)[number]

export const SELECTORS = ['replicaset', 'rollout', 'pod', 'service'] as const

/** Injection and confusion fragments; each holds a character no parameter allows. */
export const FRAGMENTS: readonly string[] = [
  "'); px.display(df, 'x'); ('",
  '"); px.display(df); ("',
  "__import__('os').system('id')",
  'x\nimport os\n',
  '\r\ndef f():\n    return px.DataFrame(table="http_events")',
  "' + px.now() + '",
  '${jndi:ldap://x}',
  '{{args.namespace}}',
  '<script>alert(1)</script>',
  'a\u0000b',
  '\u0007\u0008\u001b[31m',
  '\u007f',
  'de\u0301fault',
  '\u202edefault',
  'def\u200bault',
  '\uff44efault',
  '\u0430pp',
  '\ud83d\ude80',
  '%00',
  '%2e%2e%2f',
  '%252F',
  '%zz',
  '%E0%A4%A',
  '..\\..\\etc\\passwd',
  '../../etc/passwd',
  'a b',
  'a\tb',
  'UPPER',
  'semi;colon',
  'back`tick',
  'pipe|pipe',
  'hash#tag',
  'question?mark',
]

/** Characters a path in exclude_paths must not hold (it allows many others; see params.ts). */
const PATH_FORBIDDEN = [
  ' ',
  '"',
  '\n',
  '\r',
  '\t',
  '\u0000',
  '\\',
  '`',
  '{',
  '}',
  '<',
  '>',
  '|',
  '^',
  '#',
  '?',
  '\u00e9',
  '\u202e',
]

/** Valid-looking text around a fragment, so the value is close to valid but not. */
const nameish = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,10}[a-z0-9])?$/)

/** Longest valid value per parameter (anything longer is refused). */
const MAX_LENGTH: Record<Parameter, number> = {
  namespace: 63,
  replicaset: 253,
  rollout: 253,
  hash: 63,
  pod: 253,
  service: 63,
  window: 8,
  exclude_paths: 32 * 257,
  errors: 6,
  quantile: 3,
}

/** Windows that look numeric but are out of range, fractional, negative or malformed. */
const BAD_WINDOWS = [
  '0',
  '0s',
  '9s',
  '9',
  '3601',
  '3601s',
  '61m',
  '2h',
  '-60s',
  '-1',
  '1.5m',
  '60.0',
  '1e3',
  '0x3c',
  '60S',
  '60 s',
  ' 60s',
  '60s ',
  '+60s',
  '060s',
  'Infinity',
  'NaN',
  '99999999',
  '1d',
  '1w',
  '60ms',
  '',
]

/** A value that is invalid for `parameter` by construction. */
export function hostileValue(parameter: Parameter): fc.Arbitrary<string> {
  const fragment =
    parameter === 'exclude_paths'
      ? fc.constantFrom(...FRAGMENTS.filter((f) => PATH_FORBIDDEN.some((c) => f.includes(c))))
      : fc.constantFrom(...FRAGMENTS)
  const embedded = fc
    .tuple(nameish, fragment, nameish)
    .map(([a, f, b]) => (parameter === 'exclude_paths' ? `/${a}${f}${b}` : `${a}${f}${b}`))
  const forbiddenChar = fc
    .tuple(nameish, fc.constantFrom(...PATH_FORBIDDEN), nameish)
    .map(([a, c, b]) => (parameter === 'exclude_paths' ? `/${a}${c}${b}` : `${a}${c}${b}`))
  const tooLong = fc
    .integer({ min: MAX_LENGTH[parameter] + 1, max: Math.max(MAX_LENGTH[parameter] + 1, 4000) })
    .map((n) => (parameter === 'exclude_paths' ? `/${'a'.repeat(n)}` : 'a'.repeat(n)))
  const options: fc.Arbitrary<string>[] = [embedded, forbiddenChar, tooLong]
  if (parameter === 'window') options.push(fc.constantFrom(...BAD_WINDOWS))
  if (parameter !== 'exclude_paths') options.push(fc.constant(''))
  // Control characters and arbitrary unicode, always with one character no grammar allows.
  options.push(
    fc
      .tuple(
        fc.string({ unit: 'binary', maxLength: 20 }),
        fc.constantFrom('\u0001', '\u00ff', '\u2028', '"')
      )
      .map(([s, c]) => (parameter === 'exclude_paths' ? `/${s}${c}` : `${s}${c}`))
  )
  return fc.oneof(...options)
}

/** A valid value for each parameter (to fill in around the hostile one). */
export const VALID: Record<Parameter, fc.Arbitrary<string>> = {
  namespace: nameish,
  replicaset: nameish,
  rollout: nameish,
  hash: fc.stringMatching(/^[a-z0-9]{1,10}$/),
  pod: nameish,
  service: fc.stringMatching(/^[a-z]([-a-z0-9]{0,10}[a-z0-9])?$/),
  window: fc.constantFrom('10s', '30s', '60', '5m', '1h', '3600'),
  exclude_paths: fc.constantFrom('none', '/healthz', '/a,/b/c', '/x/(y);z'),
  errors: fc.constantFrom('4xx5xx', '5xx'),
  quantile: fc.constantFrom('p50', 'p90', 'p99'),
}

/** Percent-encodes a query component (every byte of the UTF-8, as a browser would for a form). */
export function encode(value: string): string {
  return encodeURIComponent(value)
}

/**
 * What each exec_funcs argument may hold once validated: the oracle for "only validated values
 * reach Pixie". Built from the HTTP contract, independently of the code under test.
 */
const NAME = '[a-z0-9]([-a-z0-9]*[a-z0-9])?'
export const ARGUMENT_GRAMMAR: Record<string, RegExp> = {
  start_time: /^-[1-9][0-9]{1,3}s$/,
  namespace: new RegExp(`^${NAME}$`),
  replicaset: new RegExp(`^${NAME}/${NAME}(\\.${NAME})*$`),
  pod_prefix: new RegExp(`^${NAME}/[a-z0-9][-a-z0-9.]*$`),
  service: new RegExp(`^${NAME}/[a-z]([-a-z0-9]*[a-z0-9])?$`),
  error_min_status: /^(400|500)$/,
  // RE2 pattern: escaped printable ASCII, no quotes, no whitespace, no control characters.
  excluded_paths: /^[\x21\x23-\x26\x28-\x5b\x5d-\x7e\\'()]+$/,
  // Request filters (shared/filters.ts): match everything, or a compiled path / a method.
  path_pattern: /^(\(\?s\)\.\*|[\x21\x23-\x26\x28-\x5b\x5d-\x7e\\'()]+)$/,
  method_pattern: /^(\(\?s\)\.\*|GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)$/,
}

/** Every problem with the arguments of one recorded call (empty when all are as validated). */
export function argumentProblems(args: Record<string, string>): string[] {
  const problems: string[] = []
  for (const [name, value] of Object.entries(args)) {
    const grammar = ARGUMENT_GRAMMAR[name]
    if (grammar === undefined) problems.push(`unexpected argument ${name}`)
    else if (!grammar.test(value)) problems.push(`${name}=${JSON.stringify(value)}`)
    else if (name === 'start_time') {
      const seconds = Number(value.slice(1, -1))
      if (seconds < 10 || seconds > 3600) problems.push(`start_time out of range: ${value}`)
    }
  }
  return problems
}
