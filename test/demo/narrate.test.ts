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
