import { afterEach, describe, expect, it } from 'vitest'
import { AnalysisRun, isWorse } from './analysis-run'
import type { MeasurementEvent } from './analysis-run'
import { VirtualClock } from './clock'
import { runAnalysis } from './factory'
import { json, startTestServer } from './test-server'
import type { Reply, TestServer } from './test-server'
import type { AnalysisTemplate, Metric } from './types'

let servers: TestServer[] = []
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()))
  servers = []
})

/** A server answering with `replies` in order (the last one repeats). */
async function scripted(replies: Reply[]): Promise<TestServer> {
  const server = await startTestServer((_r, i) => replies[Math.min(i, replies.length - 1)] as Reply)
  servers.push(server)
  return server
}

const ok: Reply = json({ v: 1 })
const bad: Reply = json({ v: 9 })
const low: Reply = json({ v: 0 })
const down: Reply = json({ error: { code: 'pixie_unavailable' } }, 502)

/** success when v == 1, failure when v == 9, neither (Inconclusive) when v == 0. */
function metric(url: string, extra: Partial<Metric> = {}): Metric {
  return {
    name: 'm',
    successCondition: 'result.v == 1',
    failureCondition: 'result.v == 9',
    provider: { web: { url, jsonPath: '{$}' } },
    ...extra,
  }
}

async function run(metrics: Metric[], events: MeasurementEvent[] = []) {
  const clock = new VirtualClock(0.001)
  const analysis = new AnalysisRun(
    { metrics, args: {} },
    { clock, onMeasurement: (e) => events.push(e) }
  )
  analysis.start()
  return analysis.done
}

describe('AnalysisRun scheduling', () => {
  it('should take one measurement without count and interval', async () => {
    const server = await scripted([ok])
    const result = await run([metric(server.url)])
    expect(result.phase).toBe('Successful')
    expect(result.metricResults[0]?.measurements).toHaveLength(1)
  })

  it('should take count measurements, interval apart, after initialDelay', async () => {
    const server = await scripted([ok])
    const result = await run([
      metric(server.url, { count: 3, interval: '30s', initialDelay: '15s' }),
    ])
    const measurements = result.metricResults[0]?.measurements ?? []
    expect(result.phase).toBe('Successful')
    expect(measurements).toHaveLength(3)
    expect(measurements[0]?.startedAt).toBe(15_000)
    // The next measurement is due `interval` after the previous one finished.
    for (let i = 1; i < measurements.length; i++) {
      expect((measurements[i]?.startedAt ?? 0) - (measurements[i - 1]?.finishedAt ?? 0)).toBe(
        30_000
      )
    }
  })

  it('should retry 10 s after an Error whatever the interval, and not count errors', async () => {
    const server = await scripted([down, ok, ok])
    const result = await run([metric(server.url, { count: 2, interval: '5m' })])
    const m = result.metricResults[0]
    const [first, second, third] = m?.measurements ?? []
    expect(m?.measurements.map((x) => x.phase)).toEqual(['Error', 'Successful', 'Successful'])
    expect(m?.count).toBe(2)
    expect((second?.startedAt ?? 0) - (first?.finishedAt ?? 0)).toBe(10_000)
    expect((third?.startedAt ?? 0) - (second?.finishedAt ?? 0)).toBe(300_000)
  })
})

describe('AnalysisRun limits', () => {
  it('should fail on the first Failed measurement with the default failureLimit 0', async () => {
    const server = await scripted([bad])
    const result = await run([metric(server.url, { interval: '30s' })])
    expect(result.phase).toBe('Failed')
    expect(result.message).toBe('Metric "m" assessed Failed due to failed (1) > failureLimit (0)')
    expect(result.metricResults[0]?.measurements).toHaveLength(1)
  })

  it('should tolerate failureLimit failures', async () => {
    const server = await scripted([bad, ok, bad, bad])
    const result = await run([metric(server.url, { interval: '30s', failureLimit: 2 })])
    expect(result.phase).toBe('Failed')
    expect(result.metricResults[0]?.failed).toBe(3)
    expect(result.metricResults[0]?.measurements).toHaveLength(4)
  })

  it('should go Inconclusive past inconclusiveLimit (default 0)', async () => {
    const server = await scripted([low])
    const strict = await run([metric(server.url, { interval: '30s' })])
    const tolerant = await run([metric(server.url, { interval: '30s', inconclusiveLimit: '2' })])
    expect(strict.phase).toBe('Inconclusive')
    expect(strict.metricResults[0]?.inconclusive).toBe(1)
    expect(tolerant.phase).toBe('Inconclusive')
    expect(tolerant.metricResults[0]?.inconclusive).toBe(3)
    expect(tolerant.message).toBe(
      'Metric "m" assessed Inconclusive due to inconclusive (3) > inconclusiveLimit (2)'
    )
  })

  it('should error on the 5th consecutive Error by default', async () => {
    const server = await scripted([down])
    const result = await run([metric(server.url, { interval: '30s' })])
    expect(result.phase).toBe('Error')
    expect(result.metricResults[0]?.measurements).toHaveLength(5)
    // The metric's message is its last measurement's, appended to the run message
    // (argoproj/argo-rollouts analysis/analysis.go assessRunStatus, "Error Message").
    expect(result.metricResults[0]?.message).toBe('received non 2xx response code: 502')
    expect(result.message).toBe(
      'Metric "m" assessed Error due to consecutiveErrors (5) > consecutiveErrorLimit (4): "Error Message: received non 2xx response code: 502"'
    )
  })

  it('should never fail a run on errors interleaved with successes', async () => {
    const server = await scripted([down, down, down, down, ok, down, down, down, down, ok])
    const result = await run([metric(server.url, { count: 2, interval: '30s' })])
    expect(result.phase).toBe('Successful')
    expect(result.metricResults[0]?.error).toBe(8)
  })

  it('should honour a custom consecutiveErrorLimit', async () => {
    const server = await scripted([down])
    const result = await run([metric(server.url, { interval: '30s', consecutiveErrorLimit: 1 })])
    expect(result.phase).toBe('Error')
    expect(result.metricResults[0]?.measurements).toHaveLength(2)
  })
})

describe('AnalysisRun with several metrics', () => {
  it('should stop the others when one fails, and take the worst phase', async () => {
    const good = await scripted([ok])
    const failing = await scripted([ok, bad])
    const events: MeasurementEvent[] = []
    const result = await run(
      [
        metric(good.url, { name: 'steady', interval: '30s' }),
        metric(failing.url, { name: 'breaks', interval: '30s' }),
      ],
      events
    )
    expect(result.phase).toBe('Failed')
    expect(result.metricResults.map((r) => [r.name, r.phase])).toEqual([
      ['steady', 'Successful'],
      ['breaks', 'Failed'],
    ])
    // In the reconcile where a metric fails while another is still measuring, Argo's run is still
    // Running; it is Failed once the other is terminated (argoproj/argo-rollouts
    // analysis/analysis.go assessRunStatus, "everythingCompleted").
    expect(events.at(-1)?.runPhase).toBe('Running')
    expect(result.metricResults[0]?.measurements.length).toBeLessThanOrEqual(2)
  })

  it('should end Successful when terminated while metrics are still running', async () => {
    const server = await scripted([ok])
    const clock = new VirtualClock(0.001)
    const analysis = new AnalysisRun(
      { metrics: [metric(server.url, { interval: '30s' })], args: {} },
      { clock }
    )
    analysis.start()
    await clock.sleep(100_000)
    analysis.terminate()
    const result = await analysis.done
    expect(result.phase).toBe('Successful')
    expect(result.metricResults[0]?.measurements.length).toBeGreaterThanOrEqual(3)
  })

  it('should rank phases Successful < Running < Pending < Inconclusive < Error < Failed', () => {
    const order = ['Successful', 'Running', 'Pending', 'Inconclusive', 'Error', 'Failed'] as const
    for (let i = 1; i < order.length; i++) {
      expect(
        isWorse(order[i] as (typeof order)[number], order[i - 1] as (typeof order)[number])
      ).toBe(true)
      expect(
        isWorse(order[i - 1] as (typeof order)[number], order[i] as (typeof order)[number])
      ).toBe(false)
    }
  })
})

describe('runAnalysis from templates', () => {
  const template = (url: string): AnalysisTemplate => ({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisTemplate',
    metadata: { name: 't' },
    spec: {
      args: [
        { name: 'hash' },
        { name: 'max', value: '0.1' },
        { name: 'token', valueFrom: { secretKeyRef: { name: 'auth', key: 'token' } } },
      ],
      metrics: [
        {
          name: 'rate',
          successCondition: 'result <= {{args.max}}',
          provider: {
            web: {
              url: `${url}/?hash={{args.hash}}`,
              headers: [{ key: 'Authorization', value: 'Bearer {{args.token}}' }],
              jsonPath: '{$.rate}',
            },
          },
        },
      ],
    },
  })

  it('should template args into the request and the conditions', async () => {
    const server = await scripted([json({ rate: 0.05 })])
    const result = await runAnalysis(
      {
        templates: [template(server.url)],
        args: [{ name: 'hash', valueFrom: { podTemplateHashValue: 'Latest' } }],
        sources: {
          podTemplateHashes: { Latest: '6d4f7b' },
          secrets: { auth: { token: 's3cr3t' } },
        },
      },
      { clock: new VirtualClock(0.001) }
    )
    expect(result.phase).toBe('Successful')
    expect(server.requests[0]?.url).toBe('/?hash=6d4f7b')
    expect(server.requests[0]?.headers.authorization).toBe('Bearer s3cr3t')
  })

  it('should redact secret values from measurement messages', async () => {
    const server = await scripted([json({ rate: 0 })])
    await server.close()
    servers = []
    const withTokenInUrl = template(`${server.url}/{{args.token}}`)
    const result = await runAnalysis(
      {
        templates: [withTokenInUrl],
        args: [{ name: 'hash', value: 'h' }],
        sources: { secrets: { auth: { token: 's3cr3t' } } },
      },
      { clock: new VirtualClock(0.001) }
    )
    const measurement = result.metricResults[0]?.measurements[0]
    expect(measurement?.phase).toBe('Error')
    expect(measurement?.message).toContain('/*****')
    expect(JSON.stringify(result)).not.toContain('s3cr3t')
  })

  it('should end in Error when an argument cannot be resolved', async () => {
    const server = await scripted([json({ rate: 0 })])
    const result = await runAnalysis(
      { templates: [template(server.url)], sources: { secrets: { auth: { token: 'x' } } } },
      { clock: new VirtualClock(0.001) }
    )
    expect(result.phase).toBe('Error')
    expect(result.message).toBe('Unable to resolve metric arguments: args.hash was not resolved')
    expect(server.requests).toHaveLength(0)
  })
})

describe('AnalysisRun run phase while metrics are pending', () => {
  // argoproj/argo-rollouts analysis/analysis.go assessRunStatus: a metric without a result yet
  // ("some metrics starts with delay") keeps everythingCompleted false, so the run is Running.
  it('should be Running while one metric completed and another is still in initialDelay', async () => {
    const server = await scripted([ok])
    const events: MeasurementEvent[] = []
    const clock = new VirtualClock(0.001)
    const analysis = new AnalysisRun(
      {
        metrics: [
          metric(server.url, { name: 'now' }),
          metric(server.url, { name: 'later', initialDelay: '1m' }),
        ],
        args: {},
      },
      { clock, onMeasurement: (e) => events.push(e) }
    )
    expect(analysis.phase()).toBe('Pending')
    analysis.start()
    const result = await analysis.done
    expect(events.map((e) => [e.metric, e.metricResult.phase, e.runPhase])).toEqual([
      ['now', 'Successful', 'Running'],
      ['later', 'Successful', 'Successful'],
    ])
    expect(result.phase).toBe('Successful')
  })
})

describe('AnalysisRun metric validation (run Error before measuring)', () => {
  // argoproj/argo-rollouts utils/analysis/factory.go ValidateMetric, called by
  // analysis/analysis.go reconcileAnalysisRun ("Analysis spec invalid: ...") before any measurement.
  const cases: Array<[string, Partial<Metric>, string]> = [
    [
      'count below failureLimit + consecutiveSuccessLimit',
      { count: 3, interval: '10s', failureLimit: 2, consecutiveSuccessLimit: 2 },
      'metrics[0]: count (3) must be >= failureLimit + consecutiveSuccessLimit (2 + 2) if both >= 0',
    ],
    [
      'count below consecutiveSuccessLimit with failureLimit -1',
      { count: 2, interval: '10s', failureLimit: -1, consecutiveSuccessLimit: 3 },
      'metrics[0]: count must be >= consecutiveSuccessLimit',
    ],
    [
      'a negative inconclusiveLimit',
      { inconclusiveLimit: -1 },
      'metrics[0]: inconclusiveLimit must be >= 0',
    ],
    [
      'a negative consecutiveErrorLimit',
      { consecutiveErrorLimit: -1 },
      'metrics[0]: consecutiveErrorLimit must be >= 0',
    ],
    [
      'failureLimit -1 without consecutiveSuccessLimit',
      { failureLimit: -1 },
      'metrics[0]: failureLimit and consecutiveSuccessLimit cannot both be disabled',
    ],
    [
      'failureLimit below -1',
      { failureLimit: -2 },
      'metrics[0]: failureLimit must be >= 0, or -1 to be disabled',
    ],
    [
      'a negative consecutiveSuccessLimit',
      { consecutiveSuccessLimit: -1 },
      'metrics[0]: consecutiveSuccessLimit must be >= 0',
    ],
    [
      'count above 1 without interval',
      { count: 2 },
      'metrics[0]: interval must be specified when count > 1',
    ],
  ]
  for (const [what, extra, message] of cases) {
    it(`should end in Error without measuring on ${what}`, async () => {
      const server = await scripted([ok])
      const result = await run([metric(server.url, extra)])
      expect(result.phase).toBe('Error')
      expect(result.message).toBe(`Analysis spec invalid: ${message}`)
      expect(server.requests).toHaveLength(0)
    })
  }

  it('should validate limits given as args after templating', async () => {
    const server = await scripted([ok])
    const clock = new VirtualClock(0.001)
    const analysis = new AnalysisRun(
      {
        metrics: [metric(server.url, { inconclusiveLimit: '{{args.limit}}' })],
        args: { limit: '-3' },
      },
      { clock }
    )
    analysis.start()
    const result = await analysis.done
    expect(result.message).toBe('Analysis spec invalid: metrics[0]: inconclusiveLimit must be >= 0')
    expect(server.requests).toHaveLength(0)
  })

  it('should accept failureLimit -1 together with consecutiveSuccessLimit', async () => {
    const server = await scripted([ok])
    const result = await run([
      metric(server.url, { failureLimit: -1, consecutiveSuccessLimit: 1, count: 1 }),
    ])
    expect(result.phase).toBe('Successful')
  })
})

describe('AnalysisRun consecutiveSuccessLimit', () => {
  // argoproj/argo-rollouts analysis/analysis.go assessMetricStatus (ConsecutiveSuccessLimit
  // Reached / Not Reached) and docs/features/analysis.md "ConsecutiveSuccessLimit and FailureLimit".
  it('should succeed as soon as N measurements in a row are Successful, before count', async () => {
    const server = await scripted([ok, low, ok, ok, ok])
    const result = await run([
      metric(server.url, {
        count: 10,
        interval: '10s',
        consecutiveSuccessLimit: 2,
        inconclusiveLimit: 5,
      }),
    ])
    const m = result.metricResults[0]
    expect(m?.measurements.map((x) => x.phase)).toEqual([
      'Successful',
      'Inconclusive',
      'Successful',
      'Successful',
    ])
    expect(m?.consecutiveSuccess).toBe(2)
    expect(result.phase).toBe('Successful')
  })

  it('should be Inconclusive when count is reached with neither limit hit', async () => {
    const server = await scripted([ok, bad, ok, bad])
    const result = await run([
      metric(server.url, {
        count: 4,
        interval: '10s',
        failureLimit: 2,
        consecutiveSuccessLimit: 2,
      }),
    ])
    expect(result.metricResults[0]?.measurements).toHaveLength(4)
    expect(result.metricResults[0]?.phase).toBe('Inconclusive')
    expect(result.phase).toBe('Inconclusive')
  })

  it('should be Failed when count is reached without the streak and failureLimit is -1', async () => {
    const server = await scripted([ok, bad, ok, bad, bad])
    const result = await run([
      metric(server.url, {
        count: 5,
        interval: '10s',
        failureLimit: -1,
        consecutiveSuccessLimit: 2,
      }),
    ])
    expect(result.metricResults[0]?.failed).toBe(3)
    expect(result.phase).toBe('Failed')
  })

  it('should still fail past failureLimit before the streak is reached', async () => {
    const server = await scripted([bad, ok, bad])
    const result = await run([
      metric(server.url, {
        count: 6,
        interval: '10s',
        failureLimit: 1,
        consecutiveSuccessLimit: 3,
      }),
    ])
    expect(result.metricResults[0]?.measurements).toHaveLength(3)
    expect(result.phase).toBe('Failed')
    expect(result.message).toBe('Metric "m" assessed Failed due to failed (2) > failureLimit (1)')
  })

  it('should reset the streak on an Error measurement', async () => {
    const server = await scripted([ok, down, ok, ok])
    const result = await run([
      metric(server.url, { count: 5, interval: '10s', consecutiveSuccessLimit: 2 }),
    ])
    expect(result.metricResults[0]?.measurements.map((x) => x.phase)).toEqual([
      'Successful',
      'Error',
      'Successful',
      'Successful',
    ])
    expect(result.phase).toBe('Successful')
  })
})

describe('AnalysisRun dryRun', () => {
  // argoproj/argo-rollouts analysis/analysis.go assessRunStatus (dry-run metrics skip the worst
  // status and count in dryRunSummary), utils/analysis/helpers.go IsTerminating (dry-run results
  // never terminate the run) and GetDryRunMetrics (regexp rules); docs/features/analysis.md
  // "Dry-Run Mode".
  it('should never fail the run on a dry-run metric, and report it in dryRunSummary', async () => {
    const good = await scripted([ok])
    const failing = await scripted([bad])
    const clock = new VirtualClock(0.001)
    const analysis = new AnalysisRun(
      {
        metrics: [
          metric(failing.url, { name: 'latency-p99' }),
          metric(good.url, { name: 'error-rate', count: 3, interval: '10s' }),
        ],
        args: {},
        dryRun: [{ metricName: 'latency' }],
      },
      { clock }
    )
    analysis.start()
    const result = await analysis.done
    expect(result.phase).toBe('Successful')
    expect(result.message).toBeUndefined()
    const [dry, real] = result.metricResults
    expect(dry).toMatchObject({
      name: 'latency-p99',
      phase: 'Failed',
      dryRun: true,
      message: 'Metric assessed Failed due to failed (1) > failureLimit (0)',
    })
    // The failing dry-run metric did not terminate the other one.
    expect(real?.measurements).toHaveLength(3)
    expect(real?.dryRun).toBeUndefined()
    expect(result.dryRunSummary).toEqual({
      count: 1,
      successful: 0,
      failed: 1,
      inconclusive: 0,
      error: 0,
    })
    expect(result.runSummary).toEqual({
      count: 1,
      successful: 1,
      failed: 0,
      inconclusive: 0,
      error: 0,
    })
  })

  it('should take dryRun rules from the templates and from the Rollout', async () => {
    const failing = await scripted([bad])
    const template: AnalysisTemplate = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AnalysisTemplate',
      metadata: { name: 't' },
      spec: {
        metrics: [metric(failing.url, { name: 'a' }), metric(failing.url, { name: 'b' })],
        dryRun: [{ metricName: '^a$' }],
      },
    }
    const clock = new VirtualClock(0.001)
    const onlyTemplate = await runAnalysis({ templates: [template] }, { clock })
    expect(onlyTemplate.phase).toBe('Failed')
    expect(onlyTemplate.message).toBe(
      'Metric "b" assessed Failed due to failed (1) > failureLimit (0)'
    )
    const both = await runAnalysis(
      { templates: [template], dryRun: [{ metricName: 'b' }] },
      { clock }
    )
    expect(both.phase).toBe('Successful')
    expect(both.dryRunSummary.failed).toBe(2)
  })

  it('should end in Error when a dryRun rule matches no metric', async () => {
    const server = await scripted([ok])
    const clock = new VirtualClock(0.001)
    const analysis = new AnalysisRun(
      { metrics: [metric(server.url)], args: {}, dryRun: [{ metricName: 'nope' }] },
      { clock }
    )
    analysis.start()
    const result = await analysis.done
    expect(result.phase).toBe('Error')
    expect(result.message).toBe(
      "Analysis spec invalid: dryRun[0]: Rule didn't match any metric name(s)"
    )
    expect(server.requests).toHaveLength(0)
  })
})
