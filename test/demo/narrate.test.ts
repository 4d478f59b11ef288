import { describe, expect, it } from 'vitest'
import { clockText, describeValue, formatEvent, formatSummary } from './narrate'
import type { Measurement } from '../argo-emulator/types'

const measured = (value: unknown, phase: Measurement['phase'] = 'Successful'): Measurement => ({
  phase,
  value: JSON.stringify(value),
  startedAt: 0,
  finishedAt: 0,
})

describe('narration', () => {
  it('should print emulated time as mm:ss', () => {
    expect(clockText(0)).toBe('00:00')
    expect(clockText(90_500)).toBe('01:30')
  })

  it("should describe each metric's figure with its sample size", () => {
    expect(describeValue('error-rate', measured({ error_rate: 0.0125, requests: 480 }))).toBe(
      'error rate 1.25 % of 480 requests'
    )
    expect(
      describeValue(
        'latency',
        measured({ quantile: 'p90', latency_ms: { p90: 75.9, p99: 150 }, requests: 10 })
      )
    ).toBe('p90 76 ms of 10 requests')
    expect(describeValue('throughput', measured({ rps: 7.98, requests: 479 }))).toBe(
      '8.0 rps of 479 requests'
    )
  })

  it('should describe a comparison with both sides, the p-value and the verdict', () => {
    const errorRate = {
      requests: 1200,
      error_rate: 0.035,
      comparison: {
        error_rate: {
          verdict: 'worse',
          canary: { requests: 1200, errors: 42, rate: 0.035 },
          baseline: { requests: 3600, errors: 36, rate: 0.01 },
          p_value_canary_greater: 2.1e-9,
        },
      },
    }
    expect(describeValue('error-rate', measured(errorRate, 'Failed'))).toBe(
      'error rate 3.50 % vs baseline 1.00 % (p = 2.1e-9): worse'
    )
    const latency = {
      requests: 1200,
      comparison: {
        latency: {
          verdict: 'not_worse',
          quantile: 'p99',
          canary: { requests: 1200, quantile_ms: 121.4 },
          baseline: { requests: 3600, quantile_ms: 119.6 },
          ratio: 1.015,
          mann_whitney: { p_value_canary_slower: 0.41 },
        },
      },
    }
    expect(describeValue('latency', measured(latency))).toBe(
      'p99 121 ms vs baseline 120 ms (x1.01, p = 0.410): not_worse'
    )
    const quiet = {
      requests: 30,
      comparison: {
        error_rate: {
          verdict: 'insufficient_data',
          canary: { requests: 30 },
          baseline: { requests: 3600 },
        },
      },
    }
    expect(describeValue('error-rate', measured(quiet, 'Inconclusive'))).toBe(
      'insufficient data (30 canary, 3600 baseline requests)'
    )
    const throughput = {
      requests: 1200,
      rps: 20,
      comparison: { throughput: { canary_share: 0.25 } },
    }
    expect(describeValue('throughput', measured(throughput))).toBe(
      '20.0 rps of 1200 requests, canary share 25.0 %'
    )
  })

  it('should say no traffic rather than print a number', () => {
    expect(
      describeValue('error-rate', measured({ error_rate: null, requests: 0, window_seconds: 60 }))
    ).toBe('no traffic (0 requests in 60 s)')
  })

  it('should show the error message of an Error measurement', () => {
    const error: Measurement = {
      phase: 'Error',
      message: 'received non 2xx response code: 502',
      startedAt: 0,
      finishedAt: 0,
    }
    expect(describeValue('latency', error)).toBe('received non 2xx response code: 502')
  })

  it('should narrate steps with weights and completed metrics with the run phase', () => {
    expect(
      formatEvent({ type: 'step', at: 0, index: 0, step: { setWeight: 10 }, weight: 10 }, 4)[0]
    ).toMatch(/^\[00:00\] Step 1\/4 +setWeight: 10 +weight: canary 10 %, stable 90 %$/)
    const lines = formatEvent(
      {
        type: 'measurement',
        at: 60_000,
        metric: 'error-rate',
        measurement: measured({ error_rate: 0.8, requests: 480 }, 'Failed'),
        metricResult: {
          name: 'error-rate',
          phase: 'Failed',
          message: 'failed (2) > failureLimit (1)',
          measurements: [],
          count: 2,
          successful: 0,
          failed: 2,
          inconclusive: 0,
          error: 0,
          consecutiveError: 0,
        },
        runPhase: 'Failed',
      },
      4
    )
    expect(lines).toEqual([
      '[01:00]   ✖ error-rate  Failed       error rate 80.00 % of 480 requests',
      '[01:00]     metric error-rate Failed: failed (2) > failureLimit (1); AnalysisRun Failed',
    ])
  })

  it('should summarise a rollout like kubectl argo rollouts get', () => {
    const summary = formatSummary(
      'canary-demo',
      'argoproj/rollouts-demo:yellow',
      {
        status: 'Healthy',
        message: 'canary promoted to stable',
        weight: 100,
        stepIndex: 4,
        stepAnalyses: [],
        durationMs: 240_000,
      },
      4
    )
    expect(summary).toContain('Status:          ✔ Healthy')
    expect(summary).toContain('Step:            4/4')
    expect(summary).toContain('Emulated time:   04:00')
  })
})
