import { describe, expect, it } from 'vitest'
import { faultsFromScenario, parseFaults } from './faults'

describe('faults', () => {
  it('should accept the documented fields and reject anything else with a clear message', () => {
    expect(parseFaults({ error: 'reset', resetAfterMessages: 3, times: 2 })).toEqual({
      error: 'reset',
      resetAfterMessages: 3,
      times: 2,
    })
    expect(() => parseFaults({ error: 'explode' })).toThrow(/error must be one of/)
    expect(() => parseFaults({ latencyMs: -1 })).toThrow(/latencyMs must be a non-negative integer/)
    expect(() => parseFaults({ latency: 5 })).toThrow(/unknown fault field 'latency'/)
    expect(() => parseFaults('x')).toThrow(/JSON object/)
  })

  it('should convert scenario faults', () => {
    expect(faultsFromScenario({ latency_ms: 200, error: 'hang' })).toEqual({
      latencyMs: 200,
      error: 'hang',
    })
    expect(faultsFromScenario({})).toEqual({})
  })
})
