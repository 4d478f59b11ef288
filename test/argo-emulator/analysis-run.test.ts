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
    expect(result.message).toBe(
      'Metric "m" assessed Error due to consecutiveErrors (5) > consecutiveErrorLimit (4)'
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
    expect(events.at(-1)?.runPhase).toBe('Failed')
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
