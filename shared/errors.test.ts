// The README's error table and the catalogue in shared/errors.ts say the same thing: every code
// in the table has the status of its row, and every code of the catalogue is in the table.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ERROR_STATUS, PARAMETER_ERROR_STATUS, PxCanaryError, statusOf } from './errors'

const README = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8')

/** Rows of the table under "Errors are JSON": [status, codes written in backticks]. */
function tableRows(): [number, string[]][] {
  const start = README.indexOf('| status | codes')
  expect(start).toBeGreaterThan(0)
  const rows: [number, string[]][] = []
  for (const line of README.slice(start).split('\n').slice(2)) {
    if (!line.startsWith('|')) break
    const [status, codes] = line
      .split('|')
      .slice(1, 3)
      .map((cell) => cell.trim())
    rows.push([Number(status), [...codes!.matchAll(/`([a-z_<>]+)`/g)].map((m) => m[1]!)])
  }
  return rows
}

describe('the error catalogue', () => {
  it("should give every code in the README's table the status of its row", () => {
    const rows = tableRows()
    expect(rows.length).toBeGreaterThanOrEqual(8)
    for (const [status, codes] of rows) {
      expect(codes.length, `row ${status}`).toBeGreaterThan(0)
      for (const code of codes) {
        const parameterCode = /^(invalid|missing)_/.test(code) && !(code in ERROR_STATUS)
        if (parameterCode) expect(status, code).toBe(PARAMETER_ERROR_STATUS)
        else expect(ERROR_STATUS[code as keyof typeof ERROR_STATUS], code).toBe(status)
      }
    }
  })

  it('should list every code of the catalogue in the README', () => {
    const documented = new Set(tableRows().flatMap(([, codes]) => codes))
    for (const code of Object.keys(ERROR_STATUS)) expect(documented, code).toContain(code)
    expect(documented).toContain('invalid_<parameter>')
    expect(documented).toContain('missing_<parameter>')
  })

  it("should answer 400 for a parameter's own code and the table's status for the others", () => {
    expect(statusOf('invalid_window')).toBe(400)
    expect(statusOf('missing_namespace')).toBe(400)
    expect(statusOf('pixie_deadline_exceeded')).toBe(504)
    expect(new PxCanaryError('overloaded', 'busy').code).toBe('overloaded')
  })
})
