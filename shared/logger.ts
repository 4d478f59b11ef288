/**
 * Structured logging: one JSON object per line on stdout, which Knative and every log collector
 * read without configuration. Callers pass only the fields they mean to log; nothing here ever
 * looks at headers or configuration. As a second line of defence, the entry hands the secrets it
 * holds (the Pixie API key, the caller token) to `redact`: should any message ever echo one (an
 * upstream error, a stack), the line carries `[redacted]` instead, as it does for any head or
 * tail of one left by a cut.
 */

export type LogLevel = 'info' | 'warn' | 'error'
export type LogFields = Record<string, unknown>

export interface Logger {
  info(msg: string, fields?: LogFields): void
  warn(msg: string, fields?: LogFields): void
  error(msg: string, fields?: LogFields): void
}

export interface LoggerOptions {
  /** Where each line goes (without its newline); default: process.stdout. */
  write?: (line: string) => void
  /** Fields added to every line, e.g. { metric: 'latency' }. */
  base?: LogFields
  /** Clock for the `time` field; default: the wall clock. */
  now?: () => Date
  /** Secret values replaced by `[redacted]` wherever they appear in a line. */
  redact?: readonly string[]
}

/** Shortest secret worth redacting: shorter values would garble ordinary text. */
const MIN_REDACTED_LENGTH = 8

/**
 * Shortest head or tail of a secret redacted on its own: what is left of a secret after a value
 * was cut (a message truncated at 128 characters, a parameter echoed up to 64) is still a part
 * of it.
 */
const MIN_FRAGMENT_LENGTH = 6

/** [start, end) spans of `text` holding the secret, or its head or tail of 6+ characters. */
function secretSpans(text: string, secret: string): [number, number][] {
  const spans: [number, number][] = []
  const head = secret.slice(0, MIN_FRAGMENT_LENGTH)
  for (let i = text.indexOf(head); i !== -1; i = text.indexOf(head, i + 1)) {
    let m = MIN_FRAGMENT_LENGTH
    while (m < secret.length && text[i + m] === secret[m]) m++
    spans.push([i, i + m])
  }
  const tail = secret.slice(-MIN_FRAGMENT_LENGTH)
  for (let j = text.indexOf(tail); j !== -1; j = text.indexOf(tail, j + 1)) {
    const end = j + MIN_FRAGMENT_LENGTH
    let m = MIN_FRAGMENT_LENGTH
    while (m < secret.length && end - m > 0 && text[end - m - 1] === secret[secret.length - m - 1])
      m++
    spans.push([end - m, end])
  }
  return spans
}

/**
 * Replaces every occurrence of each secret (as is, and as it reads inside a JSON string) by
 * `[redacted]`, and so every head or tail of one of 6 or more characters: a value cut before it
 * was scrubbed leaves such a fragment. Secrets shorter than 8 characters are left alone.
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  const spans: [number, number][] = []
  for (const secret of secrets) {
    if (secret.length < MIN_REDACTED_LENGTH) continue
    const escaped = JSON.stringify(secret).slice(1, -1)
    spans.push(...secretSpans(text, secret))
    if (escaped !== secret) spans.push(...secretSpans(text, escaped))
  }
  if (spans.length === 0) return text
  spans.sort((a, b) => a[0] - b[0])
  let out = ''
  let at = 0
  for (const [start, end] of spans) {
    if (end <= at) continue
    if (start >= at) out += `${text.slice(at, start)}[redacted]`
    at = end
  }
  return out + text.slice(at)
}

/** True when every value is a string, number, boolean or null: JSON.stringify needs no help. */
function flat(record: LogFields): boolean {
  for (const key in record) {
    const value = record[key]
    if (value !== null && typeof value === 'object') return false
    if (typeof value === 'bigint') return false
  }
  return true
}

/**
 * JSON.stringify that never throws: bigints become strings, Errors their message. A flat record
 * (every request line) skips the replacer, which makes V8 leave its fast path.
 */
function serialize(record: LogFields): string {
  try {
    if (flat(record)) return JSON.stringify(record)
    return JSON.stringify(record, (_key, value: unknown) => {
      if (typeof value === 'bigint') return value.toString()
      if (value instanceof Error) return { name: value.name, message: value.message }
      return value
    })
  } catch {
    return JSON.stringify({ time: record.time, level: record.level, msg: record.msg })
  }
}

/** Creates a JSON-lines logger. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const write = options.write ?? ((line: string) => void process.stdout.write(`${line}\n`))
  const now = options.now ?? (() => new Date())
  const base = options.base ?? {}
  const secrets = options.redact ?? []
  const log =
    (level: LogLevel) =>
    (msg: string, fields: LogFields = {}): void => {
      const line = serialize({ time: now().toISOString(), level, msg, ...base, ...fields })
      write(secrets.length === 0 ? line : redactSecrets(line, secrets))
    }
  return { info: log('info'), warn: log('warn'), error: log('error') }
}

/** A logger that drops everything (tests that do not look at logs). */
export const silentLogger: Logger = { info() {}, warn() {}, error() {} }
