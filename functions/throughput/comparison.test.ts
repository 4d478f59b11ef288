import { describe, expect, it } from 'vitest'
import type { ShareSettings } from '../../shared/comparison-params'
import { decodedStats as stats } from '../../test/helpers/decoded-stats'
import { throughputComparison } from './comparison'

const SETTINGS: ShareSettings = { alpha: 0.05, looks: 10, minShare: 0.05 }

describe('throughputComparison', () => {
  it("should report each side's rate and the canary's share of the traffic", () => {
    const body = throughputComparison(stats(600), stats(5400), 60, SETTINGS)
    expect(body).toMatchObject({
      canary_rps: 10,
      baseline_rps: 90,
      canary_share: 0.1,
      share: 0.1,
      ratio: 600 / 5400,
      verdict: 'not_worse',
      starved_below: 0.05,
      alpha: 0.05,
      looks: 10,
      alpha_per_look: 0.005,
      min_share: 0.05,
    })
    expect(body.p_value_starved).toBeGreaterThan(0.005)
  })

  it('should call a canary far below its share worse (Failed), with the p-value that shows it', () => {
    // 5 of 1,000 requests: 0.5 % against a floor of 5 %.
    const body = throughputComparison(stats(5), stats(995), 60, SETTINGS)
    expect(body.verdict).toBe('worse')
    expect(body.p_value_starved).toBeLessThan(body.alpha_per_look)
    expect(body.reason).toContain('starved')
  })

  it('should call a quiet service insufficient_data, never worse or not_worse', () => {
    // Even a canary with none of 20 requests is not significant at 0.005 against 5 %.
    const body = throughputComparison(stats(0), stats(20), 60, SETTINGS)
    expect(body.verdict).toBe('insufficient_data')
    expect(body.min_total).toBeGreaterThan(20)
    expect(body.p_value_starved).toBeNull()
    // The smallest total at which a canary with nothing is starved: (0.95)^n < 0.005.
    expect(0.95 ** body.min_total).toBeLessThan(0.005)
    expect(0.95 ** (body.min_total - 1)).toBeGreaterThanOrEqual(0.005)
  })

  it('should report null, never 0, for a side without requests', () => {
    expect(throughputComparison(stats(0), stats(600), 60, SETTINGS)).toMatchObject({
      canary_rps: null,
      baseline_rps: 10,
      canary_share: 0,
      verdict: 'worse',
    })
    expect(throughputComparison(stats(0), stats(0), 60, SETTINGS)).toMatchObject({
      canary_rps: null,
      baseline_rps: null,
      canary_share: null,
      share: null,
      ratio: null,
      verdict: 'insufficient_data',
    })
  })
})
