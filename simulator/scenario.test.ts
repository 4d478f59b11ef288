import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadScenario, parseDurationNs, parseScenario } from './scenario'

const minimal = {
  name: 't',
  seed: 1,
  namespaces: [{ name: 'default', replicasets: [{ name: 'web-6d4b9c7f8', pods: 1 }] }],
}

describe('scenario format', () => {
  it('should apply defaults to a minimal scenario', () => {
    const s = parseScenario(minimal)
    expect(s.history).toBe('15m')
    expect(s.multiplier).toBe(1)
    expect(s.encrypt).toBe(false)
    expect(s.faults).toEqual({})
    expect(s.namespaces[0]?.services).toEqual([])
    // Pixie's defaults: 1 s socket-tracer push period, 40 % of a 1228 MB table store per node.
    expect(s.pixie).toEqual({
      push_period_ms: 1000,
      exec_delay_ms: 50,
      http_events_bytes: 515_060_531,
      metadata_delay_ms: 5000,
      data_access: 'Full',
    })
  })

  it('should reject bad Pixie settings and pod start times with their paths', () => {
    let message = ''
    try {
      parseScenario({
        ...minimal,
        pixie: { push_period_ms: 0, retention: '1h' },
        namespaces: [
          { name: 'default', replicasets: [{ name: 'web-6d4b9c7f8', pods: [{ started_at: -1 }] }] },
        ],
      })
    } catch (err) {
      message = (err as Error).message
    }
    expect(message).toContain('pixie.push_period_ms')
    expect(message).toMatch(/pixie: .*retention/)
    expect(message).toContain('namespaces.0.replicasets.0.pods.0.started_at')
  })

  it('should reject bad fields with the path of each problem', () => {
    const bad = {
      ...minimal,
      namespaces: [
        {
          name: 'Default',
          replicasets: [
            {
              name: 'web-6d4b9c7f8',
              pods: 1,
              traffic: {
                rps: -1,
                status: { '200': 0 },
                latency: { dist: 'lognormal', median_ms: 50, p99_ms: 10 },
              },
            },
          ],
        },
      ],
    }
    let message = ''
    try {
      parseScenario(bad)
    } catch (err) {
      message = (err as Error).message
    }
    expect(message).toContain('namespaces.0.name')
    expect(message).toContain('namespaces.0.replicasets.0.traffic.rps')
    expect(message).toContain('namespaces.0.replicasets.0.traffic.status')
    expect(message).toContain('p99_ms must be >= median_ms')
  })

  it('should reject unknown fields, duplicate replicasets and services selecting unknown replicasets', () => {
    expect(() => parseScenario({ ...minimal, sede: 2 })).toThrow(/sede/)
    expect(() =>
      parseScenario({
        ...minimal,
        namespaces: [
          {
            name: 'default',
            services: [{ name: 'web', selector: { replicasets: ['nope-1'] } }],
            replicasets: [
              { name: 'web-1', pods: 1 },
              { name: 'web-1', pods: 1 },
            ],
          },
        ],
      })
    ).toThrow(/duplicate replicaset 'web-1'[\s\S]*unknown replicaset 'nope-1'/)
  })

  it('should parse durations into nanoseconds and refuse anything else', () => {
    expect(parseDurationNs('90s')).toBe(90_000_000_000n)
    expect(parseDurationNs('15m')).toBe(900_000_000_000n)
    expect(parseDurationNs('500ms')).toBe(500_000_000n)
    expect(() => parseDurationNs('1.5m')).toThrow(/invalid duration/)
  })

  it('should load every shipped scenario file', () => {
    const dir = join(import.meta.dirname, '..', 'scenarios')
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'))
    expect(files).toContain('demo.json')
    for (const file of files)
      expect(loadScenario(join(dir, file)).namespaces.length).toBeGreaterThan(0)
  })

  it('should name the file when it cannot be read', () => {
    expect(() => loadScenario('/nonexistent/x.json')).toThrow(
      /cannot read scenario \/nonexistent\/x.json/
    )
  })
})
