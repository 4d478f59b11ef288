import { describe, expect, it } from 'vitest'
import { createLogger, redactSecrets } from './logger'

describe('createLogger', () => {
  it('should write one JSON object per line with time, level, message and fields', () => {
    const lines: string[] = []
    const logger = createLogger({
      write: (line) => lines.push(line),
      base: { metric: 'latency' },
      now: () => new Date(Date.UTC(2030, 0, 2, 3, 4, 5)),
    })
    logger.info('listening', { port: 8080 })
    logger.error('boom', { error: new Error('bad'), count: 12n })
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      {
        time: '2030-01-02T03:04:05.000Z',
        level: 'info',
        msg: 'listening',
        metric: 'latency',
        port: 8080,
      },
      {
        time: '2030-01-02T03:04:05.000Z',
        level: 'error',
        msg: 'boom',
        metric: 'latency',
        error: { name: 'Error', message: 'bad' },
        count: '12',
      },
    ])
    for (const line of lines) expect(line).not.toContain('\n')
  })

  it('should still log a line when a field cannot be serialized', () => {
    const lines: string[] = []
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    createLogger({ write: (line) => lines.push(line) }).warn('odd', { cyclic })
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'warn', msg: 'odd' })
  })

  it('should redact configured secrets wherever they appear in a line', () => {
    const lines: string[] = []
    const secret = 'px-key-"quoted"\\slash'
    const logger = createLogger({ write: (line) => lines.push(line), redact: [secret, 'short'] })
    logger.error('upstream said', { error: `bad key ${secret}`, nested: { again: secret } })
    logger.info('short secrets are left alone', { word: 'short' })
    expect(lines.join('\n')).not.toContain('px-key-')
    expect(JSON.parse(lines[0]!)).toMatchObject({
      error: 'bad key [redacted]',
      nested: { again: '[redacted]' },
    })
    expect(JSON.parse(lines[1]!)).toMatchObject({ word: 'short' })
    expect(redactSecrets('a token-123456 b', ['token-123456'])).toBe('a [redacted] b')
  })
})
