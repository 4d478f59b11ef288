import { describe, expect, it } from 'vitest'
import { mulberry32 } from '../../simulator/prng'
import { phaseAt, planRequest, SCHEDULE, violation } from './expectations'
import type { PlannedRequest } from './expectations'

const metric: PlannedRequest = { kind: 'metric', path: '/?namespace=a&pod=b', headers: {} }
const json = 'application/json; charset=UTF-8'

describe('soak expectations', () => {
  it('should start and end the run healthy, with every fault in between', () => {
    expect(SCHEDULE[phaseAt(0)]!.name).toBe('none')
    expect(SCHEDULE[phaseAt(0.999)]!.name).toBe('none')
    const names = new Set(SCHEDULE.map((p) => p.name))
    expect([...names].sort()).toEqual([
      'latency',
      'none',
      'reset',
      'unauthenticated',
      'unavailable',
    ])
    for (let i = 1; i < SCHEDULE.length; i++)
      expect(SCHEDULE[i]!.from).toBeGreaterThan(SCHEDULE[i - 1]!.from)
  })

  it('should accept a figure only while Pixie was healthy at some point of the request', () => {
    const ok = { status: 200, contentType: json, body: { value: 0.01, requests: 100 } }
    expect(violation(metric, ok, ['none'])).toBeUndefined()
    expect(violation(metric, ok, ['none', 'unavailable'])).toBeUndefined()
    expect(violation(metric, ok, ['unavailable'])).toMatch(/200 while Pixie was failing/)
  })

  it('should refuse a figure that is not a measurement', () => {
    const bad = (body: unknown) =>
      violation(metric, { status: 200, contentType: json, body }, ['none'])
    expect(bad({ value: 0, requests: 0 })).toMatch(/without requests/)
    expect(bad({ value: 'NaN', requests: 3 })).toMatch(/not a number/)
    expect(bad({ value: 1, requests: -1 })).toMatch(/not a count/)
    expect(bad({ value: null, requests: 0 })).toBeUndefined()
  })

  it('should accept the fault answer of any phase the request overlapped, and nothing else', () => {
    const answer = (status: number, code: string) => ({
      status,
      contentType: json,
      body: { error: { code } },
    })
    expect(
      violation(metric, answer(502, 'pixie_unavailable'), ['none', 'unavailable'])
    ).toBeUndefined()
    expect(
      violation(metric, answer(504, 'pixie_deadline_exceeded'), ['latency', 'none'])
    ).toBeUndefined()
    expect(violation(metric, answer(502, 'pixie_unavailable'), ['latency'])).toMatch(/got 502/)
    expect(violation(metric, answer(500, 'internal_error'), ['none'])).toMatch(/got 500/)
    expect(violation(metric, answer(503, 'overloaded'), ['none'])).toBeUndefined()
  })

  it('should require JSON and the fixed answer of requests Pixie has no part in', () => {
    const invalid: PlannedRequest = {
      kind: 'invalid',
      path: '/',
      headers: {},
      status: 400,
      code: 'missing_selector',
    }
    expect(
      violation(
        invalid,
        { status: 400, contentType: json, body: { error: { code: 'missing_selector' } } },
        ['reset']
      )
    ).toBeUndefined()
    expect(
      violation(
        invalid,
        { status: 400, contentType: json, body: { error: { code: 'invalid_pod' } } },
        ['none']
      )
    ).toMatch(/expected missing_selector/)
    expect(
      violation(invalid, { status: 400, contentType: 'text/plain', body: {} }, ['none'])
    ).toMatch(/not JSON/)
  })

  it('should draw the same request mix from the same seed, with every kind in it', () => {
    const draw = (seed: number) => {
      const random = mulberry32(seed)
      return Array.from({ length: 400 }, () =>
        planRequest('latency', 'token-0123456789abcdef', random)
      )
    }
    expect(draw(7)).toEqual(draw(7))
    const kinds = new Set(draw(7).map((r) => r.kind))
    expect([...kinds].sort()).toEqual([
      'health',
      'invalid',
      'metric',
      'unauthorized',
      'unknown_route',
    ])
    for (const r of draw(7)) expect(r.path.startsWith('/')).toBe(true)
  })
})
