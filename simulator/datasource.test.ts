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

describe('freshness: what a query compiled at px.now() sees', () => {
  // Stirling pushes the socket tracer's rows every kPushPeriod = 1000 ms (pixie-io/pixie
  // src/stirling/source_connectors/socket_tracer/socket_trace_connector.cc InitImpl,
  // src/stirling/stirling.cc run loop); the query's start is px.now() at compile time minus the
  // window (src/carnot/planner/objects/dataframe.cc, src/carnot/planner/logical_planner.cc) and
  // without end_time each PEM reads to its table's end when the source opens
  // (src/carnot/exec/memory_source_node.cc, src/table_store/table/table.cc).
  const steady = (pixie: Record<string, number>) =>
    buildWorld(
      parseScenario({
        name: 'fresh',
        seed: 5,
        history: '3m',
        pixie,
        namespaces: [
          { name: 'a', replicasets: [{ name: 'web-1', pods: 1, traffic: { rps: 200 } }] },
        ],
      })
    )
  const lastTime = (w: ReturnType<typeof steady>, nowNs: bigint) => {
    const times = new TrafficStore(w).snapshot(nowNs).source.table('http_events')?.data[
      COL.time_
    ] as bigint[]
    return times[times.length - 1]!
  }

  it('should miss the rows not yet pushed: up to a push period before execution', () => {
    // Ticks at .300 of every second; compiled at .000 and executed 50 ms later, the last tick
    // was 700 ms before px.now(): the newest row seen is just before it.
    const w = steady({ push_phase_ms: 300, exec_delay_ms: 50 })
    const now = 1_800_000_000_000_000_000n
    const tick = now - 700_000_000n
    const last = lastTime(w, now)
    expect(last < tick).toBe(true)
    expect(last > tick - 50_000_000n).toBe(true) // 200 rps: a row every ~5 ms
  })

  it('should include rows that landed between compilation and execution', () => {
    // Compiled at .290, executed at .340: the .300 tick pushed rows younger than px.now().
    const w = steady({ push_phase_ms: 300, exec_delay_ms: 50 })
    const now = 1_800_000_000_290_000_000n
    const last = lastTime(w, now)
    expect(last > now).toBe(true)
    expect(last < now + 10_000_000n).toBe(true)
  })

  it('should lose about half a push period on average, so a 60 s window holds ~59.5 s', () => {
    const w = steady({ exec_delay_ms: 0 })
    let missing = 0n
    const n = 25n
    for (let i = 0n; i < n; i++) {
      const now = 1_800_000_000_000_000_000n + i * 41_000_000n
      missing += now - lastTime(w, now)
    }
    const meanMs = Number(missing / n) / 1e6
    expect(meanMs).toBeGreaterThan(300)
    expect(meanMs).toBeLessThan(700)
  })
})
