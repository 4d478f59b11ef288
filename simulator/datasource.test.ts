import { describe, expect, it } from 'vitest'
import { COL } from './http-events'
import { parseScenario } from './scenario'
import { buildWorld } from './topology'
import { TrafficStore } from './datasource'
import { generateHttpEvents } from './traffic'

const S = 1_000_000_000n
const NOW = 1_800_000_000_000_000_000n + 400_000_000n
const world = buildWorld(
  parseScenario({
    name: 't',
    seed: 3,
    history: '3m',
    namespaces: [{ name: 'a', replicasets: [{ name: 'web-1', pods: 2, traffic: { rps: 4 } }] }],
  })
)
const H = 180n * S

describe('TrafficStore', () => {
  it('should hold exactly the generated rows of the history before now', () => {
    const store = new TrafficStore(world)
    expect(store.table(NOW).data).toEqual(
      generateHttpEvents(world, { startNs: NOW - H + 1n, endNs: NOW }).data
    )
  })

  it('should append only the new rows as now advances and rebuild when the clock goes back', () => {
    const store = new TrafficStore(world)
    store.table(NOW)
    const later = NOW + 2_700_000_000n
    expect(store.table(later).data).toEqual(
      generateHttpEvents(world, { startNs: NOW - H + 1n, endNs: later }).data
    )
    const earlier = NOW - 10n * S
    expect(store.table(earlier).data).toEqual(
      generateHttpEvents(world, { startNs: earlier - H + 1n, endNs: earlier }).data
    )
  })

  it('should start afresh after an idle gap longer than the history', () => {
    const store = new TrafficStore(world)
    store.table(NOW)
    const muchLater = NOW + 3600n * S
    expect(store.table(muchLater).data).toEqual(
      generateHttpEvents(world, { startNs: muchLater - H + 1n, endNs: muchLater }).data
    )
  })

  it('should drop old rows once the table holds more than 1.25 x the history, keeping at least the history', () => {
    const store = new TrafficStore(world)
    store.table(NOW)
    const later = NOW + 100n * S
    const times = store.table(later).data[COL.time_] as bigint[]
    expect(times[0]! > later - (H * 5n) / 4n).toBe(true)
    expect(times[0]! <= later - H + S).toBe(true)
    expect(times[times.length - 1]! <= later).toBe(true)
  })

  it('should trim history at a large multiplier but never below two minutes', () => {
    const big = buildWorld(
      parseScenario({
        name: 't',
        seed: 3,
        history: '15m',
        max_rows: 10_000,
        namespaces: [
          { name: 'a', replicasets: [{ name: 'web-1', pods: 1, traffic: { rps: 10 } }] },
        ],
      })
    )
    const store = new TrafficStore(big)
    expect(store.historyNs()).toBe(800n * S)
    store.multiplier = 100
    expect(store.historyNs()).toBe(120n * S)
  })

  it('should count scanned rows only when a query reads the table', () => {
    const store = new TrafficStore(world)
    const idle = store.snapshot(NOW)
    expect(idle.source.table('nope')).toBeUndefined()
    expect(idle.rowsScanned()).toBe(0)
    const busy = store.snapshot(NOW)
    const rows = busy.source.table('http_events')?.data[0]?.length ?? 0
    expect(rows).toBeGreaterThan(0)
    expect(busy.rowsScanned()).toBe(rows)
    expect(busy.source.metadata.resolve('namespace', world.pods[0]!.upid)).toBe('a')
  })
})
