import { describe, expect, it } from 'vitest'
import { PHASES, summarizePhases, type PhaseMarks } from './phase-summary'

const request = (at: number, steps: number[]): PhaseMarks => {
  const [sent, headers, ended, answered, written] = steps.reduce<number[]>(
    (acc, d) => [...acc, (acc.at(-1) ?? at) + d],
    []
  )
  return {
    arrived: at,
    querySent: sent,
    queryHeaders: headers,
    queryEnded: ended,
    answered,
    written: written as number,
  }
}

describe('summarizePhases', () => {
  it("should give each phase's median and the process's own time without the query", () => {
    const s = summarizePhases([
      request(0, [100, 2000, 50, 40, 30]),
      request(10_000, [120, 2500, 70, 60, 20]),
      request(20_000, [140, 3000, 60, 50, 10]),
    ])
    expect(s?.requests).toBe(3)
    expect(s?.phasesUs).toEqual([120, 2500, 60, 50, 20])
    // arrival to written less query sent to its end: 100+40+30, 120+60+20, 140+50+10
    expect(s?.ownUs).toBe(200)
    expect(s?.phasesUs).toHaveLength(PHASES.length)
  })

  it('should leave out a request whose query never ended, and give nothing without any', () => {
    const failed: PhaseMarks = { arrived: 0, querySent: 90, written: 400 }
    expect(summarizePhases([failed, request(1000, [100, 2000, 50, 40, 30])])?.requests).toBe(1)
    expect(summarizePhases([failed])).toBeUndefined()
  })
})
