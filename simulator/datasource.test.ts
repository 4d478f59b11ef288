import { describe, expect, it } from 'vitest'
import { COL } from './http-events'
import { parseScenario } from './scenario'
import { buildWorld, type SimPod, type World } from './topology'
import { rowBytes, TrafficStore } from './datasource'
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
    const store = new TrafficStore(w)
    let missing = 0n
    const n = 100n
    for (let i = 0n; i < n; i++) {
      const now = 1_800_000_000_000_000_000n + i * 41_000_000n
      const times = store.snapshot(now).source.table('http_events')!.data[COL.time_] as bigint[]
      missing += now - times[times.length - 1]!
    }
    const meanMs = Number(missing / n) / 1e6
    expect(meanMs).toBeGreaterThan(300)
    expect(meanMs).toBeLessThan(700)
  })
})

describe('retention: each node keeps http_events up to a byte bound', () => {
  // Each PEM's http_events holds 40 % of PL_TABLE_STORE_DATA_LIMIT_MB (1228 as deployed): pixie-io/
  // pixie src/vizier/services/agent/pem/pem_manager.cc, src/cloud/config_manager/controllers/
  // server.go. Older rows expire first (src/table_store/table/table.cc); a row's bytes are its
  // fixed-size columns plus its strings (src/table_store/schema/row_batch.cc NumBytes).
  const twoNodes = (bytes?: number) =>
    buildWorld(
      parseScenario({
        name: 'retain',
        seed: 8,
        history: '3m',
        nodes: ['busy', 'quiet'],
        ...(bytes === undefined ? {} : { pixie: { http_events_bytes: bytes } }),
        namespaces: [
          {
            name: 'a',
            replicasets: [
              {
                name: 'web-1',
                pods: [
                  { node: 'busy', traffic: { rps: 50 } },
                  { node: 'quiet', traffic: { rps: 1 } },
                ],
              },
            ],
          },
        ],
      })
    )
  const NOW2 = 1_800_000_000_000_000_000n

  function byNode(w: World, table: { data: unknown[][] }) {
    const columns = table.data as Parameters<typeof rowBytes>[0]
    const out = new Map<string, { oldest: bigint; bytes: number; rows: number }>()
    for (let r = 0; r < (columns[0]?.length ?? 0); r++) {
      const node = w.byUpid.get(columns[COL.upid]![r] as string)!.node
      const cur = out.get(node) ?? { oldest: columns[COL.time_]![r] as bigint, bytes: 0, rows: 0 }
      cur.bytes += rowBytes(columns, r)
      cur.rows++
      out.set(node, cur)
    }
    return out
  }

  it('should default to 40 % of 1228 MB and then keep the whole simulated history', () => {
    const w = twoNodes()
    expect(w.scenario.pixie.http_events_bytes).toBe(515_060_531)
    const store = new TrafficStore(w)
    const table = store.snapshot(NOW2).source.table('http_events')!
    expect(store.isSharedColumn(table.data[0])).toBe(true)
  })

  it("should expire the busy node's oldest rows once it holds more than the bound, not the quiet node's", () => {
    const w = twoNodes(1_000_000)
    const store = new TrafficStore(w)
    const full = byNode(w, store.table(NOW2))
    const kept = byNode(w, store.snapshot(NOW2).source.table('http_events')!)
    const busy = kept.get('busy')!
    expect(full.get('busy')!.bytes).toBeGreaterThan(1_000_000)
    expect(busy.bytes).toBeLessThanOrEqual(1_000_000)
    // Only the oldest rows went: about a second's worth of bytes is all that is left unused.
    expect(busy.bytes).toBeGreaterThan(1_000_000 - (busy.bytes / busy.rows) * 60)
    expect(busy.oldest > full.get('busy')!.oldest).toBe(true)
    // The quiet node is far below the bound and keeps everything.
    expect(kept.get('quiet')).toEqual(full.get('quiet'))
  })

  it('should account bytes the same after appends and trims as after a fresh build', () => {
    const w = twoNodes(1_000_000)
    const moving = new TrafficStore(w)
    moving.snapshot(NOW2).source.table('http_events')
    const later = NOW2 + 100n * S
    const a = moving.snapshot(later).source.table('http_events')!
    const b = new TrafficStore(w).snapshot(later).source.table('http_events')!
    expect(a.data).toEqual(b.data)
  })
})

describe('metadata gaps: a new pod reads as unknown for its first seconds', () => {
  // ctx[...] resolves a row's upid through the agents' metadata state (pixie-io/pixie
  // src/carnot/funcs/metadata/metadata_ops.h UPIDToPodName and friends answer '' when the pod is
  // not known yet), so a just-started pod's rows fall out of every pod/replicaset/service filter.
  const START_S = 1_800_000_000
  const w = buildWorld(
    parseScenario({
      name: 'new-pod',
      seed: 4,
      history: '2m',
      pixie: { metadata_delay_ms: 5000, exec_delay_ms: 0 },
      namespaces: [
        {
          name: 'a',
          services: [{ name: 'web', selector: { replicasets: ['web-1'] } }],
          replicasets: [
            {
              name: 'web-1',
              pods: [{ traffic: { rps: 5 } }, { started_at: START_S, traffic: { rps: 5 } }],
            },
          ],
        },
      ],
    })
  )
  const [old, fresh] = w.pods as [SimPod, SimPod]
  const at = (s: number) => BigInt(s) * S

  it("should answer '' for the new pod's pod, replicaset and service until the delay has passed", () => {
    const early = new TrafficStore(w).snapshot(at(START_S + 3)).source.metadata
    for (const key of ['pod', 'replicaset', 'service', 'namespace'] as const) {
      expect(early.resolve(key, fresh.upid)).toBe('')
    }
    expect(early.resolve('node', fresh.upid)).toBe(fresh.node)
    expect(early.resolve('replicaset', old.upid)).toBe('a/web-1')
    const later = new TrafficStore(w).snapshot(at(START_S + 6)).source.metadata
    expect(later.resolve('pod', fresh.upid)).toBe(`a/${fresh.name}`)
    expect(later.resolve('service', fresh.upid)).toBe('a/web')
  })

  it('should have no rows from a pod before it started', () => {
    const table = new TrafficStore(w).snapshot(at(START_S + 6)).source.table('http_events')!
    const times = table.data[COL.time_] as bigint[]
    const upids = table.data[COL.upid] as string[]
    const freshTimes = times.filter((_, r) => upids[r] === fresh.upid)
    expect(freshTimes.length).toBeGreaterThan(10)
    expect(freshTimes.every((t) => t >= at(START_S))).toBe(true)
    expect(times.some((t, r) => upids[r] === old.upid && t < at(START_S))).toBe(true)
  })
})
