/**
 * Structured logging: one JSON object per line on stdout, which Knative and every log collector
 * read without configuration. Callers pass only the fields they mean to log; nothing here ever
 * looks at headers or configuration. As a second line of defence, the entry hands the secrets it
 * holds (the Pixie API key, the caller token) to `redact`: should any message ever echo one (an
 * upstream error, a stack), the line carries `[redacted]` instead.
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
 * Replaces every occurrence of each secret (as is, and as it reads inside a JSON string) by
 * `[redacted]`. Values shorter than 8 characters are left alone.
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text
  for (const secret of secrets) {
    if (secret.length < MIN_REDACTED_LENGTH) continue
    const escaped = JSON.stringify(secret).slice(1, -1)
    out = out.split(secret).join('[redacted]')
    if (escaped !== secret) out = out.split(escaped).join('[redacted]')
  }
  return out
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
