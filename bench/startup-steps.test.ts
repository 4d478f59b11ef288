import { describe, expect, it } from 'vitest'
import { STEPS, timeStep } from './startup-steps'

describe('timeStep', () => {
  it('should time each step in a fresh process of the given Node', () => {
    for (const step of STEPS.slice(0, 2)) {
      const ms = timeStep(process.execPath, step)
      expect(ms).toBeGreaterThan(0)
      expect(ms).toBeLessThan(10_000)
    }
  })

  it('should say which step failed and why', () => {
    const broken = { name: 'broken', setup: '', step: 'undefinedThing()', stdout: 'pipe' as const }
    expect(() => timeStep(process.execPath, broken)).toThrow(/^broken on .*: exit 1/)
  })
})
