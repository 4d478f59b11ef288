import { describe, expect, it } from 'vitest'
import { coverageOf, headNs, MIN_COVERAGE_RATIO } from './coverage'

const S = 1_000_000_000n
const NOW = 1_800_000_000n * S

/** A span for a window ending at NOW: rows from `fromS` to `lastS` seconds before now. */
function span(retainedFromS: number, lastBeforeNowMs = 0) {
  const retainedFromNs = NOW - BigInt(retainedFromS) * S
  return {
    firstNs: retainedFromNs,
    lastNs: NOW - BigInt(lastBeforeNowMs) * 1_000_000n,
    retainedFromNs,
    nowNs: NOW,
  }
}

describe('coverageOf', () => {
  it('should give a node 30 s, or a tenth of a shorter window, before it counts as cut short', () => {
    expect(headNs(3600)).toBe(30n * S)
    expect(headNs(60)).toBe(6n * S)
    expect(coverageOf(span(60 - 5), 60).truncated).toBe(false)
    expect(coverageOf(span(60 - 7), 60).truncated).toBe(true)
    expect(coverageOf(span(3600 - 29), 3600).truncated).toBe(false)
  })

  // The newest rows are up to a push period old (pixie-io/pixie src/stirling/stirling.cc).
  it('should end the covered span at the newest row, within 1.2 s of px.now()', () => {
    expect(coverageOf(span(60, 700), 60)).toEqual({
      coveredSeconds: 59.3,
      ratio: 0.988,
      truncated: false,
      inconclusive: false,
    })
    // A service that stopped serving long ago is not credited with a short span.
    expect(coverageOf(span(60, 30_000), 60).coveredSeconds).toBe(58.8)
  })

  // Retention (pixie-io/pixie src/table_store/table/table.cc expires the oldest rows first).
  it('should have no figure when retention leaves less than 95 % of the window', () => {
    const cut = coverageOf(span(900, 400), 3600)
    expect(cut).toEqual({ coveredSeconds: 899.6, ratio: 0.25, truncated: true, inconclusive: true })
    const nearly = coverageOf(span(3600 * MIN_COVERAGE_RATIO + 10, 0), 3600)
    expect(nearly).toMatchObject({ truncated: true, inconclusive: false, coveredSeconds: 3430 })
  })
})
