import * as z from 'zod/mini'
import { describe, expect, it } from 'vitest'
import { converting, parseParameter, requestPathProblem } from './parameter'
import { errorOf } from '../test/helpers/code-of'

const even = converting(z.string().check(z.regex(/^[0-9]+$/)), (value, refuse) =>
  Number(value) % 2 === 0 ? Number(value) : refuse(' (odd)')
)

describe('parseParameter', () => {
  it('should return the converted value of a valid one', () => {
    expect(parseParameter('n', '42', even, 'an even number')).toBe(42)
  })

  it('should turn any failure into invalid_<name>, with the why of a conversion and never zod wording', () => {
    const odd = errorOf(() => parseParameter('n', '7', even, 'an even number'))
    expect(odd.code).toBe('invalid_n')
    expect(odd.message).toBe('n must be an even number (odd); got "7"')
    expect(odd.details).toEqual({ parameter: 'n' })
    const text = errorOf(() => parseParameter('n', 'x'.repeat(80), even, 'an even number'))
    expect(text.message).toBe(`n must be an even number; got "${'x'.repeat(64)}..."`)
  })
})

describe('requestPathProblem', () => {
  it('should hold the one request-path grammar', () => {
    expect(requestPathProblem('/orders/*/items', 256)).toBeUndefined()
    expect(requestPathProblem('/a%2Fb', 256)).toBeUndefined()
    expect(requestPathProblem('orders', 256)).toBe('')
    expect(requestPathProblem('/a?b', 256)).toBe('')
    expect(requestPathProblem('/aaaa', 3)).toBe('')
    expect(requestPathProblem('/%zz', 256)).toMatch(/% must start an escape/)
  })
})
