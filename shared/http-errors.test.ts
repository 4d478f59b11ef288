import { describe, expect, it } from 'vitest'
import type { ErrorCode } from './errors'
import { statusForCode } from './http-errors'

describe('statusForCode', () => {
  it('should map each family of codes to its documented status', () => {
    const table: [ErrorCode, number][] = [
      ['invalid_window', 400],
      ['missing_namespace', 400],
      ['missing_selector', 400],
      ['conflicting_selectors', 400],
      ['unknown_parameter', 400],
      ['unauthorized', 401],
      ['not_found', 404],
      ['method_not_allowed', 405],
      ['pixie_unavailable', 502],
      ['pixie_script_error', 502],
      ['result_missing_table', 502],
      ['result_invalid_value', 502],
      ['overloaded', 503],
      ['pixie_deadline_exceeded', 504],
      ['internal_error', 500],
    ]
    for (const [code, status] of table) expect(statusForCode(code), code).toBe(status)
  })
})
